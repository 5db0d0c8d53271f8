//! What a FHIR client reads before it has a token: the `CapabilityStatement`
//! (`/fhir/r4/metadata`), with SMART's `oauth-uris` extension, and the SMART App
//! Launch configuration (`.well-known/smart-configuration`, at the origin and under
//! the FHIR base, where SMART v2 looks for it).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_application::formats::fhir::FHIR_VERSION;
use waymark_domain::identity::Scope;

use super::fhir_json;
use super::parameters::{ReadParameters, read_query};
use super::representation::{
    CARE_PLAN_PROFILE, GOAL_PROFILE, PATIENT_PROFILE, RELATED_PERSON_PROFILE,
};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::fhir::{
    CapabilityInteraction, CapabilityResource, CapabilityRest, CapabilitySearchParam,
    CapabilitySecurity, CapabilityStatement, FhirCodeableConcept, Implementation, OAuthUris,
    Software, UriExtension,
};

/// Discovery documents may be cached this long.
const DISCOVERY_CACHE: &str = "public, max-age=300";

/// When the statement's content last changed (a release date, not the request's).
const STATEMENT_DATE: &str = "2026-12-08";

/// The scopes a SMART app may ask for here.
const SMART_SCOPES: [Scope; 5] = [
    Scope::LaunchPatient,
    Scope::FhirPatientRead,
    Scope::FhirGoalRead,
    Scope::FhirCarePlanRead,
    Scope::FhirRelatedPersonRead,
];

fn read_and_search(
    kind: &'static str,
    profile: &'static str,
    search_param: Vec<CapabilitySearchParam>,
) -> CapabilityResource {
    let mut interaction = vec![CapabilityInteraction { code: "read" }];
    if !search_param.is_empty() {
        interaction.push(CapabilityInteraction { code: "search-type" });
    }
    CapabilityResource { kind, profile, interaction, search_param }
}

const fn parameter(
    name: &'static str,
    kind: &'static str,
    documentation: &'static str,
) -> CapabilitySearchParam {
    CapabilitySearchParam { name, kind, documentation }
}

const PATIENT: CapabilitySearchParam = parameter(
    "patient",
    "reference",
    "The person the token acts for; any other patient finds nothing.",
);

const COUNT: CapabilitySearchParam =
    parameter("_count", "number", "Per page, 1 to 100 (default 20).");

/// The FHIR server's capabilities.
///
/// Exactly what `/fhir/r4` serves: FHIR R4 (4.0.1) as `application/fhir+json`; read
/// of Patient (UK Core Patient), Goal, CarePlan and RelatedPerson (UK Core
/// RelatedPerson), and their searches; SMART on FHIR security, with the authorize
/// and token endpoints. No token needed.
#[utoipa::path(
    tag = "fhir",
    operation_id = "fhir_capabilities",
    params(ReadParameters),
    responses(
        (status = 200, description = "The CapabilityStatement.", content_type = "application/fhir+json", body = CapabilityStatement),
    ),
)]
#[get("/metadata")]
pub(crate) async fn capability_statement(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    read_query(request.query_string())?;
    let issuer = state.public_url();
    let endpoint =
        |url: &'static str, path: &str| UriExtension { url, value_uri: format!("{issuer}{path}") };
    let statement = CapabilityStatement {
        resource_type: "CapabilityStatement",
        status: "active",
        date: STATEMENT_DATE,
        publisher: "Waymark",
        kind: "instance",
        software: Software { name: "Waymark", version: env!("CARGO_PKG_VERSION") },
        implementation: Implementation {
            description: "Waymark: a person's recovery goals, plan and support network",
            url: state.fhir_base().to_owned(),
        },
        fhir_version: FHIR_VERSION,
        format: ["application/fhir+json", "json"],
        rest: [CapabilityRest {
            mode: "server",
            security: CapabilitySecurity {
                extension: [OAuthUris {
                    url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    extension: vec![
                        endpoint("authorize", "/v1/auth/authorize"),
                        endpoint("token", "/v1/auth/token"),
                        endpoint("revoke", "/v1/auth/revoke"),
                    ],
                }],
                service: [FhirCodeableConcept::coded(
                    "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "SMART-on-FHIR",
                    "SMART-on-FHIR",
                )],
                description: "SMART App Launch (standalone, v2): the authorization code flow with PKCE (S256). The person signs in and consents on Waymark's pages; scopes patient/Patient.rs, patient/Goal.rs, patient/CarePlan.rs, patient/RelatedPerson.rs and launch/patient.",
            },
            resource: vec![
                read_and_search("Patient", PATIENT_PROFILE, Vec::new()),
                read_and_search(
                    "Goal",
                    GOAL_PROFILE,
                    vec![
                        PATIENT,
                        parameter(
                            "lifecycle-status",
                            "token",
                            "active, on-hold, completed or cancelled; comma-separated for any of them.",
                        ),
                        parameter(
                            "_lastUpdated",
                            "date",
                            "eq, gt, ge, lt or le a date or an instant; twice for a range.",
                        ),
                        COUNT,
                    ],
                ),
                read_and_search("CarePlan", CARE_PLAN_PROFILE, vec![PATIENT]),
                read_and_search("RelatedPerson", RELATED_PERSON_PROFILE, vec![PATIENT, COUNT]),
            ],
        }],
    };
    let mut response = fhir_json(&statement)?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static(DISCOVERY_CACHE));
    Ok(response)
}

/// The SMART App Launch configuration (SMART App Launch 2.x).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SmartConfiguration {
    /// The token issuer (`WAYMARK_PUBLIC_URL`).
    #[schema(max_length = 2048)]
    issuer: String,
    /// The public keys tokens are signed with.
    #[schema(max_length = 2048)]
    jwks_uri: String,
    /// Where the person signs in and consents.
    #[schema(max_length = 2048)]
    authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    #[schema(max_length = 2048)]
    token_endpoint: String,
    /// Where tokens are revoked.
    #[schema(max_length = 2048)]
    revocation_endpoint: String,
    /// Where tokens are introspected.
    #[schema(max_length = 2048)]
    introspection_endpoint: String,
    /// `authorization_code`, `refresh_token`.
    #[schema(max_items = 2, value_type = Vec<String>)]
    grant_types_supported: [&'static str; 2],
    /// `client_secret_basic`, `client_secret_post`, `none` (public apps).
    #[schema(max_items = 3, value_type = Vec<String>)]
    token_endpoint_auth_methods_supported: [&'static str; 3],
    /// The SMART scopes.
    #[schema(max_items = 5, value_type = Vec<String>)]
    scopes_supported: Vec<&'static str>,
    /// `code`.
    #[schema(max_items = 1, value_type = Vec<String>)]
    response_types_supported: [&'static str; 1],
    /// `S256`: PKCE is required.
    #[schema(max_items = 1, value_type = Vec<String>)]
    code_challenge_methods_supported: [&'static str; 1],
    /// What this server does of SMART App Launch.
    #[schema(max_items = 6, value_type = Vec<String>)]
    capabilities: [&'static str; 6],
}

fn smart_configuration_of(state: &AppState) -> HttpResponse {
    let issuer = state.public_url();
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, DISCOVERY_CACHE)).json(
        SmartConfiguration {
            jwks_uri: format!("{issuer}/.well-known/jwks.json"),
            authorization_endpoint: format!("{issuer}/v1/auth/authorize"),
            token_endpoint: format!("{issuer}/v1/auth/token"),
            revocation_endpoint: format!("{issuer}/v1/auth/revoke"),
            introspection_endpoint: format!("{issuer}/v1/auth/introspect"),
            issuer: issuer.to_owned(),
            grant_types_supported: ["authorization_code", "refresh_token"],
            token_endpoint_auth_methods_supported: [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            scopes_supported: SMART_SCOPES.iter().map(|scope| scope.as_str()).collect(),
            response_types_supported: ["code"],
            code_challenge_methods_supported: ["S256"],
            capabilities: [
                "launch-standalone",
                "client-public",
                "client-confidential-symmetric",
                "context-standalone-patient",
                "permission-patient",
                "permission-v2",
            ],
        },
    )
}

/// SMART App Launch configuration.
///
/// Where a SMART app sends the person to consent and exchanges its code, and what
/// this server supports (standalone launch, public and confidential apps, patient
/// scopes in SMART v2 form). No token needed.
#[utoipa::path(
    tag = "fhir",
    operation_id = "smart_configuration",
    responses((status = 200, description = "The configuration.", body = SmartConfiguration)),
)]
#[get("/.well-known/smart-configuration")]
pub(crate) async fn smart_configuration(state: web::Data<AppState>) -> HttpResponse {
    smart_configuration_of(&state)
}

/// SMART App Launch configuration, under the FHIR base.
///
/// The same document as `/.well-known/smart-configuration`, where SMART v2 apps look
/// for it (`{FHIR base}/.well-known/smart-configuration`).
#[utoipa::path(
    tag = "fhir",
    operation_id = "smart_configuration_at_fhir_base",
    responses((status = 200, description = "The configuration.", body = SmartConfiguration)),
)]
#[get("/.well-known/smart-configuration")]
pub(crate) async fn smart_configuration_at_base(state: web::Data<AppState>) -> HttpResponse {
    smart_configuration_of(&state)
}
