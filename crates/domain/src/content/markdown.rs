//! Article bodies: CommonMark rendered to HTML that is safe by construction. Raw HTML
//! in the Markdown is shown as text, never passed through, so no script, style,
//! iframe or event-handler attribute can reach a reader; links and images keep only
//! `https`, `http`, `mailto` and `tel` addresses and relative ones.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Words read per minute, for `reading_minutes`.
const WORDS_PER_MINUTE: usize = 200;

/// The HTML of `markdown`, sanitised.
#[must_use]
pub fn render(markdown: &str) -> String {
    let mut output = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut output, sanitised_events(markdown));
    output
}

/// Whether the HTML of `markdown` has at most `max_chars` characters. Rendering stops
/// as soon as it has more, so refusing a body costs no more than the limit.
#[must_use]
pub fn renders_within(markdown: &str, max_chars: usize) -> bool {
    /// Counts what is written, and fails past the limit.
    struct Budget {
        left: usize,
    }

    impl std::fmt::Write for Budget {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            self.left = self.left.checked_sub(text.chars().count()).ok_or(std::fmt::Error)?;
            Ok(())
        }
    }

    html::write_html_fmt(Budget { left: max_chars }, sanitised_events(markdown)).is_ok()
}

/// The events of `markdown` with raw HTML turned into text and unsafe addresses into `#`.
fn sanitised_events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML becomes visible text: `<script>` is shown, not run.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_address(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_address(dest_url), title, id })
        }
        other => other,
    })
}

/// `address` if its scheme is one a reader can follow safely, else `#`.
fn safe_address(address: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore control characters and white space inside a scheme.
    let scheme: String = address
        .chars()
        .filter(|character| !character.is_control() && !character.is_whitespace())
        .take_while(|character| {
            *character != ':' && *character != '/' && *character != '?' && *character != '#'
        })
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = address
        .chars()
        .filter(|character| !character.is_control() && !character.is_whitespace())
        .nth(scheme.chars().count())
        == Some(':');
    if !has_scheme || matches!(scheme.as_str(), "https" | "http" | "mailto" | "tel") {
        address
    } else {
        CowStr::Borrowed("#")
    }
}

/// Minutes to read `markdown` at 200 words a minute, at least 1.
#[must_use]
pub fn reading_minutes(markdown: &str) -> u16 {
    let words = markdown.split_whitespace().count();
    u16::try_from(words.div_ceil(WORDS_PER_MINUTE).max(1)).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_is_refused_as_soon_as_it_passes_the_limit() {
        // Each `&` becomes `&amp;`: five characters of HTML for one of Markdown.
        let body = "&".repeat(1000);
        assert!(render(&body).chars().count() > 5000);
        assert!(!renders_within(&body, 4000));
        assert!(renders_within(&body, 6000));
        assert!(renders_within("Take *one* small step.", 100));
        assert!(!renders_within("Take *one* small step.", 10));
    }

    /// Payloads from the usual XSS lists; none may leave an executable trace.
    const ATTACKS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<body onload=alert(1)>",
        "<math><mtext></mtext><mglyph><style><img src=x onerror=alert(1)></style></mglyph></math>",
        "[a]: javascript:alert(1)\n\n[x][a]",
        "<details open ontoggle=alert(1)>",
        "`<script>` in code is fine",
    ];

    #[test]
    fn nothing_executable_survives() {
        let allowed = ["p", "a", "img", "code", "em", "strong", "h1", "ul", "li", "pre"];
        for attack in ATTACKS {
            let html = render(attack).to_ascii_lowercase();
            // Raw HTML is escaped to text, so every real tag is one the renderer made.
            for tag in
                html.split('<').skip(1).filter_map(|rest| rest.split_once('>')).map(|(tag, _)| tag)
            {
                let name =
                    tag.split_whitespace().next().unwrap_or_default().trim_start_matches('/');
                assert!(allowed.contains(&name), "{attack}: <{tag}> in {html}");
                assert!(!tag.contains(" on"), "{attack}: handler in <{tag}>");
                for scheme in ["javascript", "vbscript", "data:"] {
                    assert!(!tag.contains(scheme), "{attack}: <{tag}>");
                }
            }
        }
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = render(
            "# Hope\n\nSmall *steps* count. See [the guide](https://example.org/guide).\n\n- one\n- two",
        );
        assert!(html.contains("<h1>Hope</h1>"));
        assert!(html.contains("<em>steps</em>"));
        assert!(html.contains("<a href=\"https://example.org/guide\">the guide</a>"));
        assert!(html.contains("<li>one</li>"));
        assert!(render("[rel](/v1/content)").contains("href=\"/v1/content\""));
        assert!(render("[call](tel:116123)").contains("href=\"tel:116123\""));
    }

    #[test]
    fn reading_time_is_at_least_a_minute() {
        assert_eq!(reading_minutes(""), 1);
        assert_eq!(reading_minutes(&"word ".repeat(450)), 3);
    }
}
