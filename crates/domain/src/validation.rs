//! Problems found while checking what a client wrote, each named by the JSON pointer
//! of its field, so every way in (JSON, vCard, files) reports them alike.

use std::fmt::Display;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A JSON pointer to the field, such as `/channels/2/value`.
    pub pointer: String,
    /// What kind of problem: `invalid` (the value breaks a rule) or `required` (a
    /// value that cannot be cleared was cleared).
    pub code: &'static str,
    /// What is wrong, for the app developer.
    pub message: String,
}

/// Records problems while a draft is checked.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Keeps `result`'s value, or records its error at `pointer`.
    pub fn check<T, E: Display>(&mut self, pointer: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|error| self.add(pointer, error.to_string())).ok()
    }

    /// Records a problem.
    pub fn add(&mut self, pointer: &str, message: impl Into<String>) {
        self.0.push(Problem {
            pointer: pointer.to_owned(),
            code: "invalid",
            message: message.into(),
        });
    }

    /// Records that a value that must be kept was cleared (a `null` in a merge patch).
    pub fn cannot_be_cleared(&mut self, pointer: &str) {
        self.0.push(Problem {
            pointer: pointer.to_owned(),
            code: "required",
            message: "cannot be cleared".to_owned(),
        });
    }

    /// Every problem recorded, or `value` when there were none.
    ///
    /// # Errors
    /// The problems, when any were recorded.
    pub fn or<T>(mut self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<Problem>> {
        match (self.0.is_empty(), value()) {
            (true, Some(value)) => Ok(value),
            (true, None) => {
                // A part is missing without a recorded reason: never answer an empty list.
                self.add("", "could not be read");
                Err(self.0)
            }
            (false, _) => Err(self.0),
        }
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
