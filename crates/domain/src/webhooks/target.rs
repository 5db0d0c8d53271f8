//! Where webhooks may be sent: `https` addresses of public hosts only, so that a
//! subscription can never make Waymark reach into its own network (SSRF). The host is
//! checked when the subscription is made, and every address it resolves to is checked
//! again at each delivery (a name can be pointed elsewhere after it was checked).
//! Loopback may be allowed for tests and local development, and then plain `http` to
//! loopback too; nothing else private ever is.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The longest address a subscription may have.
pub const MAX_WEBHOOK_URL_LENGTH: usize = 1000;

/// Which addresses deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPolicy {
    /// Public addresses only, over `https` (production).
    PublicOnly,
    /// Also loopback, over `http` or `https` (tests and local development only).
    LoopbackAllowed,
}

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefused {
    /// Not an absolute `https` URL of at most 1,000 characters, without credentials
    /// or a fragment.
    #[error(
        "must be an https URL of at most 1000 characters, without user name, password or fragment"
    )]
    NotHttps,
    /// Its host is, or resolves to, an address that is not public.
    #[error("must reach a public address: not loopback, private, link-local, shared or reserved")]
    NotPublic,
}

/// A subscription's address, checked against a [`TargetPolicy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    /// Checks `text` against `policy`: its scheme, and its host if it is an IP address
    /// (a name is checked when it is resolved, at each delivery).
    ///
    /// # Errors
    /// [`TargetRefused`] as above.
    pub fn parse(text: &str, policy: TargetPolicy) -> Result<Self, TargetRefused> {
        if text.len() > MAX_WEBHOOK_URL_LENGTH {
            return Err(TargetRefused::NotHttps);
        }
        let url = Url::parse(text).map_err(|_| TargetRefused::NotHttps)?;
        let plain_http_allowed = policy == TargetPolicy::LoopbackAllowed && is_loopback_host(&url);
        let scheme_allowed =
            url.scheme() == "https" || (url.scheme() == "http" && plain_http_allowed);
        if !scheme_allowed
            || url.host().is_none()
            || !url.username().is_empty()
            || url.password().is_some()
            || url.fragment().is_some()
        {
            return Err(TargetRefused::NotHttps);
        }
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !policy.allows(ip)) {
            return Err(TargetRefused::NotPublic);
        }
        Ok(Self(url))
    }

    /// Reads a stored address again without checking it (it was checked when it was
    /// stored, and every delivery checks where it resolves).
    #[must_use]
    pub fn stored(text: &str) -> Option<Self> {
        Url::parse(text).ok().map(Self)
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The address, for an HTTP client.
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl TargetPolicy {
    /// Whether a delivery may connect to `ip`.
    #[must_use]
    pub fn allows(self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 @ IpAddr::V4(_) => v4,
        };
        if ip.is_loopback() {
            return self == Self::LoopbackAllowed;
        }
        match ip {
            IpAddr::V4(v4) => is_public_v4(v4),
            IpAddr::V6(v6) => is_public_v6(v6),
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata included
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if nat64 {
        let [_, _, _, _, _, _, high, low] = segments;
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || segments[0] == 0x2001 && segments[1] == 0x0db8 // documentation
        || segments[0] == 0x2002 // 6to4: may wrap any IPv4 address
        || segments[0] == 0x2001 && segments[1] == 0) // Teredo: as above
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_public_hosts_in_production() {
        let production = TargetPolicy::PublicOnly;
        assert!(WebhookUrl::parse("https://hooks.example.org/waymark", production).is_ok());
        for refused in [
            "http://hooks.example.org/",
            "ftp://hooks.example.org/",
            "https://user:pw@hooks.example.org/",
            "https://hooks.example.org/#part",
            "not a url",
        ] {
            assert_eq!(
                WebhookUrl::parse(refused, production),
                Err(TargetRefused::NotHttps),
                "{refused}"
            );
        }
        for private in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fd00:ec2::254]/",
            "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
        ] {
            assert_eq!(
                WebhookUrl::parse(private, production),
                Err(TargetRefused::NotPublic),
                "{private}"
            );
        }
    }

    #[test]
    fn loopback_only_when_allowed_and_nothing_else_private() {
        let local = TargetPolicy::LoopbackAllowed;
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", local).is_ok());
        assert!(WebhookUrl::parse("http://localhost:9000/hook", local).is_ok());
        assert!(WebhookUrl::parse("http://hooks.example.org/", local).is_err());
        assert_eq!(WebhookUrl::parse("https://10.0.0.1/", local), Err(TargetRefused::NotPublic));
        assert!(local.allows("127.0.0.1".parse().unwrap()));
        assert!(!TargetPolicy::PublicOnly.allows("127.0.0.1".parse().unwrap()));
        assert!(TargetPolicy::PublicOnly.allows("93.184.215.14".parse().unwrap()));
        assert!(TargetPolicy::PublicOnly.allows("2606:4700::6810:84e5".parse().unwrap()));
    }
}
