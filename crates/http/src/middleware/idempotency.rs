//! `Idempotency-Key` on `POST` (API guide, "Writes"): the first successful response
//! to a caller's key is stored (in the database, so any replica can replay it); a
//! retry with the same request gets it again with `Idempotent-Replayed: true`, the
//! same key with another request is 409, and a retry while the first is still running
//! is 409 with `Retry-After`. Failed requests changed nothing, so their key is given
//! back and a retry runs again. The OAuth endpoints keep OAuth's own semantics.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use waymark_domain::idempotency::{Claim, IdempotencyKey, KeyedRequest, StoredResponse};

use super::caller::{client_address, key_owner};
use crate::auth::Principal;
use crate::auth::{Bearer, bearer, sessions};
use crate::error::ApiError;
use crate::state::AppState;

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Headers of a stored response that a replay repeats.
const REPLAYED_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// Marks a response that carries a secret shown only once (a new client's secret):
/// it is not stored, and a retry is told the request was done instead of seeing it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShownOnce;

/// What a retry of a [`ShownOnce`] response is told.
const SHOWN_ONCE: &str = "This request was already done. Its answer held a secret that is shown only once, so it is not repeated.";

/// Whether `method` on `path` (a concrete path or a route template) honours
/// `Idempotency-Key`: every `POST` under `/v1` except the OAuth endpoints (the sign-in
/// and consent forms included: an answer carrying a code is never stored). The
/// OpenAPI document declares the header from this too.
pub(crate) fn honours_idempotency_key(method: &Method, path: &str) -> bool {
    method == Method::POST
        && path.starts_with("/v1/")
        && !matches!(
            path,
            "/v1/auth/token" | "/v1/auth/revoke" | "/v1/auth/introspect" | "/v1/auth/authorize"
        )
}

fn refuse(request: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    request.error_response(error).map_into_boxed_body()
}

pub(crate) async fn make_retries_safe(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = request.match_info().as_str().to_owned();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let header = request.headers().get(IDEMPOTENCY_KEY).cloned();
    let (Some(state), Some(header), true) =
        (state, header, honours_idempotency_key(request.method(), &path))
    else {
        return next.call(request).await.map(ServiceResponse::map_into_boxed_body);
    };
    let Some(key) = header.to_str().ok().and_then(|value| IdempotencyKey::parse(value).ok()) else {
        return Ok(refuse(
            request,
            ApiError::BadRequest(
                "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
            ),
        ));
    };

    // Read the body to fingerprint the request, then hand it on unchanged.
    let limit = if path == crate::routes::contacts::IMPORT_PATH {
        crate::routes::contacts::IMPORT_MAX_BYTES
    } else {
        state.settings.max_body_bytes
    };
    let mut payload = request.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(refuse(request, ApiError::PayloadTooLarge { limit }));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let digest: String = Sha256::digest(&body).iter().map(|byte| format!("{byte:02x}")).collect();
    request.set_payload(Payload::from(body));

    // A token whose session has ended gets nothing replayed: the operation itself
    // answers it (401). On a secured operation authentication, which runs first, has
    // found the session live already (its `Principal` is there); on a public one a
    // token sent along is checked here.
    let authenticated = request.extensions().get::<Principal>().is_some();
    if let (false, Bearer::Valid(claims)) =
        (authenticated, bearer(request.request(), &state.tokens))
    {
        match sessions::is_live(&state, &claims).await {
            Ok(true) => {}
            Ok(false) => {
                return next.call(request).await.map(ServiceResponse::map_into_boxed_body);
            }
            Err(error) => return Ok(refuse(request, error)),
        }
    }
    let (caller, account) = key_owner(&request, &state).unwrap_or_else(|| {
        let address = client_address(&request, state.settings.trust_forwarded_for);
        (format!("address:{address}"), None)
    });
    let keyed = KeyedRequest {
        caller: &caller,
        account,
        key: &key,
        method: Method::POST.as_str(),
        path: &path,
        body_digest: &digest,
    };
    let claim = match state.ports.idempotency.claim(&keyed, waymark_domain::time::now()).await {
        Ok(claim) => claim,
        Err(error) => return Ok(refuse(request, error.into())),
    };
    match claim {
        Claim::Claimed => {}
        Claim::Replay(stored) => return Ok(replay(request, stored)),
        Claim::DifferentRequest => {
            return Ok(refuse(
                request,
                ApiError::Conflict(
                    "This Idempotency-Key was used for a different request; use a new key."
                        .to_owned(),
                ),
            ));
        }
        Claim::InProgress => {
            let mut response = refuse(
                request,
                ApiError::Conflict(
                    "A request with this Idempotency-Key is still being processed; retry shortly."
                        .to_owned(),
                ),
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Ok(response);
        }
    }

    let outcome = next.call(request).await;
    let response = match outcome {
        Ok(response) if response.status().is_success() => response,
        other => {
            // Nothing was done: give the key back so a retry runs again.
            if let Err(error) = state.ports.idempotency.release(&caller, &key).await {
                tracing::warn!(error = %error, "an idempotency key could not be released");
            }
            return other.map(ServiceResponse::map_into_boxed_body);
        }
    };
    store(&state, &caller, &key, response).await
}

/// Stores a successful response and answers it.
async fn store(
    state: &AppState,
    caller: &str,
    key: &IdempotencyKey,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let shown_once = response.response().extensions().contains::<ShownOnce>();
    let (request, response) = response.into_parts();
    let status = response.status();
    let head_headers = response.headers().clone();
    let body = actix_web::body::to_bytes(response.into_body()).await.map_err(|_| {
        ApiError::Internal(anyhow::anyhow!("the response body could not be read for storage"))
    })?;
    let stored = if shown_once {
        StoredResponse {
            status: StatusCode::CONFLICT.as_u16(),
            headers: Vec::new(),
            body: SHOWN_ONCE.as_bytes().to_vec(),
        }
    } else {
        StoredResponse {
            status: status.as_u16(),
            headers: REPLAYED_HEADERS
                .iter()
                .filter_map(|name| {
                    let value = head_headers.get(name)?.to_str().ok()?;
                    Some((name.as_str().to_owned(), value.to_owned()))
                })
                .collect(),
            body: body.to_vec(),
        }
    };
    if let Err(error) = state.ports.idempotency.complete(caller, key, stored).await {
        // The request is done; only its replay is lost. A retry then sees the key
        // still claimed and is told to wait, never that it ran twice.
        tracing::warn!(error = %error, "an idempotent response could not be stored");
    }
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in &head_headers {
        rebuilt.append_header((name.clone(), value.clone()));
    }
    Ok(ServiceResponse::new(request, rebuilt.body(body)))
}

/// Answers a stored response again.
fn replay(request: ServiceRequest, stored: StoredResponse) -> ServiceResponse<BoxBody> {
    if stored.status == StatusCode::CONFLICT.as_u16() {
        let detail = String::from_utf8(stored.body).unwrap_or_else(|_| SHOWN_ONCE.to_owned());
        return refuse(request, ApiError::Conflict(detail));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        response.insert_header((name.as_str(), value.as_str()));
    }
    response.insert_header((REPLAYED, "true"));
    request.into_response(response.body(stored.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_posts_outside_oauth_are_made_idempotent() {
        assert!(honours_idempotency_key(&Method::POST, "/v1/auth/register"));
        assert!(honours_idempotency_key(&Method::POST, "/v1/admin/clients"));
        assert!(!honours_idempotency_key(&Method::POST, "/v1/auth/token"));
        assert!(!honours_idempotency_key(&Method::POST, "/v1/auth/revoke"));
        assert!(!honours_idempotency_key(&Method::PATCH, "/v1/me"));
        assert!(!honours_idempotency_key(&Method::POST, "/health/live"));
    }
}
