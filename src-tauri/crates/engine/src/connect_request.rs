//! How a user asks to connect an org: the three ways in, as one tagged type shared by the
//! app (IPC) and the CLI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A request to connect (or reconnect) an org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "method", rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectRequest {
    /// Log in through the system browser (OAuth web-server flow with PKCE).
    Web(WebConnect),
    /// JWT bearer with a connected app's private key (headless, CI).
    Jwt(JwtConnect),
    /// Import an sfdx auth URL (`force://...`), e.g. from `sf org display --verbose`.
    SfdxUrl(SfdxUrlConnect),
    /// Import an org the Salesforce CLI (`sf`) on this machine is already logged in to.
    SfCli(SfCliConnect),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SfCliConnect {
    pub alias: String,
    /// The username as `sf org list` shows it.
    pub username: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An org the Salesforce CLI knows, offered for import.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SfCliOrg {
    pub username: String,
    pub alias: Option<String>,
    pub instance_url: Option<String>,
    pub is_sandbox: bool,
    pub is_scratch: bool,
    /// The sf CLI's own status ("Connected", "RefreshTokenAuthError", ...).
    pub connected_status: Option<String>,
    /// True when Orgfleet already has this username.
    pub already_connected: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebConnect {
    pub alias: String,
    /// `production`, `sandbox`, or a My Domain URL (`https://acme.my.salesforce.com`).
    pub login_host: String,
    /// Connected-app client id; empty means the Salesforce CLI's public client id.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JwtConnect {
    pub alias: String,
    pub login_host: String,
    pub client_id: String,
    pub username: String,
    /// Path of the PEM private key file; the path (not the key) is kept in the keychain.
    pub key_path: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SfdxUrlConnect {
    pub alias: String,
    pub auth_url: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl ConnectRequest {
    pub fn alias(&self) -> &str {
        match self {
            ConnectRequest::Web(r) => &r.alias,
            ConnectRequest::Jwt(r) => &r.alias,
            ConnectRequest::SfdxUrl(r) => &r.alias,
            ConnectRequest::SfCli(r) => &r.alias,
        }
    }

    pub fn tags(&self) -> &[String] {
        match self {
            ConnectRequest::Web(r) => &r.tags,
            ConnectRequest::Jwt(r) => &r.tags,
            ConnectRequest::SfdxUrl(r) => &r.tags,
            ConnectRequest::SfCli(r) => &r.tags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shape_the_ui_sends() {
        let json = serde_json::json!({
            "method": "web", "alias": "uat", "loginHost": "sandbox", "tags": ["client-acme"]
        });
        let req: ConnectRequest = serde_json::from_value(json).unwrap();
        assert_eq!(req.alias(), "uat");
        assert!(
            matches!(req, ConnectRequest::Web(WebConnect { ref login_host, .. }) if login_host == "sandbox")
        );
    }
}
