//! Turning serde's idea of "where" into RFC 6901 JSON Pointers for `errors[].pointer`.

use serde_path_to_error::{Path, Segment};

/// Escapes one reference token (`~` becomes `~0`, `/` becomes `~1`).
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The pointer for a serde path (`steps[0].title` becomes `/steps/0/title`).
pub(crate) fn pointer_of(path: &Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&escape_token(key));
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

/// The name inside the first pair of backticks of a serde message, such as the `x`
/// in "unknown field `x`, expected one of ...".
pub(crate) fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let length = message[start..].find('`')?;
    Some(&message[start..start + length])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_escape_tilde_before_slash() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
    }

    #[test]
    fn quoted_name_finds_the_field() {
        assert_eq!(quoted_name("unknown field `titel`, expected `title`"), Some("titel"));
        assert_eq!(quoted_name("no quotes"), None);
    }
}
