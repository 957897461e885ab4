//! Salesforce CLI auth URLs (`sf org display --verbose`, `SFDX_AUTH_URL` in CI):
//! `force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>`, with an empty secret
//! allowed, the short form `force://<refreshToken>@<instanceUrl>` (PlatformCLI), and the
//! instance written with or without `https://`. Importing one lets users skip logging in
//! again: it is a refresh login against the instance (its My Domain serves /oauth2/token).

use url::Url;

use super::{OAuthConfig, PLATFORM_CLI_CLIENT_ID, TokenSet, refresh};
use crate::error::{Error, Result};
use crate::hosts::{LoginHost, check_url};
use crate::sensitive::Sensitive;

/// A parsed auth URL.
#[derive(Debug, Clone)]
pub struct SfdxAuthUrl {
    pub client_id: String,
    pub client_secret: Option<Sensitive<String>>,
    pub refresh_token: Sensitive<String>,
    pub instance_url: Url,
}

fn bad(reason: &str) -> Error {
    Error::AuthUrl {
        reason: reason.to_owned(),
    }
}

/// Parses an auth URL (surrounding whitespace ignored). The error never echoes the input,
/// which holds a refresh token.
pub fn parse_auth_url(text: &str) -> Result<SfdxAuthUrl> {
    let rest = text
        .trim()
        .strip_prefix("force://")
        .ok_or_else(|| bad("it must start with force://"))?;
    let (credentials, host) = rest
        .rsplit_once('@')
        .ok_or_else(|| bad("the @<instanceUrl> part is missing"))?;
    let parts: Vec<&str> = credentials.split(':').collect();
    let (client_id, secret, token) = match parts.as_slice() {
        [token] => (PLATFORM_CLI_CLIENT_ID, "", *token),
        [id, secret, token] => (*id, *secret, *token),
        _ => {
            return Err(bad(
                "expected clientId:clientSecret:refreshToken before the @",
            ));
        }
    };
    if client_id.is_empty() {
        return Err(bad("the client id is empty"));
    }
    if token.is_empty() {
        return Err(bad("the refresh token is empty"));
    }
    let host = host.trim_end_matches('/');
    if host.is_empty() {
        return Err(bad("the instance URL is empty"));
    }
    let with_scheme = if host.starts_with("http://") || host.starts_with("https://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    };
    let instance_url =
        Url::parse(&with_scheme).map_err(|_| bad("the instance URL is not a URL"))?;
    check_url(&instance_url)?;
    Ok(SfdxAuthUrl {
        client_id: client_id.to_owned(),
        client_secret: (!secret.is_empty()).then(|| Sensitive::new(secret.to_owned())),
        refresh_token: Sensitive::new(token.to_owned()),
        instance_url,
    })
}

impl SfdxAuthUrl {
    /// The OAuth settings for refreshing with this URL's app, against its instance.
    pub fn oauth_config(&self) -> OAuthConfig {
        OAuthConfig::new(LoginHost::Custom(self.instance_url.clone()))
            .with_client_id(self.client_id.clone())
            .with_client_secret(self.client_secret.clone())
    }

    /// Exchanges the refresh token for a session (the import step).
    pub async fn login(&self, org: &str) -> Result<TokenSet> {
        refresh(&self.oauth_config(), &self.refresh_token, org).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants() {
        let full = parse_auth_url("force://PlatformCLI::5Aep861abc.def==@acme.my.salesforce.com\n")
            .unwrap();
        assert_eq!(full.client_id, "PlatformCLI");
        assert!(full.client_secret.is_none());
        assert_eq!(full.refresh_token.expose(), "5Aep861abc.def==");
        assert_eq!(
            full.instance_url.as_str(),
            "https://acme.my.salesforce.com/"
        );

        let with_secret =
            parse_auth_url("force://3MVG9x:ABC123:5Aep:x@https://acme.my.salesforce.com");
        assert!(
            with_secret.is_err(),
            "a colon inside the token is not a valid split"
        );
        let with_secret =
            parse_auth_url("force://3MVG9x:ABC123:5Aepx@https://acme.my.salesforce.com").unwrap();
        assert_eq!(with_secret.client_secret.unwrap().expose(), "ABC123");

        let short = parse_auth_url("force://5Aep861tok@acme.my.salesforce.com").unwrap();
        assert_eq!(short.client_id, PLATFORM_CLI_CLIENT_ID);

        let sim = parse_auth_url("force://PlatformCLI::tok@http://127.0.0.1:7001").unwrap();
        assert_eq!(sim.instance_url.as_str(), "http://127.0.0.1:7001/");
    }

    #[test]
    fn rejections_never_echo_the_token() {
        for bad in [
            "https://acme.my.salesforce.com",
            "force://secret-token-xyz",
            "force://a:b:@host",
            "force://secret-token-xyz@http://acme.my.salesforce.com",
        ] {
            let err = parse_auth_url(bad).unwrap_err();
            assert!(!err.to_string().contains("secret-token-xyz"), "{err}");
        }
    }
}
