//! Where an app asks to be sent back after the person signs in (OAuth's redirect URI),
//! registered ahead of time and matched exactly, so a code never reaches anyone else
//! (RFC 9700 section 2.1). Native apps may register a loopback address, which matches
//! on any port, or a private-use scheme named after a domain they own (RFC 8252).

use std::fmt;

use url::{Host, Url};

/// The longest redirect URI a client may register.
pub const MAX_REDIRECT_URI_LENGTH: usize = 512;

/// The most redirect URIs one client may register.
pub const MAX_REDIRECT_URIS: usize = 10;

/// A registered redirect URI: `https://…`; `http://127.0.0.1/…` or `http://[::1]/…`
/// (any port when presented); or a private-use scheme with a dot in it, such as
/// `org.example.app:/callback`. Never a fragment, never `localhost` (it can resolve
/// elsewhere), never another scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

/// A redirect URI that may not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "must be an https URI, a loopback http URI (http://127.0.0.1/... or http://[::1]/...), or a private-use scheme such as org.example.app:/callback, without a fragment, at most 512 characters"
)]
pub struct RedirectUriRefused;

impl RedirectUri {
    /// Checks `text` against the rules above.
    ///
    /// # Errors
    /// [`RedirectUriRefused`].
    pub fn parse(text: &str) -> Result<Self, RedirectUriRefused> {
        let visible = !text.is_empty()
            && text.len() <= MAX_REDIRECT_URI_LENGTH
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        let url = Url::parse(text).map_err(|_| RedirectUriRefused)?;
        let allowed = match url.scheme() {
            "https" => {
                url.host().is_some() && url.username().is_empty() && url.password().is_none()
            }
            "http" => loopback(&url),
            scheme => private_use(scheme) && text[scheme.len() + 1..].starts_with('/'),
        };
        if visible && allowed && url.fragment().is_none() && !text.contains('#') {
            Ok(Self(text.to_owned()))
        } else {
            Err(RedirectUriRefused)
        }
    }

    /// The URI as registered.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `presented` (from an authorization request) is this URI: the same
    /// string, except that a loopback URI matches on any port (RFC 8252 section 7.3).
    #[must_use]
    pub fn matches(&self, presented: &str) -> bool {
        if self.0 == presented {
            return true;
        }
        let (Ok(registered), Ok(presented_url)) = (Url::parse(&self.0), Url::parse(presented))
        else {
            return false;
        };
        // Only the port may differ: the same host, path and query, no fragment.
        loopback(&registered)
            && loopback(&presented_url)
            && registered.host() == presented_url.host()
            && registered.path() == presented_url.path()
            && registered.query() == presented_url.query()
            && presented_url.fragment().is_none()
            && !presented.contains('#')
            && without_port(presented) == without_port(&self.0)
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// `http://127.0.0.1…` or `http://[::1]…`, with no user part.
fn loopback(url: &Url) -> bool {
    url.scheme() == "http"
        && url.username().is_empty()
        && url.password().is_none()
        && match url.host() {
            Some(Host::Ipv4(address)) => {
                address.is_loopback() && address.octets() == [127, 0, 0, 1]
            }
            Some(Host::Ipv6(address)) => address.is_loopback(),
            _ => false,
        }
}

/// A scheme named after a domain, such as `org.example.app` (RFC 8252 section 7.1).
fn private_use(scheme: &str) -> bool {
    scheme.contains('.')
        && scheme.split('.').all(|label| !label.is_empty())
        && !matches!(scheme, "javascript" | "data" | "file" | "vbscript")
}

/// `text` with the port after the host removed (`http://127.0.0.1:8080/cb` becomes
/// `http://127.0.0.1/cb`).
fn without_port(text: &str) -> String {
    let Some(rest) = text.strip_prefix("http://") else {
        return text.to_owned();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(host_end);
    let host = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => &authority[..colon],
        _ => authority,
    };
    format!("http://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_only_https_loopback_http_and_private_use_schemes() {
        for allowed in [
            "https://app.example.org/callback",
            "https://app.example.org/cb?app=1",
            "http://127.0.0.1/callback",
            "http://127.0.0.1:8080/callback",
            "http://[::1]/callback",
            "org.example.app:/callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert!(RedirectUri::parse(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "",
            "http://app.example.org/callback",
            "http://localhost/callback",
            "http://127.0.0.2/callback",
            "https://app.example.org/callback#fragment",
            "https://user@app.example.org/callback",
            "https://:secret@app.example.org/callback",
            "javascript:alert(1)",
            "data:text/html,hi",
            "myapp:/callback",
            "org.example.app:callback",
            "https://app.example.org/call back",
            "/relative/callback",
        ] {
            assert!(RedirectUri::parse(refused).is_err(), "{refused}");
        }
        assert!(RedirectUri::parse(&format!("https://a.example/{}", "x".repeat(500))).is_err());
    }

    #[test]
    fn matches_exactly_except_a_loopback_port() {
        let web = RedirectUri::parse("https://app.example.org/callback").unwrap();
        assert!(web.matches("https://app.example.org/callback"));
        assert!(!web.matches("https://app.example.org/callback/more"));
        assert!(!web.matches("https://app.example.org/callbac"));
        assert!(!web.matches("https://app.example.org/callback?x=1"));
        assert!(!web.matches("https://APP.example.org/callback"));
        assert!(!web.matches("https://app.example.org:443/callback"));

        let native = RedirectUri::parse("http://127.0.0.1/callback").unwrap();
        assert!(native.matches("http://127.0.0.1/callback"));
        assert!(native.matches("http://127.0.0.1:51234/callback"));
        assert!(!native.matches("http://127.0.0.1:51234/callback/x"));
        assert!(!native.matches("http://[::1]:51234/callback"));
        assert!(!native.matches("http://localhost:51234/callback"));
        assert!(!native.matches("http://127.0.0.1:8080?/callback"), "the path is not in the query");
        assert!(!native.matches("http://127.0.0.1:8080#/callback"), "nor in a fragment");
        assert!(!native.matches("http://127.0.0.1:8080/callback#x"));
        assert!(!native.matches("http://127.0.0.1:8080/callback?x=1"));

        let scheme = RedirectUri::parse("org.example.app:/callback").unwrap();
        assert!(scheme.matches("org.example.app:/callback"));
        assert!(!scheme.matches("org.example.app:/callback2"));
    }
}
