//! Text that people type: normalised so that strings which look the same are the
//! same (Unicode NFC), and free of characters that hide or reorder what is shown
//! (controls, bidirectional overrides, zero-width characters).

use unicode_normalization::UnicodeNormalization;

/// Invisible formatting characters that can make two strings look alike or reorder
/// displayed text: soft hyphen, bidirectional marks and overrides, zero-width
/// characters, the byte-order mark and interlinear annotations.
fn is_invisible_format(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// `raw` trimmed and in NFC, or `None` when it holds control or invisible
/// formatting characters. Zero-width joiners (U+200C, U+200D) are kept when
/// `allow_joiners`, since names in some scripts and emoji sequences need them.
#[must_use]
pub fn clean(raw: &str, allow_joiners: bool) -> Option<String> {
    let normalised: String = raw.trim().nfc().collect();
    let acceptable = normalised.chars().all(|character| {
        let joiner = matches!(character, '\u{200C}' | '\u{200D}');
        !character.is_control() && (!is_invisible_format(character) || (allow_joiners && joiner))
    });
    acceptable.then_some(normalised)
}

/// Like [`clean`] (joiners allowed), for text of several paragraphs: line breaks are
/// kept, as `\n` whatever the client sent (`\r\n`, `\r`).
#[must_use]
pub fn clean_paragraphs(raw: &str) -> Option<String> {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Option<Vec<String>> = unified
        .split('\n')
        .map(|line| {
            let normalised: String = line.trim_end().nfc().collect();
            let acceptable = normalised.chars().all(|character| {
                let joiner = matches!(character, '\u{200C}' | '\u{200D}');
                !character.is_control() && (!is_invisible_format(character) || joiner)
            });
            acceptable.then_some(normalised)
        })
        .collect();
    Some(lines?.join("\n").trim().to_owned())
}

/// Markdown as written: line breaks unified to `\n`, NFC, tabs and trailing spaces
/// kept (both mean something in CommonMark); `None` when it holds another control
/// character or an invisible formatting one.
#[must_use]
pub fn clean_markdown(raw: &str) -> Option<String> {
    let unified: String = raw.replace("\r\n", "\n").replace('\r', "\n").nfc().collect();
    let acceptable = unified.chars().all(|character| {
        let joiner = matches!(character, '\u{200C}' | '\u{200D}');
        (!character.is_control() || matches!(character, '\t' | '\n'))
            && (!is_invisible_format(character) || joiner)
    });
    acceptable.then(|| unified.trim_matches('\n').to_owned())
}

/// Whether `text` shows anything: it has a character that is neither white space nor
/// a joiner.
#[must_use]
pub fn is_visible(text: &str) -> bool {
    text.chars().any(|character| {
        !character.is_whitespace() && !matches!(character, '\u{200C}' | '\u{200D}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_normalise_to_one_form() {
        assert_eq!(clean("sa\u{0301}m", false), clean("s\u{00e1}m", false));
    }

    #[test]
    fn hidden_and_reordering_characters_are_refused() {
        for hidden in ["sam\u{200B}", "\u{202E}evil", "a\u{0000}b", "bom\u{FEFF}", "x\u{2066}y"] {
            assert_eq!(clean(hidden, true), None, "{hidden:?}");
        }
        assert!(clean("👩\u{200D}💻", true).is_some());
        assert!(clean("👩\u{200D}💻", false).is_none());
    }

    #[test]
    fn paragraphs_keep_their_line_breaks_and_nothing_hidden() {
        assert_eq!(
            clean_paragraphs("  First line.\r\nSecond line.  \r\rThird. \n").as_deref(),
            Some("First line.\nSecond line.\n\nThird.")
        );
        assert_eq!(clean_paragraphs("tab\there"), None);
        assert_eq!(clean_paragraphs("line\n\u{202E}evil"), None);
    }

    #[test]
    fn visibility_ignores_space_and_joiners() {
        assert!(!is_visible(" \u{200D} "));
        assert!(is_visible("Sam"));
    }
}
