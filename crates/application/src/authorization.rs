//! The authorization code flow (OAuth 2.1 section 4.1, RFC 7636, RFC 9700): an app
//! sends the person to Waymark with what it asks for; the person signs in and says
//! yes or no; the app gets a single-use code at its registered redirect URI, which it
//! exchanges with its PKCE verifier for tokens (`grants::authorization_code`).
//!
//! An unknown client or a redirect URI that is not registered is never redirected to
//! (no open redirect); every other problem goes back to the app.

use waymark_domain::acting::Acting;
use waymark_domain::identity::authorization::{
    CODE_LIFETIME, CODE_PREFIX, CodeChallenge, CodeGrant, GrantId, NewAuthorizationCode,
};
use waymark_domain::identity::ports::Consent;
use waymark_domain::identity::secret::OpaqueSecret;
use waymark_domain::identity::{AccountId, ApiClient, ClientId, Scope, ScopeSet};
use waymark_domain::ports::{StoragePorts, StoreError};
use waymark_domain::time::Instant;

/// The longest `state` an app may send (it comes back unchanged).
pub const MAX_STATE_LENGTH: usize = 1024;

/// The authorization request's parameters, as sent.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizationParameters<'a> {
    /// Must be `code`.
    pub response_type: Option<&'a str>,
    /// The app.
    pub client_id: Option<&'a str>,
    /// Where to send the person back; must be one the app registered.
    pub redirect_uri: Option<&'a str>,
    /// Space-separated scopes; the app's own scopes when absent.
    pub scope: Option<&'a str>,
    /// The app's value, sent back unchanged.
    pub state: Option<&'a str>,
    /// The PKCE challenge.
    pub code_challenge: Option<&'a str>,
    /// Must be `S256`.
    pub code_challenge_method: Option<&'a str>,
    /// SMART App Launch: the FHIR server the token is for, if the app says.
    pub aud: Option<&'a str>,
    /// The FHIR base URL of this server: the one `aud` it may name.
    pub fhir_base: &'a str,
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    /// The app asking.
    pub client: ApiClient,
    /// Where the person goes back to.
    pub redirect_uri: String,
    /// What the app asks for.
    pub scopes: ScopeSet,
    /// The app's value, sent back unchanged.
    pub state: Option<String>,
    /// The PKCE challenge the exchange must meet.
    pub challenge: CodeChallenge,
}

/// Why an authorization request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationRefused {
    /// Shown to the person, and never redirected: the client is unknown or disabled,
    /// or the redirect URI is missing or not registered.
    NotRedirectable(&'static str),
    /// Sent back to the app at its redirect URI (RFC 6749 section 4.1.2.1).
    Redirected {
        /// The registered redirect URI.
        redirect_uri: String,
        /// The app's `state`.
        state: Option<String>,
        /// The OAuth error code.
        error: &'static str,
        /// What was wrong, for the app's developers.
        description: String,
    },
}

/// Checks an authorization request: first whether the app and the address to send
/// the person back to can be trusted at all, then everything else.
///
/// # Errors
/// [`AuthorizationRefused`]; [`StoreError`] when the client cannot be read.
pub async fn check(
    ports: &StoragePorts,
    sent: AuthorizationParameters<'_>,
) -> Result<Result<AuthorizationRequest, AuthorizationRefused>, StoreError> {
    use AuthorizationRefused::NotRedirectable;
    let client = match sent.client_id.and_then(ClientId::parse) {
        Some(id) => ports.clients.find(id).await?.map(|(client, _)| client),
        None => None,
    };
    let Some(client) = client.filter(ApiClient::is_enabled) else {
        return Ok(Err(NotRedirectable("This app is not registered with Waymark.")));
    };
    let Some(redirect_uri) = sent.redirect_uri.filter(|uri| client.may_redirect_to(uri)) else {
        return Ok(Err(NotRedirectable(
            "This app asked to send you back to an address it has not registered with Waymark.",
        )));
    };
    let state = sent.state.map(str::to_owned);
    let refuse = |error: &'static str, description: String| AuthorizationRefused::Redirected {
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
        error,
        description,
    };
    if sent.response_type != Some("code") {
        return Ok(Err(refuse(
            "unsupported_response_type",
            "response_type must be code".to_owned(),
        )));
    }
    if sent.state.is_some_and(|state| state.len() > MAX_STATE_LENGTH) {
        let description = format!("state may be at most {MAX_STATE_LENGTH} characters");
        return Ok(Err(refuse("invalid_request", description)));
    }
    let base = sent.fhir_base.strip_suffix('/').unwrap_or(sent.fhir_base);
    if sent.aud.is_some_and(|aud| aud.strip_suffix('/').unwrap_or(aud) != base) {
        let description = format!("aud must be this server's FHIR base URL, {}", sent.fhir_base);
        return Ok(Err(refuse("invalid_request", description)));
    }
    let challenge = match CodeChallenge::parse(sent.code_challenge, sent.code_challenge_method) {
        Ok(challenge) => challenge,
        Err(refused) => return Ok(Err(refuse("invalid_request", refused.to_string()))),
    };
    let scopes = match sent.scope.map(ScopeSet::parse).transpose() {
        Ok(None) => client.scopes.clone(),
        Ok(Some(scopes)) if !scopes.is_empty() && scopes.is_subset(&client.scopes) => scopes,
        Ok(Some(_)) => {
            let description = format!("this app may ask for: {}", client.scopes);
            return Ok(Err(refuse("invalid_scope", description)));
        }
        Err(unknown) => return Ok(Err(refuse("invalid_scope", unknown.to_string()))),
    };
    if sent.aud.is_none() && scopes.iter().any(Scope::is_smart) {
        let description = format!(
            "aud is required with SMART's scopes: this server's FHIR base URL, {}",
            sent.fhir_base
        );
        return Ok(Err(refuse("invalid_request", description)));
    }
    Ok(Ok(AuthorizationRequest {
        redirect_uri: redirect_uri.to_owned(),
        client,
        scopes,
        state,
        challenge,
    }))
}

/// Whether the person who signed in on the flow's page at token epoch `epoch` is still
/// signed in: their account exists and they have not ended every session since.
///
/// # Errors
/// [`StoreError`].
pub async fn still_signed_in(
    ports: &StoragePorts,
    account: AccountId,
    epoch: i64,
) -> Result<bool, StoreError> {
    Ok(ports.accounts.get(account).await?.is_some_and(|current| current.token_epoch == epoch))
}

/// The code to send the app when `account` has let it have everything it now asks for
/// already, issued under that grant; `None` when the person must be asked.
///
/// # Errors
/// [`StoreError`].
pub async fn code_if_consented(
    ports: &StoragePorts,
    now: Instant,
    account: AccountId,
    request: &AuthorizationRequest,
) -> Result<Option<OpaqueSecret>, StoreError> {
    let consented = ports.consents.consented(account, request.client.id).await?;
    match consented.filter(|grant| request.scopes.is_subset(&grant.scopes)) {
        Some(grant) => Ok(Some(issue_code(ports, now, account, request, grant.id).await?)),
        None => Ok(None),
    }
}

/// The person said yes: remembers it (with what they let the app have before), and
/// answers the code to send the app, valid for [`CODE_LIFETIME`], issued under the
/// grant.
///
/// # Errors
/// [`StoreError`].
pub async fn allow(
    ports: &StoragePorts,
    now: Instant,
    account: AccountId,
    request: &AuthorizationRequest,
) -> Result<OpaqueSecret, StoreError> {
    let before = ports.consents.consented(account, request.client.id).await?;
    let consented = before
        .map_or_else(|| request.scopes.clone(), |before| before.scopes.union(&request.scopes));
    let acting = Acting::person(account);
    let grant = ports.consents.remember(acting, request.client.id, &consented, now).await?;
    issue_code(ports, now, account, request, grant).await
}

/// A code for `request`, issued under `grant`: it is exchanged only while that grant
/// is the person's current grant to the app.
async fn issue_code(
    ports: &StoragePorts,
    now: Instant,
    account: AccountId,
    request: &AuthorizationRequest,
    grant: GrantId,
) -> Result<OpaqueSecret, StoreError> {
    // An account gone since cannot exchange the code: no epoch matches -1.
    let token_epoch = ports.accounts.get(account).await?.map_or(-1, |account| account.token_epoch);
    let code = OpaqueSecret::generate(CODE_PREFIX)
        .map_err(|error| StoreError::Unexpected(error.into()))?;
    let lifetime =
        chrono::TimeDelta::from_std(CODE_LIFETIME).unwrap_or(chrono::TimeDelta::seconds(60));
    ports
        .authorization_codes
        .issue(NewAuthorizationCode {
            digest: code.digest(),
            grant: CodeGrant {
                account_id: account,
                client_id: request.client.id,
                redirect_uri: request.redirect_uri.clone(),
                challenge: request.challenge.clone(),
                scopes: request.scopes.clone(),
                grant_id: grant,
                token_epoch,
            },
            expires_at: now + lifetime,
        })
        .await?;
    Ok(code)
}

/// An app the person has let in, with what they let it have.
#[derive(Debug, Clone)]
pub struct AppLetIn {
    /// The app.
    pub client: ApiClient,
    /// What the person let it have, when, and when it last got tokens.
    pub consent: Consent,
}

/// Every app the person has let in, oldest first.
///
/// # Errors
/// [`StoreError`].
pub async fn apps_let_in(
    ports: &StoragePorts,
    account: AccountId,
) -> Result<Vec<AppLetIn>, StoreError> {
    let mut apps = Vec::new();
    for consent in ports.consents.consents_of(account).await? {
        if let Some((client, _)) = ports.clients.find(consent.client_id).await? {
            apps.push(AppLetIn { client, consent });
        }
    }
    Ok(apps)
}

/// The person takes back what they let `client` have: the app's refresh tokens are
/// revoked at once, and its access tokens are refused from their next request, on
/// every instance (see [`live_delegation`]). `false` when the app was not let in.
///
/// # Errors
/// [`StoreError`].
pub async fn withdraw(
    ports: &StoragePorts,
    now: Instant,
    account: AccountId,
    client: ClientId,
) -> Result<bool, StoreError> {
    ports.consents.withdraw(Acting::person(account), client, now).await
}

/// How an app acts for a person, and what it may do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delegation {
    /// Waymark's own app: the person themself, within what the app may hold now.
    FirstParty {
        /// What the client may hold now.
        scopes: ScopeSet,
    },
    /// Another app, through the grant the person gave it on the consent page, within
    /// what the app may hold now and the grant allows. What it does goes in the
    /// person's access log.
    Granted {
        /// What the client may hold now, and the grant allows.
        scopes: ScopeSet,
    },
}

/// How `client` acts for `account` while a token it holds still speaks for them:
/// `None` once the client is disabled or, if the token was issued under `grant`, the
/// person has taken that grant back (letting the app in again is another grant, which
/// does not bring the old tokens back); a third-party app's token must name a grant.
/// What it may do is what the client may hold now: an administrator's narrowing holds
/// from the next request, for tokens issued before too.
///
/// # Errors
/// [`StoreError`].
pub async fn live_delegation(
    ports: &StoragePorts,
    account: AccountId,
    client: ClientId,
    grant: Option<GrantId>,
) -> Result<Option<Delegation>, StoreError> {
    let Some((client, _)) = ports.clients.find(client).await? else {
        return Ok(None);
    };
    if !client.is_enabled() {
        return Ok(None);
    }
    let Some(grant) = grant else {
        // A first-party app's sign-in with the password grant names no grant.
        return Ok(client.first_party.then_some(Delegation::FirstParty { scopes: client.scopes }));
    };
    let current = ports.consents.consented(account, client.id).await?;
    let Some(current) = current.filter(|current| current.id == grant) else {
        return Ok(None);
    };
    let scopes = client.scopes.intersection(&current.scopes);
    Ok(Some(if client.first_party {
        Delegation::FirstParty { scopes }
    } else {
        Delegation::Granted { scopes }
    }))
}
