//! Writing the catalogue as files, in the format `read` reads: importing an export
//! gives the same catalogue.

use std::path::Path;

use serde_json::Value;
use waymark_domain::content::ports::{ArticlePosition, ArticleQuery, ServiceQuery};
use waymark_domain::content::service::Service;
use waymark_domain::content::{Article, ArticleStatus};
use waymark_domain::ports::StoragePorts;
use waymark_domain::routines::schedule::weekday_name;

/// A YAML scalar for `text`: JSON strings are valid YAML, and quoting every string
/// keeps values such as `yes`, `1.0` or `: ` from being read as something else.
fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|item| quoted(item)).collect::<Vec<_>>().join(", "))
}

fn date(date: Option<chrono::NaiveDate>) -> String {
    date.map_or_else(|| "null".to_owned(), |date| date.format("%Y-%m-%d").to_string())
}

fn article_file(article: &Article) -> String {
    let text = &article.text;
    let topics: Vec<String> = text.topics.iter().map(|topic| topic.as_str().to_owned()).collect();
    format!(
        "---\nslug: {}\nlocale: {}\nkind: {}\ntitle: {}\nsummary: {}\ntopics: {}\ncontent_notes: {}\nauthor_name: {}\nsource: {}\nlicence: {}\nstatus: {}\nlast_reviewed: {}\nnext_review: {}\n---\n{}\n",
        quoted(article.slug.as_str()),
        quoted(article.locale.as_str()),
        text.kind.as_str(),
        quoted(text.title.as_str()),
        quoted(text.summary.as_str()),
        list(&topics),
        quoted(text.content_notes.as_str()),
        quoted(text.author_name.as_str()),
        quoted(text.source.as_str()),
        quoted(text.licence.as_str()),
        article.status.as_str(),
        date(text.last_reviewed),
        date(text.next_review),
        text.body_markdown.as_str(),
    )
}

fn service_entry(service: &Service) -> String {
    let details = &service.details;
    let mut lines = vec![
        format!("  - slug: {}", quoted(service.slug.as_str())),
        format!("    name: {}", quoted(details.name.as_str())),
        format!("    kind: {}", details.kind.as_str()),
        format!("    description: {}", quoted(details.description.as_str())),
        format!("    crisis_line: {}", details.crisis_line),
    ];
    if let Some(country) = &details.country {
        lines.push(format!("    country: {}", quoted(country)));
    }
    lines.push("    channels:".to_owned());
    if details.channels.is_empty() {
        lines.pop();
        lines.push("    channels: []".to_owned());
    }
    for channel in &details.channels {
        lines.push(format!(
            "      - {{type: {}, value: {}, label: {}, preferred: {}}}",
            channel.kind.as_str(),
            quoted(&channel.value),
            quoted(channel.label.as_str()),
            channel.preferred
        ));
    }
    if let Some(hours) = &details.opening_hours {
        let periods: Vec<String> = hours
            .periods
            .iter()
            .map(|period| {
                let days: Vec<String> =
                    period.days.iter().map(|day| weekday_name(*day).to_owned()).collect();
                format!(
                    "{{days: {}, opens: {}, closes: {}}}",
                    list(&days),
                    quoted(&period.opens.format("%H:%M").to_string()),
                    quoted(&period.closes.format("%H:%M").to_string())
                )
            })
            .collect();
        lines.push(format!(
            "    opening_hours: {{time_zone: {}, always_open: {}, periods: [{}]}}",
            quoted(hours.time_zone.name()),
            hours.always_open,
            periods.join(", ")
        ));
    }
    lines.push(format!("    area: {}", quoted(details.area.as_str())));
    if let Some(location) = details.location {
        lines.push(format!("    location: {{lat: {:?}, lon: {:?}}}", location.lat, location.lon));
    }
    let languages: Vec<String> =
        details.languages.iter().map(|language| language.as_str().to_owned()).collect();
    lines.push(format!("    online_only: {}", details.online_only));
    lines.push(format!("    cost: {}", details.cost.as_str()));
    lines.push(format!("    languages: {}", list(&languages)));
    lines.push(format!("    eligibility: {}", quoted(details.eligibility.as_str())));
    lines.push(format!("    last_verified: {}", date(details.last_verified)));
    lines.push(format!("    status: {}", service.status.as_str()));
    lines.join("\n")
}

/// Writes every article (`<locale>/<slug>.md`) and every service (`services.yaml`)
/// under `directory`; answers how many of each.
///
/// # Errors
/// A message naming what could not be read or written.
pub async fn export(ports: &StoragePorts, directory: &Path) -> Result<(usize, usize), String> {
    let mut after = None;
    let mut articles = 0;
    loop {
        let page = ports
            .articles
            .articles(ArticleQuery {
                statuses: ArticleStatus::ALL.to_vec(),
                locale: None,
                kind: None,
                topic: None,
                review_due_by: None,
                search: None,
                after: after.clone(),
                limit: 100,
            })
            .await
            .map_err(|error| format!("the catalogue could not be read: {error}"))?;
        for (article, _) in &page.articles {
            let folder = directory.join(article.locale.as_str());
            std::fs::create_dir_all(&folder)
                .map_err(|error| format!("{}: {error}", folder.display()))?;
            let file = folder.join(format!("{}.md", article.slug.as_str()));
            std::fs::write(&file, article_file(article))
                .map_err(|error| format!("{}: {error}", file.display()))?;
            articles += 1;
        }
        match page.articles.last() {
            Some((last, _)) if page.has_more => {
                after =
                    Some(ArticlePosition::Updated { updated_at: last.updated_at, id: last.id.0 });
            }
            _ => break,
        }
    }
    let services = ports
        .services
        .services(ServiceQuery {
            statuses: ArticleStatus::ALL.to_vec(),
            kind: None,
            text: None,
            crisis_only: false,
            within: None,
        })
        .await
        .map_err(|error| format!("the directory could not be read: {error}"))?;
    let mut yaml = String::from("services:\n");
    if services.is_empty() {
        yaml = "services: []\n".to_owned();
    }
    for service in &services {
        yaml.push_str(&service_entry(service));
        yaml.push('\n');
    }
    std::fs::create_dir_all(directory)
        .map_err(|error| format!("{}: {error}", directory.display()))?;
    let file = directory.join("services.yaml");
    std::fs::write(&file, yaml).map_err(|error| format!("{}: {error}", file.display()))?;
    Ok((articles, services.len()))
}
