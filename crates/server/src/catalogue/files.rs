//! Reading catalogue files into checked entries, with file and line for every problem.

use std::path::Path;

use waymark_domain::contacts::ChannelDraft;
use waymark_domain::content::draft::ArticleDraft;
use waymark_domain::content::service::ServiceDetails;
use waymark_domain::content::service_draft::{HoursDraft, PeriodDraft, ServiceDraft};
use waymark_domain::content::{ArticleStatus, ArticleText, Slug};
use waymark_domain::identity::Locale;
use waymark_domain::validation::Problem;
use yaml_rust2::{Yaml, YamlLoader};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file, relative to the catalogue.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A checked article from a file.
#[derive(Debug, Clone)]
pub struct ArticleEntry {
    /// Its file.
    pub file: String,
    /// Its locale.
    pub locale: Locale,
    /// Its slug.
    pub slug: Slug,
    /// Its text.
    pub text: ArticleText,
    /// The status it should have.
    pub status: ArticleStatus,
}

/// A checked service from `services.yaml`.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    /// Its slug.
    pub slug: Slug,
    /// Its details.
    pub details: ServiceDetails,
    /// The status it should have.
    pub status: ArticleStatus,
}

/// A whole checked catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The articles and stories.
    pub articles: Vec<ArticleEntry>,
    /// The services.
    pub services: Vec<ServiceEntry>,
}

/// Reads every `*.md` below `directory` and its `services.yaml`.
///
/// # Errors
/// Every problem found, or one naming a file that cannot be read.
pub fn read_dir(directory: &Path) -> Result<Catalogue, Vec<FileProblem>> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    let unreadable = |path: &Path, error: std::io::Error| {
        vec![FileProblem {
            file: path.display().to_string(),
            line: 0,
            message: format!("cannot be read: {error}"),
        }]
    };
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|error| unreadable(&folder, error))?;
        for entry in entries {
            let path = entry.map_err(|error| unreadable(&folder, error))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|extension| extension == "md")
                || path.file_name().is_some_and(|name| name == "services.yaml")
            {
                let text =
                    std::fs::read_to_string(&path).map_err(|error| unreadable(&path, error))?;
                let relative = path.strip_prefix(directory).unwrap_or(&path).display().to_string();
                files.push((relative, text));
            }
        }
    }
    files.sort();
    read(&files)
}

/// Reads catalogue files given as `(relative path, text)`.
///
/// # Errors
/// Every problem found in every file.
pub fn read(files: &[(String, String)]) -> Result<Catalogue, Vec<FileProblem>> {
    let mut catalogue = Catalogue::default();
    let mut problems = Vec::new();
    for (file, text) in files {
        if file.ends_with("services.yaml") {
            match services(file, text) {
                Ok(mut entries) => catalogue.services.append(&mut entries),
                Err(mut found) => problems.append(&mut found),
            }
        } else {
            match article(file, text) {
                Ok(entry) => catalogue.articles.push(entry),
                Err(mut found) => problems.append(&mut found),
            }
        }
    }
    for (index, entry) in catalogue.articles.iter().enumerate() {
        if catalogue.articles[..index]
            .iter()
            .any(|earlier| earlier.locale == entry.locale && earlier.slug == entry.slug)
        {
            problems.push(FileProblem {
                file: entry.file.clone(),
                line: 1,
                message: format!(
                    "another file has the slug {} in {}",
                    entry.slug.as_str(),
                    entry.locale.as_str()
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(catalogue)
    } else {
        problems.sort_by(|left, right| {
            (left.file.as_str(), left.line).cmp(&(right.file.as_str(), right.line))
        });
        Err(problems)
    }
}

/// The line (from 1) of `key:` at the start of a line in `lines`, searching from
/// `from`; `fallback` when absent.
fn line_of(lines: &[&str], key: &str, from: usize, fallback: usize) -> usize {
    lines
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, line)| {
            let trimmed = line.trim_start().trim_start_matches("- ");
            trimmed.starts_with(&format!("{key}:"))
        })
        .map_or(fallback, |(index, _)| index + 1)
}

/// The key a JSON pointer names at its top, such as `topics` for `/topics/2`.
fn top_key(pointer: &str) -> &str {
    pointer.trim_start_matches('/').split('/').next().unwrap_or_default()
}

fn text_field(map: &Yaml, key: &str) -> Option<String> {
    match &map[key] {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Integer(number) => Some(number.to_string()),
        Yaml::Real(number) => Some(number.clone()),
        Yaml::Boolean(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn list_field(map: &Yaml, key: &str) -> Vec<String> {
    map[key]
        .as_vec()
        .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn date_field(
    map: &Yaml,
    key: &str,
    problems: &mut Vec<(String, String)>,
) -> Option<chrono::NaiveDate> {
    let text = text_field(map, key)?;
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| {
            problems.push((key.to_owned(), "must be a date such as 2027-01-31".to_owned()))
        })
        .ok()
}

fn status_field(map: &Yaml, problems: &mut Vec<(String, String)>) -> ArticleStatus {
    text_field(map, "status")
        .unwrap_or_else(|| "draft".to_owned())
        .parse::<ArticleStatus>()
        .map_err(|error| problems.push(("status".to_owned(), error.to_string())))
        .unwrap_or(ArticleStatus::Draft)
}

/// One article file: front matter between `---` lines, then the body.
fn article(file: &str, text: &str) -> Result<ArticleEntry, Vec<FileProblem>> {
    let problem =
        |line: usize, message: String| FileProblem { file: file.to_owned(), line, message };
    let normalised = text.replace("\r\n", "\n");
    let Some(rest) = normalised.strip_prefix("---\n") else {
        return Err(vec![problem(
            1,
            "must start with YAML front matter between --- lines".to_owned(),
        )]);
    };
    let Some((front, body)) =
        rest.split_once("\n---\n").or_else(|| rest.strip_suffix("\n---").map(|front| (front, "")))
    else {
        return Err(vec![problem(1, "the front matter has no closing --- line".to_owned())]);
    };
    let front_lines: Vec<&str> = std::iter::once("---").chain(front.lines()).collect();
    let body_line = front_lines.len() + 2;
    let documents = YamlLoader::load_from_str(front).map_err(|error| {
        vec![problem(error.marker().line() + 1, format!("the front matter is not YAML: {error}"))]
    })?;
    let map = documents.into_iter().next().unwrap_or(Yaml::Null);
    if map.as_hash().is_none() {
        return Err(vec![problem(
            2,
            "the front matter must be a mapping of keys to values".to_owned(),
        )]);
    }
    let mut field_problems = Vec::new();
    let draft = ArticleDraft {
        locale: text_field(&map, "locale"),
        slug: text_field(&map, "slug").unwrap_or_default(),
        kind: text_field(&map, "kind"),
        title: text_field(&map, "title").unwrap_or_default(),
        summary: text_field(&map, "summary"),
        body_markdown: body.to_owned(),
        topics: list_field(&map, "topics"),
        content_notes: text_field(&map, "content_notes"),
        author_name: text_field(&map, "author_name"),
        source: text_field(&map, "source"),
        licence: text_field(&map, "licence"),
        last_reviewed: date_field(&map, "last_reviewed", &mut field_problems),
        next_review: date_field(&map, "next_review", &mut field_problems),
    };
    let status = status_field(&map, &mut field_problems);
    let known = [
        "slug",
        "locale",
        "kind",
        "title",
        "summary",
        "topics",
        "content_notes",
        "author_name",
        "source",
        "licence",
        "status",
        "last_reviewed",
        "next_review",
    ];
    if let Some(hash) = map.as_hash() {
        for key in hash.keys().filter_map(Yaml::as_str) {
            if !known.contains(&key) {
                field_problems
                    .push((key.to_owned(), format!("`{key}` is not a field of an article")));
            }
        }
    }
    let stem = Path::new(file).file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
    if !draft.slug.is_empty() && draft.slug != stem {
        field_problems.push(("slug".to_owned(), format!("must match the file name ({stem})")));
    }
    let checked = draft.check();
    let mut problems: Vec<FileProblem> = field_problems
        .into_iter()
        .map(|(key, message)| {
            problem(line_of(&front_lines, &key, 0, 1), format!("{key}: {message}"))
        })
        .collect();
    match checked {
        Ok(checked) if problems.is_empty() => Ok(ArticleEntry {
            file: file.to_owned(),
            locale: checked.locale,
            slug: checked.slug,
            text: checked.text,
            status,
        }),
        Ok(_) => Err(problems),
        Err(found) => {
            problems.extend(found.into_iter().map(|Problem { pointer, message, .. }| {
                let key = top_key(&pointer);
                let line = if key == "body_markdown" {
                    body_line
                } else {
                    line_of(&front_lines, key, 0, 1)
                };
                let field = if key == "body_markdown" { "body" } else { key };
                problem(line, format!("{field}: {message}"))
            }));
            problems.sort_by_key(|found| found.line);
            Err(problems)
        }
    }
}

fn services(file: &str, text: &str) -> Result<Vec<ServiceEntry>, Vec<FileProblem>> {
    let problem =
        |line: usize, message: String| FileProblem { file: file.to_owned(), line, message };
    let documents = YamlLoader::load_from_str(text)
        .map_err(|error| vec![problem(error.marker().line() + 1, format!("not YAML: {error}"))])?;
    let root = documents.into_iter().next().unwrap_or(Yaml::Null);
    let Some(items) = root["services"].as_vec() else {
        return Err(vec![problem(1, "must have a top-level `services:` list".to_owned())]);
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut search_from = 0;
    for (index, item) in items.iter().enumerate() {
        let slug = text_field(item, "slug").unwrap_or_default();
        let start = lines
            .iter()
            .enumerate()
            .skip(search_from)
            .find(|(_, line)| line.trim_start().starts_with("- "))
            .map_or(1, |(line, _)| line + 1);
        search_from = start;
        let mut field_problems = Vec::new();
        let draft = service_draft(item, &mut field_problems);
        let status = status_field(item, &mut field_problems);
        let located = |key: &str| line_of(&lines, key, start - 1, start);
        let mut found: Vec<FileProblem> = field_problems
            .into_iter()
            .map(|(key, message)| {
                problem(located(&key), format!("services[{index}] ({slug}) {key}: {message}"))
            })
            .collect();
        match draft.check() {
            Ok((slug, details)) if found.is_empty() => {
                entries.push(ServiceEntry { slug, details, status })
            }
            Ok(_) => {}
            Err(checked) => {
                found.extend(checked.into_iter().map(|Problem { pointer, message, .. }| {
                    problem(
                        located(top_key(&pointer)),
                        format!(
                            "services[{index}] ({slug}) {}: {message}",
                            pointer.trim_start_matches('/')
                        ),
                    )
                }))
            }
        }
        problems.append(&mut found);
    }
    for (index, entry) in entries.iter().enumerate() {
        if entries[..index].iter().any(|earlier| earlier.slug == entry.slug) {
            problems.push(problem(1, format!("the slug {} is used twice", entry.slug.as_str())));
        }
    }
    if problems.is_empty() { Ok(entries) } else { Err(problems) }
}

fn service_draft(item: &Yaml, problems: &mut Vec<(String, String)>) -> ServiceDraft {
    let channels = item["channels"]
        .as_vec()
        .map(|channels| {
            channels
                .iter()
                .map(|channel| ChannelDraft {
                    kind: text_field(channel, "type").unwrap_or_default(),
                    value: text_field(channel, "value").unwrap_or_default(),
                    label: text_field(channel, "label"),
                    preferred: channel["preferred"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    let opening_hours = match &item["opening_hours"] {
        Yaml::BadValue | Yaml::Null => None,
        hours => Some(HoursDraft {
            time_zone: text_field(hours, "time_zone").unwrap_or_default(),
            always_open: hours["always_open"].as_bool().unwrap_or(false),
            periods: hours["periods"]
                .as_vec()
                .map(|periods| {
                    periods
                        .iter()
                        .map(|period| PeriodDraft {
                            days: list_field(period, "days"),
                            opens: text_field(period, "opens").unwrap_or_default(),
                            closes: text_field(period, "closes").unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
    };
    let number = |value: &Yaml| value.as_f64().or_else(|| value.as_i64().map(|whole| whole as f64));
    let location = match &item["location"] {
        Yaml::BadValue | Yaml::Null => None,
        place => match (number(&place["lat"]), number(&place["lon"])) {
            (Some(lat), Some(lon)) => Some((lat, lon)),
            _ => {
                problems.push(("location".to_owned(), "must have numbers lat and lon".to_owned()));
                None
            }
        },
    };
    ServiceDraft {
        slug: text_field(item, "slug").unwrap_or_default(),
        name: text_field(item, "name").unwrap_or_default(),
        kind: text_field(item, "kind").unwrap_or_default(),
        description: text_field(item, "description"),
        channels,
        opening_hours,
        area: text_field(item, "area"),
        location,
        online_only: item["online_only"].as_bool().unwrap_or(false),
        cost: text_field(item, "cost"),
        languages: list_field(item, "languages"),
        eligibility: text_field(item, "eligibility"),
        last_verified: date_field(item, "last_verified", problems),
        crisis_line: item["crisis_line"].as_bool().unwrap_or(false),
        country: text_field(item, "country"),
    }
}
