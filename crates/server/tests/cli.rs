//! The `waymark` command as an operator meets it: bad settings are one line and exit
//! status 2, help documents every setting, and the subcommands do what they say.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn waymark(arguments: &[&str], environment: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
    command.args(arguments).env_remove("DATABASE_URL");
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_bad_setting(output: &Output, mentions: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(output));
    let stderr = stderr_of(output);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line only: {stderr}");
    for mention in mentions {
        assert!(stderr.contains(mention), "`{mention}` missing from: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_bad_flag_value_is_one_line_and_exit_2() {
    assert_bad_setting(&waymark(&["--bind", "nowhere"], &[]), &["--bind", "WAYMARK_BIND"]);
}

#[test]
fn a_bad_environment_value_is_one_line_and_exit_2() {
    assert_bad_setting(
        &waymark(&[], &[("WAYMARK_REQUEST_TIMEOUT", "soon")]),
        &["--request-timeout", "WAYMARK_REQUEST_TIMEOUT"],
    );
    assert_bad_setting(
        &waymark(&[], &[("DATABASE_URL", "mysql://db/waymark")]),
        &["--database-url", "DATABASE_URL"],
    );
}

#[test]
fn inconsistent_settings_are_one_line_and_exit_2() {
    assert_bad_setting(
        &waymark(&["--db-min-connections", "20", "--db-max-connections", "5"], &[]),
        &["--db-min-connections"],
    );
    assert_bad_setting(&waymark(&["--log", "waymark=[nonsense"], &[]), &["--log", "WAYMARK_LOG"]);
    assert_bad_setting(
        &waymark(&["--cors-origins", "https://ok.example.org,not an origin"], &[]),
        &["--cors-origins"],
    );
}

#[test]
fn an_unknown_subcommand_is_exit_2() {
    assert_bad_setting(&waymark(&["frobnicate"], &[]), &["frobnicate"]);
}

fn help_of(arguments: &[&str]) -> String {
    let output = waymark(arguments, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_documents_every_setting_and_its_environment_variable() {
    let help = help_of(&["--help"]);
    let variables: Vec<String> = waymark::cli::every_option()
        .iter()
        .filter_map(|option| option.get_env())
        .map(|variable| variable.to_string_lossy().into_owned())
        .collect();
    // The derived list holds the settings this test has always named, and the new ones.
    for expected in [
        "WAYMARK_BIND",
        "DATABASE_URL",
        "WAYMARK_DB_MAX_CONNECTIONS",
        "WAYMARK_LOG",
        "WAYMARK_PUBLIC_URL",
        "WAYMARK_HOUSEKEEPING_INTERVAL",
        "WAYMARK_METRICS_TOKEN",
        "WAYMARK_METRICS_BIND",
    ] {
        assert!(variables.iter().any(|variable| variable == expected), "{expected}");
    }
    // `waymark` alone serves, and the server takes every setting there is.
    let serve_help = help_of(&["serve", "--help"]);
    for variable in &variables {
        assert!(help.contains(variable.as_str()), "--help does not mention {variable}");
        assert!(serve_help.contains(variable.as_str()), "serve --help does not mention {variable}");
    }
    for command in ["serve", "migrate", "openapi", "content", "admin"] {
        assert!(help.contains(command), "--help does not mention {command}");
    }
}

#[test]
fn each_subcommand_help_lists_only_the_settings_it_uses() {
    let serve_only = [
        "--bind",
        "--rate-limit-per-minute",
        "--public-url",
        "--metrics-token",
        "--request-timeout",
    ];
    let pool = ["--db-max-connections", "--db-statement-timeout"];
    let cases: [(&[&str], &[&str], &[&str]); 8] = [
        (
            &["admin", "create-user", "--help"],
            &["--database-url", "--db-max-connections", "--log", "--email"],
            &serve_only,
        ),
        (
            &["admin", "create-client", "--help"],
            &["--database-url", "--log-format", "--scopes"],
            &serve_only,
        ),
        (&["migrate", "--help"], &["--database-url", "--db-connect-timeout", "--log"], &pool),
        (&["migrate", "down", "--help"], &["--database-url", "--steps"], &pool),
        (&["migrate", "status", "--help"], &["--database-url", "--log"], &serve_only),
        (&["content", "seed", "--help"], &["--database-url", "--no-migrate", "--log"], &serve_only),
        (&["content", "import", "--help"], &["--database-url", "--no-migrate"], &serve_only),
        (&["openapi", "--help"], &["--help"], &["--database-url", "--log", "--bind"]),
    ];
    for (arguments, listed, absent) in cases {
        let help = help_of(arguments);
        for flag in listed {
            assert!(help.contains(flag), "{arguments:?} does not list {flag}:\n{help}");
        }
        for flag in absent {
            assert!(!help.contains(flag), "{arguments:?} lists {flag}, which it ignores:\n{help}");
        }
    }
    for flag in serve_only.iter().chain(&pool) {
        assert!(help_of(&["serve", "--help"]).contains(flag), "serve --help lacks {flag}");
    }
}

#[test]
fn a_setting_before_a_subcommand_is_refused_rather_than_ignored() {
    assert_bad_setting(
        &waymark(&["--log", "warn", "migrate", "status"], &[]),
        &["migrate", "--log", "after the subcommand"],
    );
    let unknown = waymark(
        &["admin", "create-user", "--email", "a@example.org", "--bind", "127.0.0.1:9"],
        &[],
    );
    assert_bad_setting(&unknown, &["--bind"]);
    assert!(
        !stderr_of(&unknown).contains("WAYMARK_BIND"),
        "a setting the command does not take is not settable for it: {}",
        stderr_of(&unknown)
    );
}

#[test]
fn openapi_prints_the_committed_contract() {
    let output = waymark(&["openapi"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let committed = include_str!("../../../openapi/v1.json");
    assert_eq!(String::from_utf8_lossy(&output.stdout), committed);
}

#[test]
fn migrate_up_status_and_down_work_on_a_fresh_sqlite_file() {
    let directory = std::env::temp_dir().join(format!("waymark-cli-{}", uuid::Uuid::now_v7()));
    let file: PathBuf = directory.join("nested/waymark.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let environment = [("DATABASE_URL", url.as_str()), ("WAYMARK_LOG", "warn")];

    let status = waymark(&["migrate", "status"], &environment);
    assert_eq!(status.status.code(), Some(0), "{}", stderr_of(&status));
    assert!(String::from_utf8_lossy(&status.stdout).starts_with("pending"));
    assert!(file.exists(), "the data directory is created");

    let up = waymark(&["migrate", "up"], &environment);
    assert_eq!(up.status.code(), Some(0), "{}", stderr_of(&up));
    let status = waymark(&["migrate", "status"], &environment);
    assert!(
        String::from_utf8_lossy(&status.stdout).lines().all(|line| line.starts_with("applied"))
    );

    let down = waymark(&["migrate", "down", "--steps", "1"], &environment);
    assert_eq!(down.status.code(), Some(0), "{}", stderr_of(&down));
    let status = waymark(&["migrate", "status"], &environment);
    assert!(
        String::from_utf8_lossy(&status.stdout)
            .lines()
            .last()
            .is_some_and(|line| line.starts_with("pending"))
    );

    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn migrate_against_an_unreachable_database_is_one_line_and_exit_1() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("postgres://postgres@{unused}/waymark?sslmode=disable");
    let output = waymark(
        &["migrate", "up", "--db-connect-timeout", "500ms", "--db-acquire-timeout", "1s"],
        &[("DATABASE_URL", url.as_str()), ("WAYMARK_LOG", "off")],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"));
}

fn waymark_with_stdin(arguments: &[&str], environment: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
    command
        .args(arguments)
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (name, value) in environment {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("writes");
    child.wait_with_output().expect("finishes")
}

#[test]
fn admin_creates_users_from_a_password_on_stdin_and_clients_with_a_one_time_secret() {
    let directory =
        std::env::temp_dir().join(format!("waymark-cli-admin-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}/waymark.db?mode=rwc", directory.display());
    let environment = [("DATABASE_URL", url.as_str()), ("WAYMARK_LOG", "warn")];
    assert_eq!(waymark(&["migrate", "up"], &environment).status.code(), Some(0));

    let created = waymark_with_stdin(
        &["admin", "create-user", "--email", "Editor@Example.org", "--role", "editor"],
        &environment,
        "a long and private passphrase\n",
    );
    assert_eq!(created.status.code(), Some(0), "{}", stderr_of(&created));
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(stdout.contains("created account") && stdout.contains("role editor"), "{stdout}");
    assert!(!stdout.contains("passphrase"));

    let duplicate = waymark_with_stdin(
        &["admin", "create-user", "--email", "editor@example.org"],
        &environment,
        "a long and private passphrase\n",
    );
    assert_eq!(duplicate.status.code(), Some(1));
    assert_eq!(stderr_of(&duplicate).trim_end().lines().count(), 1);

    let weak = waymark_with_stdin(
        &["admin", "create-user", "--email", "weak@example.org"],
        &environment,
        "password\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr_of(&weak).contains("password"), "{}", stderr_of(&weak));

    let bad_role = waymark(
        &["admin", "create-user", "--email", "x@example.org", "--role", "root"],
        &environment,
    );
    assert_bad_setting(&bad_role, &["--role"]);

    let client = waymark(
        &["admin", "create-client", "--name", "Partner", "--scopes", "goals:read,routines:read"],
        &environment,
    );
    assert_eq!(client.status.code(), Some(0), "{}", stderr_of(&client));
    let stdout = String::from_utf8_lossy(&client.stdout);
    assert!(stdout.contains("client_id: ") && stdout.contains("client_secret: wms_"), "{stdout}");

    let admin_scope = waymark(
        &["admin", "create-client", "--name", "Partner", "--scopes", "admin"],
        &environment,
    );
    assert_eq!(admin_scope.status.code(), Some(1), "clients may not hold the admin scope");

    let public = waymark(
        &[
            "admin",
            "create-client",
            "--name",
            "App",
            "--scopes",
            "goals:read",
            "--kind",
            "public",
            "--redirect-uri",
            "org.example.app:/callback",
        ],
        &environment,
    );
    assert_eq!(public.status.code(), Some(0), "{}", stderr_of(&public));
    let stdout = String::from_utf8_lossy(&public.stdout);
    assert!(stdout.contains("client_id: ") && !stdout.contains("client_secret"), "{stdout}");
    let no_redirect = waymark(
        &[
            "admin",
            "create-client",
            "--name",
            "App",
            "--scopes",
            "goals:read",
            "--kind",
            "public",
            "--redirect-uri",
            "http://app.example.org/cb",
        ],
        &environment,
    );
    assert_eq!(no_redirect.status.code(), Some(1));
    assert!(stderr_of(&no_redirect).contains("--redirect-uri"), "{}", stderr_of(&no_redirect));

    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn content_seed_is_idempotent_and_import_reports_every_problem_with_file_and_line() {
    let directory = std::env::temp_dir().join(format!("waymark-cli-{}", uuid::Uuid::now_v7()));
    let url = format!("sqlite://{}/waymark.db?mode=rwc", directory.display());
    let environment = [("DATABASE_URL", url.as_str()), ("WAYMARK_LOG", "warn")];

    let first = waymark(&["content", "seed"], &environment);
    assert_eq!(first.status.code(), Some(0), "{}", stderr_of(&first));
    let report = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(report.contains("31 created, 0 updated, 0 unchanged"), "{report}");
    let again = waymark(&["content", "seed"], &environment);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 created, 0 updated, 31 unchanged"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let exported = directory.join("export");
    let export = waymark(&["content", "export", exported.to_str().unwrap()], &environment);
    assert_eq!(export.status.code(), Some(0), "{}", stderr_of(&export));
    assert!(exported.join("en-GB/in-a-crisis.md").exists());
    let reimport = waymark(&["content", "import", exported.to_str().unwrap()], &environment);
    assert!(
        String::from_utf8_lossy(&reimport.stdout).contains("0 created, 0 updated, 31 unchanged"),
        "{}",
        stderr_of(&reimport)
    );

    let broken = directory.join("broken");
    std::fs::create_dir_all(broken.join("en-GB")).unwrap();
    std::fs::write(
        broken.join("en-GB/bad-one.md"),
        "---\nslug: bad-one\ntitle: \"\"\ntopics: [hope, cats]\nstatus: live\n---\nBody.\n",
    )
    .unwrap();
    std::fs::write(broken.join("en-GB/no-front-matter.md"), "Just text.\n").unwrap();
    std::fs::write(
        broken.join("services.yaml"),
        "services:\n  - slug: x\n    name: X\n    kind: pub\n",
    )
    .unwrap();
    let refused = waymark(&["content", "import", broken.to_str().unwrap()], &environment);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = stderr_of(&refused);
    for expected in [
        "en-GB/bad-one.md:3: title",
        "en-GB/bad-one.md:4: topics",
        "en-GB/bad-one.md:5: status",
        "en-GB/no-front-matter.md:1:",
        "services.yaml:4:",
        "nothing was imported",
    ] {
        assert!(stderr.contains(expected), "`{expected}` missing from:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(directory);
}

/// `waymark` serving from a scratch directory (so its SQLite file and key land there),
/// killed when dropped.
struct Serving {
    child: std::process::Child,
    directory: PathBuf,
    port: u16,
}

impl Serving {
    /// Starts `waymark` with `arguments` and no other setting, and waits until it answers.
    async fn start(arguments: &[&str], port: u16) -> Self {
        let directory = std::env::temp_dir().join(format!("waymark-cli-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&directory).unwrap();
        let log = std::fs::File::create(directory.join("server.log")).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
        command
            .args(arguments)
            .current_dir(&directory)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("WAYMARK_") || name == "DATABASE_URL" {
                command.env_remove(name);
            }
        }
        let mut serving =
            Self { child: command.spawn().expect("the binary runs"), directory, port };
        let live = format!("http://127.0.0.1:{port}/health/live");
        for _ in 0..200 {
            if reqwest::get(&live).await.is_ok_and(|response| response.status().is_success()) {
                return serving;
            }
            if let Ok(Some(status)) = serving.child.try_wait() {
                panic!("waymark exited with {status}: {}", serving.log());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("waymark did not answer: {}", serving.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.directory.join("server.log")).unwrap_or_default()
    }

    async fn discovery(&self) -> serde_json::Value {
        let url = format!("http://127.0.0.1:{}/.well-known/oauth-authorization-server", self.port);
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap()
}

#[tokio::test]
async fn changing_only_bind_moves_the_advertised_endpoints_and_issuer_with_it() {
    let port = free_port();
    let serving = Serving::start(&["serve", "--bind", &format!("127.0.0.1:{port}")], port).await;
    let metadata = serving.discovery().await;
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(metadata["issuer"], base.as_str(), "{metadata}");
    assert_eq!(metadata["token_endpoint"], format!("{base}/v1/auth/token"));
    assert!(!serving.log().contains("WAYMARK_PUBLIC_URL"), "no warning: {}", serving.log());
}

#[tokio::test]
async fn an_unspecified_bind_advertises_loopback_and_warns_to_set_the_public_url() {
    let port = free_port();
    let serving = Serving::start(&["--bind", &format!("0.0.0.0:{port}")], port).await;
    let metadata = serving.discovery().await;
    assert_eq!(metadata["issuer"], format!("http://127.0.0.1:{port}"), "{metadata}");
    let log = serving.log();
    assert!(
        log.lines().any(|line| line.contains("WARN") && line.contains("WAYMARK_PUBLIC_URL")),
        "{log}"
    );
}

#[test]
fn help_says_where_the_public_url_comes_from_when_unset() {
    let help = help_of(&["serve", "--help"]);
    let public_url = help
        .split("--public-url")
        .nth(1)
        .and_then(|rest| rest.split("\n      --").next())
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        public_url.contains("When unset: `http://` and the address --bind listens on"),
        "{public_url}"
    );
    assert!(public_url.contains("0.0.0.0"), "{public_url}");
}

#[test]
fn env_example_lists_every_setting_with_its_default_commented_out() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.env.example");
    let text = std::fs::read_to_string(&path).expect(".env.example exists");
    let mut listed = std::collections::BTreeMap::new();
    for line in text.lines() {
        let Some((name, value)) = line.trim_start_matches('#').trim().split_once('=') else {
            continue;
        };
        if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !name.is_empty() {
            assert!(
                line.starts_with("# "),
                "`{line}` must stay commented out, so a copy changes nothing"
            );
            assert!(
                listed.insert(name.to_owned(), value.to_owned()).is_none(),
                "{name} is listed twice"
            );
        }
    }
    let mut known = Vec::new();
    for option in waymark::cli::every_option() {
        let Some(variable) = option.get_env() else {
            continue;
        };
        let variable = variable.to_string_lossy().into_owned();
        let default = option
            .get_default_values()
            .iter()
            .map(|value| value.to_string_lossy())
            .collect::<Vec<_>>()
            .join(",");
        match listed.get(&variable) {
            Some(value) => assert_eq!(
                value, &default,
                ".env.example gives {variable} the default `{value}`; the command line says `{default}`"
            ),
            None => panic!(".env.example does not list {variable} (default `{default}`)"),
        }
        known.push(variable);
    }
    for name in listed.keys() {
        assert!(known.contains(name), ".env.example lists {name}, which no setting reads");
    }
}
