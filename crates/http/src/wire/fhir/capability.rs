//! The `CapabilityStatement` `/fhir/r4/metadata` answers: exactly what is served, and
//! where a SMART app gets its tokens.

use serde::Serialize;
use utoipa::ToSchema;

/// A FHIR `CapabilityStatement`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CapabilityStatement {
    /// `CapabilityStatement`.
    #[schema(max_length = 19, example = "CapabilityStatement")]
    pub(crate) resource_type: &'static str,
    /// `active`.
    #[schema(max_length = 6)]
    pub(crate) status: &'static str,
    /// When this statement's content last changed.
    #[schema(max_length = 10, format = Date)]
    pub(crate) date: &'static str,
    /// `Waymark`.
    #[schema(max_length = 64)]
    pub(crate) publisher: &'static str,
    /// `instance`: this deployment.
    #[schema(max_length = 8)]
    pub(crate) kind: &'static str,
    /// The server software.
    pub(crate) software: Software,
    /// This deployment.
    pub(crate) implementation: Implementation,
    /// `4.0.1`.
    #[schema(max_length = 8)]
    pub(crate) fhir_version: &'static str,
    /// `application/fhir+json` and `json`.
    #[schema(max_items = 2, value_type = Vec<String>)]
    pub(crate) format: [&'static str; 2],
    /// The one REST endpoint.
    #[schema(max_items = 1)]
    pub(crate) rest: [CapabilityRest; 1],
}

/// `CapabilityStatement.software`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Software {
    /// `Waymark`.
    #[schema(max_length = 64)]
    pub(crate) name: &'static str,
    /// Its version.
    #[schema(max_length = 32)]
    pub(crate) version: &'static str,
}

/// `CapabilityStatement.implementation`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Implementation {
    /// What it is.
    #[schema(max_length = 128)]
    pub(crate) description: &'static str,
    /// The FHIR base URL.
    #[schema(max_length = 2048)]
    pub(crate) url: String,
}

/// `CapabilityStatement.rest`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CapabilityRest {
    /// `server`.
    #[schema(max_length = 6)]
    pub(crate) mode: &'static str,
    /// How to get a token.
    pub(crate) security: CapabilitySecurity,
    /// The resources served.
    #[schema(max_items = 4)]
    pub(crate) resource: Vec<CapabilityResource>,
}

/// `CapabilityStatement.rest.security`, with the SMART `oauth-uris` extension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CapabilitySecurity {
    /// `http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris`, whose
    /// extensions `authorize`, `token` and `revoke` give the endpoints.
    #[schema(max_items = 1)]
    pub(crate) extension: [OAuthUris; 1],
    /// `SMART-on-FHIR`.
    #[schema(max_items = 1)]
    pub(crate) service: [super::FhirCodeableConcept; 1],
    /// In words.
    #[schema(max_length = 512)]
    pub(crate) description: &'static str,
}

/// The SMART `oauth-uris` extension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct OAuthUris {
    /// `http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris`.
    #[schema(max_length = 128)]
    pub(crate) url: &'static str,
    /// `authorize`, `token` and `revoke`.
    #[schema(max_items = 3)]
    pub(crate) extension: Vec<UriExtension>,
}

/// An extension with a URI.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UriExtension {
    /// `authorize`, `token` or `revoke`.
    #[schema(max_length = 16)]
    pub(crate) url: &'static str,
    /// The endpoint.
    #[schema(max_length = 2048)]
    pub(crate) value_uri: String,
}

/// `CapabilityStatement.rest.resource`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CapabilityResource {
    /// The resource type.
    #[serde(rename = "type")]
    #[schema(max_length = 16)]
    pub(crate) kind: &'static str,
    /// The profile its resources declare (UK Core's, or base R4's).
    #[schema(max_length = 128)]
    pub(crate) profile: &'static str,
    /// `read`, and `search-type` where it can be searched.
    #[schema(max_items = 2)]
    pub(crate) interaction: Vec<CapabilityInteraction>,
    /// The search parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 8)]
    pub(crate) search_param: Vec<CapabilitySearchParam>,
}

/// `CapabilityStatement.rest.resource.interaction`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CapabilityInteraction {
    /// `read` or `search-type`.
    #[schema(max_length = 16)]
    pub(crate) code: &'static str,
}

/// `CapabilityStatement.rest.resource.searchParam`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct CapabilitySearchParam {
    /// Its name.
    #[schema(max_length = 32)]
    pub(crate) name: &'static str,
    /// `reference`, `token`, `date` or `number`.
    #[serde(rename = "type")]
    #[schema(max_length = 16)]
    pub(crate) kind: &'static str,
    /// What it does here.
    #[schema(max_length = 256)]
    pub(crate) documentation: &'static str,
}
