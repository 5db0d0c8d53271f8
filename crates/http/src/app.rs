//! Assembles the actix-web application: state, extractor configuration, middleware,
//! routes, Swagger UI and the fallback for unknown routes.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, Error, HttpResponse, web};
use utoipa_swagger_ui::{Config, SwaggerUi, oauth};

use crate::auth::security_table::SecurityTable;
use crate::extract::extractor_config;
use crate::middleware::access_log::record_access;
use crate::middleware::authentication::authenticate_caller;
use crate::middleware::drain::count_in_flight;
use crate::middleware::idempotency::make_retries_safe;
use crate::middleware::nul_characters::refuse_nul_characters;
use crate::middleware::panic_guard::catch_panics;
use crate::middleware::problem_completion::complete_problems;
use crate::middleware::rate_limit::limit_rate;
use crate::middleware::request_id::assign_request_id;
use crate::middleware::request_log::log_request;
use crate::middleware::security_headers::add_security_headers;
use crate::middleware::timeout::enforce_timeout;
use crate::route_table::RouteTable;
use crate::routes;
use crate::state::AppState;

/// Where the generated document is served.
pub const OPENAPI_PATH: &str = "/v1/openapi.json";

/// The contract and the tables the middleware derives from it. They depend on the code
/// alone, so they are built once per process, not once per worker: the document is
/// kept only as the JSON it is served as (a copy of the document itself per worker,
/// as Swagger UI would keep, costs ~8 MiB each).
struct Contract {
    document: web::Bytes,
    routes: web::Data<RouteTable>,
    security: web::Data<SecurityTable>,
}

fn contract() -> &'static Contract {
    static CONTRACT: std::sync::OnceLock<Contract> = std::sync::OnceLock::new();
    CONTRACT.get_or_init(|| {
        let document = crate::openapi::openapi();
        Contract {
            routes: web::Data::new(RouteTable::from_spec(&document, &[(OPENAPI_PATH, "GET")])),
            security: web::Data::new(SecurityTable::from_spec(&document)),
            // The document is plain data: serialising it cannot fail (and the spec's
            // tests read it from here).
            document: web::Bytes::from(serde_json::to_vec(&document).unwrap_or_default()),
        }
    })
}

/// Builds the application for one worker. `state` is shared by every worker.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let contract = contract();
    let max_body_bytes = state.settings.max_body_bytes;
    let cors = cors(&state.settings.cors_allowed_origins);

    App::new()
        .app_data(web::Data::new(state))
        .app_data(contract.routes.clone())
        .app_data(contract.security.clone())
        .configure(|config| extractor_config(config, max_body_bytes))
        .configure(|config| {
            routes::configure(&mut utoipa_actix_web::service_config::ServiceConfig::new(config));
        })
        .route("/docs", web::get().to(redirect_to_docs))
        .route(OPENAPI_PATH, web::get().to(serve_contract))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(Config::new([OPENAPI_PATH]))
                .oauth(oauth::Config::new().use_pkce_with_authorization_code_grant(true)),
        )
        .default_service(web::to(routes::not_found_or_not_allowed))
        .wrap(from_fn(make_retries_safe))
        .wrap(from_fn(authenticate_caller))
        .wrap(from_fn(enforce_timeout))
        .wrap(from_fn(catch_panics))
        .wrap(from_fn(record_access))
        .wrap(from_fn(refuse_nul_characters))
        .wrap(from_fn(limit_rate))
        .wrap(cors)
        .wrap(from_fn(complete_problems))
        .wrap(Compress::default())
        .wrap(from_fn(add_security_headers))
        .wrap(from_fn(log_request))
        .wrap(from_fn(assign_request_id))
        .wrap(from_fn(count_in_flight))
}

/// Builds the application for the metrics listener (`--metrics-bind`): `/metrics`
/// and nothing else, with the same request ids, logs, headers and problems.
pub fn build_metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .route("/metrics", web::get().to(routes::metrics_on_own_listener))
        .default_service(web::to(no_route))
        .wrap(from_fn(complete_problems))
        .wrap(from_fn(add_security_headers))
        .wrap(from_fn(log_request))
        .wrap(from_fn(assign_request_id))
}

async fn no_route() -> Result<HttpResponse, crate::ApiError> {
    Err(crate::ApiError::NoRoute)
}

/// The contract, as JSON.
async fn serve_contract() -> HttpResponse {
    HttpResponse::Ok().content_type(header::ContentType::json()).body(contract().document.clone())
}

/// `/docs` without the slash would break Swagger UI's relative asset links.
async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
}

/// CORS for the configured browser origins only; with none configured, no
/// cross-origin browser request is allowed.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
