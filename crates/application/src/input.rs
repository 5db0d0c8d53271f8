//! What a client sent, before it is known to be valid.

use waymark_domain::validation::Problem;

/// A client's input that parses into the domain value `T` on its own, reporting
/// every problem at once. Inputs that need more to parse (the day a goal is set on,
/// the routine a check-in is for) have traits of their own next to their use cases.
pub trait Input<T> {
    /// The value, or every problem with the input.
    ///
    /// # Errors
    /// Each field that breaks a rule.
    fn parse(self) -> Result<T, Vec<Problem>>;
}
