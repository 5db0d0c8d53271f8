//! Problems found while checking what a client wrote, each named by the JSON pointer
//! of its field, so every way in (JSON, vCard, files) reports them alike.

use std::fmt::Display;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A JSON pointer to the field, such as `/channels/2/value`.
    pub pointer: String,
    /// What is wrong, for the app developer.
    pub message: String,
}

/// Records problems while a draft is checked.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Keeps `result`'s value, or records its error at `pointer`.
    pub fn check<T, E: Display>(&mut self, pointer: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|error| self.add(pointer, error.to_string()))
            .ok()
    }

    /// Records a problem.
    pub fn add(&mut self, pointer: &str, message: impl Into<String>) {
        self.0.push(Problem {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// How many were recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem recorded.
    #[must_use]
    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}
