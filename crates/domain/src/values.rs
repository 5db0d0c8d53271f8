//! Small value types shared by every resource: clean, bounded text and enums with
//! fixed wire names. Each resource declares its own with the macros here.

use crate::text;

/// Text that must be clean (NFC, no hidden characters) and within a length.
pub(crate) fn bounded(raw: &str, min: usize, max: usize) -> Option<String> {
    let cleaned = text::clean(raw, true)?;
    let length = cleaned.chars().count();
    ((min..=max).contains(&length) && (min == 0 || text::is_visible(&cleaned))).then_some(cleaned)
}

/// Like [`bounded`], for text of several paragraphs (line breaks kept).
pub(crate) fn bounded_paragraphs(raw: &str, min: usize, max: usize) -> Option<String> {
    let cleaned = text::clean_paragraphs(raw)?;
    let length = cleaned.chars().count();
    ((min..=max).contains(&length) && (min == 0 || text::is_visible(&cleaned))).then_some(cleaned)
}

/// How many characters (Unicode scalar values, after trimming and NFC) a bounded text
/// type allows: what the HTTP contract states as `minLength` and `maxLength`.
pub trait TextBounds {
    /// The fewest characters.
    const MIN_CHARS: usize;
    /// The most characters.
    const MAX_CHARS: usize;
}

/// A clean, bounded text type: `bounded_text!(Name, Error, min, max, "message")` for
/// one line, with a trailing `paragraphs` for text that may hold line breaks.
macro_rules! bounded_text {
    (@define $(#[$meta:meta])* $name:ident, $error:ident, $min:expr, $max:expr, $message:literal, $clean:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        #[doc = concat!("Why a ", stringify!($name), " was refused.")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error($message)]
        pub struct $error;

        impl $crate::values::TextBounds for $name {
            const MIN_CHARS: usize = $min;
            const MAX_CHARS: usize = $max;
        }

        impl $name {
            /// Trims, normalises and checks `raw`.
            ///
            /// # Errors
            #[doc = concat!("[`", stringify!($error), "`] when it breaks the rule.")]
            pub fn parse(raw: &str) -> Result<Self, $error> {
                $clean(raw, $min, $max).map(Self).ok_or($error)
            }

            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
    ($(#[$meta:meta])* $name:ident, $error:ident, $min:expr, $max:expr, $message:literal, paragraphs) => {
        bounded_text!(@define $(#[$meta])* $name, $error, $min, $max, $message, $crate::values::bounded_paragraphs);
    };
    ($(#[$meta:meta])* $name:ident, $error:ident, $min:expr, $max:expr, $message:literal) => {
        bounded_text!(@define $(#[$meta])* $name, $error, $min, $max, $message, $crate::values::bounded);
    };
}
pub(crate) use bounded_text;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $error:ident, $message:literal, { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )+
        }

        #[doc = concat!("A name that is not a ", stringify!($name), ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error($message)]
        pub struct $error;

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name on the wire.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $error;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|value| value.as_str() == name).ok_or($error)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;
