//! JSON merge patch (RFC 7396) fields: absent leaves a field unchanged, `null` clears
//! it, a value replaces it. Serde alone cannot tell absent from `null`.

use serde::{Deserialize, Deserializer};

use waymark_domain::validation::Problems;

/// One field of a merge-patch body. Use with `#[serde(default)]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not in the body: leave it as it is.
    #[default]
    Absent,
    /// `null`: clear it.
    Null,
    /// A new value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|value| value.map_or(Self::Null, Self::Value))
    }
}

impl Patch<String> {
    /// The new text of a field that clears to empty: `None` when absent, `""` for
    /// `null`.
    pub fn text(self) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Null => Some(String::new()),
            Self::Value(text) => Some(text),
        }
    }
}

impl<T> Patch<T> {
    /// The new value of a field that cannot be cleared: `None` when absent, and for
    /// `null` the problem is recorded against `pointer`.
    pub fn kept(self, pointer: &str, problems: &mut Problems) -> Option<T> {
        match self {
            Self::Absent => None,
            Self::Null => {
                problems.cannot_be_cleared(pointer);
                None
            }
            Self::Value(value) => Some(value),
        }
    }

    /// Whether the body names the field at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        name: Patch<String>,
    }

    #[test]
    fn absent_null_and_value_are_told_apart() {
        let parse = |text: &str| serde_json::from_str::<Body>(text).map(|body| body.name).ok();
        assert_eq!(parse("{}"), Some(Patch::Absent));
        assert_eq!(parse(r#"{"name":null}"#), Some(Patch::Null));
        assert_eq!(parse(r#"{"name":"Sam"}"#), Some(Patch::Value("Sam".to_owned())));
    }
}
