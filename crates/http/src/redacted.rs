//! `Debug` for request and response types that carry secrets (passwords, tokens,
//! client secrets): the type name only, so no log line or panic message can show
//! them, whoever adds a `{:?}` later.

/// Implements `Debug` as `TypeName(..)`.
macro_rules! redacted_debug {
    ($($type:ty),+ $(,)?) => {
        $(
            impl std::fmt::Debug for $type {
                fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    formatter.write_str(concat!(stringify!($type), "(..)"))
                }
            }
        )+
    };
}

pub(crate) use redacted_debug;
