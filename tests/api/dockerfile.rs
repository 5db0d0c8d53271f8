//! The image's builder stage has everything the `waymark` build reads: the paths are
//! derived from the source (Cargo's view of the workspace, and every `include_str!`-
//! style macro resolved against its file), then each must be copied into place before
//! the real build, and the dependency layer must stand in for every workspace target.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

fn repository() -> PathBuf {
    normalise(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                assert!(clean.pop(), "{} climbs above the root", path.display());
            }
            other => clean.push(other),
        }
    }
    clean
}

/// `absolute` relative to the repository, failing when it lies outside.
fn in_repository(absolute: &Path) -> PathBuf {
    normalise(absolute)
        .strip_prefix(repository())
        .unwrap_or_else(|_| panic!("{} is outside the repository", absolute.display()))
        .to_path_buf()
}

/// One workspace package as Cargo sees it, with paths relative to the repository.
#[derive(Debug)]
struct Package {
    name: String,
    directory: PathBuf,
    /// `(kind, source file)` of every target: lib, bin, test, custom-build...
    targets: Vec<(String, PathBuf)>,
    /// Directories of the workspace packages it needs to build (not dev-dependencies).
    builds_with: Vec<PathBuf>,
}

fn workspace() -> Vec<Package> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
        .current_dir(repository())
        .output()
        .unwrap_or_else(|error| panic!("cargo metadata: {error}"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| Package {
            name: text(&package["name"]),
            directory: in_repository(Path::new(&text(&package["manifest_path"])))
                .parent()
                .unwrap()
                .to_path_buf(),
            targets: package["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|target| {
                    (text(&target["kind"][0]), in_repository(Path::new(&text(&target["src_path"]))))
                })
                .collect(),
            builds_with: package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].as_str() != Some("dev"))
                .filter_map(|dependency| dependency["path"].as_str())
                .map(|path| in_repository(Path::new(path)))
                .collect(),
        })
        .collect()
}

/// The packages `cargo build -p waymark` compiles.
fn built_for_the_image(packages: &[Package]) -> Vec<&Package> {
    let mut wanted = vec![packages.iter().find(|package| package.name == "waymark").unwrap()];
    let mut index = 0;
    while let Some(package) = wanted.get(index) {
        for directory in &package.builds_with {
            let dependency = packages
                .iter()
                .find(|candidate| &candidate.directory == directory)
                .unwrap_or_else(|| panic!("{} is not a workspace package", directory.display()));
            if !wanted.iter().any(|seen| seen.name == dependency.name) {
                wanted.push(dependency);
            }
        }
        index += 1;
    }
    wanted
}

fn rust_files(directory: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

/// What the `include…!` macros in `source` (a file of the package in
/// `package_directory`, both absolute) read, relative to the repository: a file, or
/// the directory a `concat!` prefix names.
fn included_paths(source: &Path, package_directory: &Path) -> Vec<PathBuf> {
    let is_identifier = |character: char| character.is_ascii_alphanumeric() || character == '_';
    let text = std::fs::read_to_string(source).unwrap();
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut position = 0;
    while let Some(offset) = code[position..].find("include") {
        let start = position + offset;
        let name_end = code[start..]
            .find(|character: char| !is_identifier(character))
            .map_or(code.len(), |length| start + length);
        position = name_end;
        let after = code[name_end..].trim_start();
        if code[..start].ends_with(is_identifier) || !after.starts_with('!') {
            continue;
        }
        let argument = macro_argument(&after[1..]);
        if argument.contains("OUT_DIR") {
            continue; // made by a build script, not a source file
        }
        let (from_package, path) = literal_path(argument);
        let base = if from_package { package_directory } else { source.parent().unwrap() };
        let resolved = in_repository(&base.join(path.trim_start_matches('/')));
        assert!(
            repository().join(&resolved).exists(),
            "{} includes {}, which does not exist",
            source.display(),
            resolved.display()
        );
        found.push(resolved);
    }
    found
}

/// The text between the parentheses after `!`.
fn macro_argument(after_name: &str) -> &str {
    let open = after_name.find('(').unwrap_or(0);
    let mut depth = 0;
    for (index, character) in after_name[open..].char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &after_name[open + 1..open + index];
                }
            }
            _ => {}
        }
    }
    panic!("an unclosed include macro: {after_name}")
}

/// The path a macro argument names: its string literals joined up to the first
/// macro variable (`concat!("dir/", $file)` names `dir/`), and whether it is relative
/// to the package (`env!("CARGO_MANIFEST_DIR")`, `$CARGO_MANIFEST_DIR`) rather than
/// to the file.
fn literal_path(argument: &str) -> (bool, String) {
    let mut path = String::new();
    let mut from_package = false;
    let mut characters = argument.chars();
    while let Some(character) = characters.next() {
        match character {
            '"' => {
                let literal: String = characters.by_ref().take_while(|&c| c != '"').collect();
                if literal == "CARGO_MANIFEST_DIR" {
                    from_package = true;
                } else if let Some(inside) = literal.strip_prefix("$CARGO_MANIFEST_DIR") {
                    from_package = true;
                    path.push_str(inside);
                } else {
                    path.push_str(&literal);
                }
            }
            '$' => break,
            _ => {}
        }
    }
    assert!(!path.is_empty(), "cannot tell what `{argument}` includes");
    (from_package, path)
}

/// Every path the image build reads, relative to the repository.
fn build_inputs() -> BTreeSet<PathBuf> {
    let packages = workspace();
    let mut inputs: BTreeSet<PathBuf> =
        ["Cargo.toml", "Cargo.lock"].into_iter().map(PathBuf::from).collect();
    for package in built_for_the_image(&packages) {
        inputs.insert(package.directory.join("Cargo.toml"));
        let source_directory = package.directory.join("src");
        for (kind, file) in &package.targets {
            if matches!(kind.as_str(), "lib" | "bin" | "proc-macro" | "custom-build") {
                inputs.insert(if file.starts_with(&source_directory) {
                    source_directory.clone()
                } else {
                    file.clone()
                });
            }
        }
        let mut sources = Vec::new();
        rust_files(&repository().join(&source_directory), &mut sources);
        for source in sources {
            inputs.extend(included_paths(&source, &repository().join(&package.directory)));
        }
    }
    inputs
}

/// One `COPY` of the builder stage: where each source lands in the image, as
/// `(source relative to the context, absolute path in the image)`.
#[derive(Debug, Clone)]
struct CopyInstruction {
    lands: Vec<(PathBuf, PathBuf)>,
}

/// The builder stage, as instructions with line continuations joined.
fn builder_stage() -> Vec<String> {
    let text = std::fs::read_to_string(repository().join("deploy/Dockerfile")).unwrap();
    let mut instructions: Vec<String> = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                pending.push_str(part);
                pending.push(' ');
            }
            None => {
                pending.push_str(trimmed);
                instructions.push(std::mem::take(&mut pending));
            }
        }
    }
    let start = instructions
        .iter()
        .position(|instruction| {
            instruction.starts_with("FROM ") && instruction.to_lowercase().ends_with(" as builder")
        })
        .expect("a stage named builder");
    instructions[start + 1..]
        .iter()
        .take_while(|instruction| !instruction.starts_with("FROM "))
        .cloned()
        .collect()
}

/// The builder stage seen from its `cargo build` runs: the first builds the
/// dependency layer, the last the real thing.
#[derive(Debug)]
struct Stage {
    /// Where `cargo build` runs.
    workdir: PathBuf,
    /// The `COPY`s before the first build.
    dependency_layer_copies: Vec<CopyInstruction>,
    /// The `RUN`s up to the first build, which make the stand-ins.
    dependency_layer_runs: String,
    /// The `COPY`s before the last build.
    build_copies: Vec<CopyInstruction>,
}

fn stage() -> Stage {
    let instructions = builder_stage();
    let builds: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, instruction)| {
            instruction.starts_with("RUN ") && instruction.contains("cargo build")
        })
        .map(|(index, _)| index)
        .collect();
    let (Some(&first), Some(&last)) = (builds.first(), builds.last()) else {
        panic!("the builder stage runs no cargo build");
    };
    let mut stage = Stage {
        workdir: PathBuf::from("/"),
        dependency_layer_copies: Vec::new(),
        dependency_layer_runs: String::new(),
        build_copies: Vec::new(),
    };
    for (index, instruction) in instructions.iter().enumerate().take(last) {
        if let Some(directory) = instruction.strip_prefix("WORKDIR ") {
            stage.workdir = stage.workdir.join(directory.trim());
        } else if let Some(arguments) = instruction.strip_prefix("COPY ") {
            let copy = copy(arguments, &stage.workdir);
            if index < first {
                stage.dependency_layer_copies.push(copy.clone());
            }
            stage.build_copies.push(copy);
        } else if index <= first && instruction.starts_with("RUN ") {
            stage.dependency_layer_runs.push_str(instruction);
            stage.dependency_layer_runs.push('\n');
        }
    }
    stage
}

/// Where `COPY <arguments>` puts each source, by Docker's rules: a directory's
/// contents go into the destination; a file goes into it when it ends in `/` or
/// several sources are copied, and becomes it otherwise.
fn copy(arguments: &str, workdir: &Path) -> CopyInstruction {
    assert!(
        !arguments.contains("--from"),
        "a COPY --from in the builder stage copies nothing from the context"
    );
    let words: Vec<String> = if arguments.trim_start().starts_with('[') {
        serde_json::from_str(arguments).unwrap()
    } else {
        arguments
            .split_whitespace()
            .filter(|word| !word.starts_with("--"))
            .map(str::to_owned)
            .collect()
    };
    let (destination, sources) = words.split_last().expect("COPY names its paths");
    let destination_path = workdir.join(destination);
    let into_directory = destination.ends_with('/') || sources.len() > 1;
    let lands = sources
        .iter()
        .map(|source| {
            let source = normalise(Path::new(source));
            let landing = if repository().join(&source).is_dir() || !into_directory {
                destination_path.clone()
            } else {
                destination_path.join(source.file_name().unwrap())
            };
            (source, normalise(&landing))
        })
        .collect();
    CopyInstruction { lands }
}

/// Whether `path` is copied by one of `copies` to where the build in `workdir` reads
/// it: the same relative path under the working directory.
fn copied(path: &Path, copies: &[CopyInstruction], workdir: &Path) -> bool {
    copies.iter().flat_map(|copy| &copy.lands).any(|(source, landing)| {
        path.starts_with(source) && landing == &normalise(&workdir.join(source))
    })
}

#[test]
fn the_builder_stage_copies_every_path_the_build_reads() {
    let stage = stage();
    let workdir = &stage.workdir;
    let missing: Vec<String> = build_inputs()
        .into_iter()
        .filter(|input| !copied(input, &stage.build_copies, workdir))
        .map(|input| input.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "deploy/Dockerfile's builder stage does not COPY these into place before its last \
         `cargo build`, which reads them: {missing:?}"
    );
}

#[test]
fn the_build_inputs_found_include_the_migrations_and_the_content_catalogue() {
    let inputs = build_inputs();
    for expected in [
        "Cargo.lock",
        "crates/server/src",
        "migrations/Cargo.toml",
        "migrations/src",
        "content/seed",
        "crates/domain/src/identity/common_passwords.txt",
    ] {
        assert!(inputs.contains(Path::new(expected)), "{expected} missing from {inputs:?}");
    }
    assert!(
        !inputs.iter().any(|input| input.starts_with("tests")),
        "the test crate is not part of the image build: {inputs:?}"
    );
}

#[test]
fn the_dependency_layer_stands_in_for_every_workspace_target() {
    let stage = stage();
    let workdir = &stage.workdir;
    for package in workspace() {
        let manifest = package.directory.join("Cargo.toml");
        assert!(
            copied(&manifest, &stage.dependency_layer_copies, workdir),
            "the dependency layer does not COPY {} (Cargo cannot load the workspace without it)",
            manifest.display()
        );
        for (kind, file) in &package.targets {
            // Tests under `tests/` are discovered, so Cargo does not miss them; every
            // other target is named by its manifest or is the package's own code.
            let discovered_test =
                kind == "test" && file.starts_with(package.directory.join("tests"));
            if kind == "bench" || kind == "example" || discovered_test {
                continue;
            }
            let stood_in = stage.dependency_layer_runs.contains(&file.display().to_string())
                || copied(file, &stage.dependency_layer_copies, workdir);
            assert!(
                stood_in,
                "the dependency layer has no stand-in for {} ({kind} of {})",
                file.display(),
                package.name
            );
        }
    }
}

#[test]
fn copies_land_where_docker_puts_them() {
    let workdir = Path::new("/app");
    let both = copy("Cargo.toml Cargo.lock ./", workdir);
    assert_eq!(both.lands[0].1, Path::new("/app/Cargo.toml"));
    let directory = copy("crates ./crates", workdir);
    assert!(copied(Path::new("crates/server/src"), &[directory], workdir));
    // Two directories into one destination merge their contents: nothing is where the
    // build expects it.
    let merged = copy("crates content ./", workdir);
    assert!(!copied(Path::new("content/seed"), &[merged], workdir));
    let elsewhere = copy("content /content", workdir);
    assert!(!copied(Path::new("content/seed"), &[elsewhere], workdir));
}
