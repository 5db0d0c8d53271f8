//! `POST /v1/check-ins:batch`: up to 100 check-ins across routines in one call, so an
//! app that was offline can upload a day at once. Each item is recorded (or refused)
//! on its own and answered on its own.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_application::routine_check_ins;
use waymark_domain::routines::RoutineId;
use waymark_domain::time::now;

use super::check_ins::NewRoutineCheckInRequest;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::problem::{FieldError, Problem};
use crate::state::AppState;
use crate::wire::names::FeelingName;
use crate::wire::routines::{CheckInStatusName, OccurrenceRef, RoutineCheckInResponse};

/// The most check-ins one batch may carry.
pub(crate) const MAX_BATCH: usize = 100;

/// One check-in of a batch: as for `POST /v1/routines/{routine_id}/check-ins`, plus
/// the routine it is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchCheckIn {
    /// The routine it is for.
    routine_id: uuid::Uuid,
    /// The occurrence.
    occurrence: OccurrenceRef,
    /// How it went.
    #[schema(value_type = CheckInStatusName, example = "done")]
    status: String,
    /// A note (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    note: String,
    /// How you felt.
    #[serde(default)]
    #[schema(value_type = Option<FeelingName>)]
    feeling: Option<String>,
}

impl BatchCheckIn {
    fn into_request(self) -> NewRoutineCheckInRequest {
        NewRoutineCheckInRequest {
            occurrence: self.occurrence,
            status: self.status,
            note: self.note,
            feeling: self.feeling,
        }
    }
}

/// Up to 100 check-ins.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchRequest {
    /// The check-ins, 1 to 100.
    #[schema(min_items = 1, max_items = 100)]
    items: Vec<BatchCheckIn>,
}

/// What happened to one item.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BatchResult {
    /// The item's position in the request.
    index: usize,
    /// 201 when recorded, else the status it would have had alone (404, 409, 422).
    status: u16,
    /// The check-in, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    check_in: Option<RoutineCheckInResponse>,
    /// Why not, when refused; pointers are into the whole request (`/items/3/status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
}

/// Every item's result, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BatchResponse {
    /// One per item.
    results: Vec<BatchResult>,
}

/// Records several check-ins at once.
///
/// Each item is checked and recorded on its own, exactly as by
/// `POST /v1/routines/{routine_id}/check-ins`, and answered on its own in `results`:
/// a refused item does not stop the others. Send `Idempotency-Key`: a retry of the
/// same batch replays the first answer instead of recording anything twice. If the
/// database fails part-way (503), the items before the failure are kept; retrying
/// answers them 409.
#[utoipa::path(
    tag = "routines",
    operation_id = "batch_routine_check_ins",
    security(("oauth2" = ["routines:write"])),
    request_body = BatchRequest,
    responses(
        (status = 200, description = "Each item's result.", body = BatchResponse),
        (status = 422, description = "The batch is empty or has more than 100 items.", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/v1/check-ins:batch")]
pub(crate) async fn batch_routine_check_ins(
    principal: Principal,
    body: JsonBody<BatchRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = body.into_inner().items;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::Validation(vec![FieldError::invalid(
            "/items",
            "must hold 1 to 100 check-ins",
        )]));
    }
    let drafts = items.into_iter().map(|item| (RoutineId(item.routine_id), item.into_request()));
    let outcomes =
        routine_check_ins::check_in_each(&state.ports, principal.acting()?, now(), drafts).await?;
    let results = outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            Ok(check_in) => BatchResult {
                index,
                status: 201,
                check_in: Some(RoutineCheckInResponse::from(&check_in)),
                problem: None,
            },
            Err(error) => {
                let mut problem = ApiError::from(error).problem();
                for field in &mut problem.errors {
                    field.pointer = format!("/items/{index}{}", field.pointer);
                }
                BatchResult {
                    index,
                    status: problem.status,
                    check_in: None,
                    problem: Some(problem),
                }
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(BatchResponse { results }))
}
