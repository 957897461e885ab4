//! Where Orgfleet may send a token: login hosts and the https-or-loopback rule.
//!
//! Tokens are bearer credentials, so every URL the crate contacts passes [`check_url`] first:
//! https anywhere, plain http only to this machine (127.0.0.0/8, ::1, `localhost`), which is
//! where orgsim and the OAuth loopback listener live. A typo'd `http://` instance URL fails
//! loudly instead of sending a session id in clear text.

use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};

/// The production login host (`https://login.salesforce.com`).
pub const PRODUCTION_LOGIN_URL: &str = "https://login.salesforce.com";
/// The sandbox login host (`https://test.salesforce.com`).
pub const SANDBOX_LOGIN_URL: &str = "https://test.salesforce.com";

/// Where the OAuth endpoints (`/services/oauth2/*`) are reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginHost {
    /// login.salesforce.com: production and Developer Edition orgs.
    Production,
    /// test.salesforce.com: sandboxes.
    Sandbox,
    /// A My Domain (`https://acme.my.salesforce.com`) or, for tests, a loopback URL.
    Custom(Url),
}

impl LoginHost {
    /// Parses `production`, `sandbox` or a URL (a bare host gets `https://`).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "production" | "prod" | "login" | "login.salesforce.com" => Ok(Self::Production),
            "sandbox" | "test" | "test.salesforce.com" => Ok(Self::Sandbox),
            _ => {
                let with_scheme = if text.contains("://") {
                    text.to_owned()
                } else {
                    format!("https://{text}")
                };
                let url = parse_url(&with_scheme)?;
                check_url(&url)?;
                Ok(Self::Custom(url))
            }
        }
    }

    /// The base URL (no trailing slash needed by callers: use [`LoginHost::endpoint`]).
    pub fn url(&self) -> Url {
        match self {
            Self::Production => Url::parse(PRODUCTION_LOGIN_URL).expect("constant URL"),
            Self::Sandbox => Url::parse(SANDBOX_LOGIN_URL).expect("constant URL"),
            Self::Custom(url) => url.clone(),
        }
    }

    /// `<host>/services/oauth2/<name>`.
    pub fn endpoint(&self, name: &str) -> Result<Url> {
        join(&self.url(), &format!("/services/oauth2/{name}"))
    }

    /// The JWT `aud` claim: login or test.salesforce.com (never a My Domain, oauth.md §4);
    /// a loopback host (orgsim) is its own audience.
    pub fn jwt_audience(&self) -> String {
        match self {
            Self::Production => PRODUCTION_LOGIN_URL.to_owned(),
            Self::Sandbox => SANDBOX_LOGIN_URL.to_owned(),
            Self::Custom(url) if is_loopback(url) => url.as_str().trim_end_matches('/').to_owned(),
            Self::Custom(url) => {
                let host = url.host_str().unwrap_or("");
                if host.contains(".sandbox.") || host == "test.salesforce.com" {
                    SANDBOX_LOGIN_URL.to_owned()
                } else {
                    PRODUCTION_LOGIN_URL.to_owned()
                }
            }
        }
    }
}

pub(crate) fn parse_url(text: &str) -> Result<Url> {
    Url::parse(text.trim()).map_err(|e| Error::InvalidUrl {
        url: text.to_owned(),
        reason: e.to_string(),
    })
}

/// `base` with `path` (absolute, may carry a query) replacing its path.
pub(crate) fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path).map_err(|e| Error::InvalidUrl {
        url: format!("{base}{path}"),
        reason: e.to_string(),
    })
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// https anywhere; http only to loopback; nothing else.
pub fn check_url(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" | "https" => Err(Error::InsecureUrl {
            url: url.to_string(),
        }),
        other => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: format!("scheme `{other}` is not http(s)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rule() {
        for ok in [
            "https://acme.my.salesforce.com",
            "http://127.0.0.1:7150",
            "http://127.8.9.1/x",
            "http://localhost:1717",
            "http://[::1]:80",
        ] {
            assert!(check_url(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "http://acme.my.salesforce.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let err = check_url(&Url::parse(bad).unwrap()).unwrap_err();
            assert!(matches!(err, Error::InsecureUrl { .. }), "{bad}");
            assert!(err.to_string().contains("https"));
        }
        assert!(check_url(&Url::parse("ftp://x").unwrap()).is_err());
    }

    #[test]
    fn login_hosts() {
        assert_eq!(LoginHost::parse("sandbox").unwrap(), LoginHost::Sandbox);
        assert_eq!(
            LoginHost::parse("Production").unwrap(),
            LoginHost::Production
        );
        let custom = LoginHost::parse("acme.my.salesforce.com").unwrap();
        assert_eq!(
            custom.endpoint("token").unwrap().as_str(),
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        assert_eq!(custom.jwt_audience(), PRODUCTION_LOGIN_URL);
        let sb = LoginHost::parse("https://acme--uat.sandbox.my.salesforce.com").unwrap();
        assert_eq!(sb.jwt_audience(), SANDBOX_LOGIN_URL);
        let sim = LoginHost::parse("http://127.0.0.1:7150").unwrap();
        assert_eq!(sim.jwt_audience(), "http://127.0.0.1:7150");
        assert!(LoginHost::parse("http://acme.my.salesforce.com").is_err());
    }
}
