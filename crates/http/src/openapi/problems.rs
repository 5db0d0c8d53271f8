//! Problem answers that many operations give in the same words, each declared once
//! and named in `responses(...)` (`responses((status = 200, ...), GoalMissing,
//! GoalStale, Invalid)`), instead of pasted into every operation.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::problem::PROBLEM_JSON;

/// One problem+json response with `status` and `description`.
fn problem(status: u16, description: &str) -> BTreeMap<String, RefOr<Response>> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let response =
        ResponseBuilder::new().description(description).content(PROBLEM_JSON, content).build();
    BTreeMap::from([(status.to_string(), RefOr::T(response))])
}

/// Declares each named problem response: a type that is never made, only named in
/// `responses(...)`.
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)+) => {
        $(
            $(#[$doc])*
            pub(crate) enum $name {}

            impl IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    problem($status, $description)
                }
            }
        )+
    };
}

problem_responses! {
    /// A request body field breaks a rule; `errors` lists each one.
    Invalid = 422, "A field is invalid; `errors` lists each one.";
    /// The `Idempotency-Key` was used for another request, or that one still runs.
    IdempotencyConflict = 409, "The `Idempotency-Key` was used for another request, or that request is still running.";
    /// No such FHIR resource of the person's (an `OperationOutcome` under `/fhir/`).
    FhirResourceMissing = 404, "No such resource of the person's.";
    /// No such goal of the caller's.
    GoalMissing = 404, "No such goal of yours.";
    /// The goal changed since the version in `If-Match`.
    GoalStale = 412, "The goal changed since the `ETag` in `If-Match`.";
    /// No such step of the caller's.
    StepMissing = 404, "No such step of yours.";
    /// No such check-in of the caller's.
    CheckInMissing = 404, "No such check-in of yours.";
    /// No such routine of the caller's.
    RoutineMissing = 404, "No such routine of yours.";
    /// The routine changed since the version in `If-Match`.
    RoutineStale = 412, "The routine changed since the `ETag` in `If-Match`.";
    /// No such contact of the caller's.
    ContactMissing = 404, "No such contact of yours.";
    /// The contact changed since the version in `If-Match`.
    ContactStale = 412, "The contact changed since the `ETag` in `If-Match`.";
    /// The resource changed since the version in `If-Match`.
    Stale = 412, "It changed since the `ETag` in `If-Match`.";
    /// The step changed since the version in `If-Match`.
    StepStale = 412, "The step changed since the `ETag` in `If-Match`.";
    /// The account changed since the version in `If-Match`.
    AccountStale = 412, "The account changed since the `ETag` in `If-Match`.";
    /// No such interaction of the caller's.
    InteractionMissing = 404, "No such contact or interaction of yours.";
    /// No such article.
    ArticleMissing = 404, "No such article.";
    /// No such service.
    ServiceMissing = 404, "No such service.";
    /// No such share of the caller's.
    ShareMissing = 404, "No such share of yours.";
    /// The share changed since the version in `If-Match`.
    ShareStale = 412, "The share changed since the `ETag` in `If-Match`.";
    /// The share expired or its supporter ended it: it no longer changes.
    ShareOver = 409, "The share is over (it expired, or the supporter ended it) and no longer changes; share again instead.";
    /// Nothing shared with the caller here (or not any more).
    NothingShared = 404, "Nothing is shared with you here: no such share, it ended, expired or is paused, or it does not show this.";
    /// No invitation with this code can be accepted.
    InvitationUnknown = 404, "No invitation with this code can be accepted: it was used, it expired, it is your own, or there is none.";
    /// The person turned encouragement off for the share.
    EncouragementOff = 409, "They have turned encouragement off for what they share with you.";
    /// No such message of encouragement on the caller's goal.
    EncouragementMissing = 404, "No such goal or message of yours.";
    /// No such API client.
    ClientMissing = 404, "No such client.";
    /// No such webhook subscription of the caller's (or no such message of it).
    WebhookMissing = 404, "No such subscription of yours, or no such message of it.";
    /// A list's `limit` or `cursor` is not valid.
    BadPage = 400, "`limit` or the cursor is not valid.";
    /// A list's filter, `limit` or `cursor` is not valid.
    BadQuery = 400, "A query parameter or the cursor is not valid.";
    /// A date range is not valid or longer than allowed.
    BadRange = 400, "The range is not valid or too long.";
}
