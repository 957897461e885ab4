//! The one error type of the crate. Every message says what went wrong *and what to do*,
//! because these strings reach people (the Orgs page, the CLI) through the engine; the
//! variant is what code branches on (`is_reconnect_required`, `is_retryable`, ...).

use std::time::Duration;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A URL that is not https (and not loopback), or not a URL at all.
    #[error(
        "Refusing to contact {url}: Salesforce must be reached over https (plain http is only \
         allowed to this machine, 127.0.0.1/localhost) — check the login or instance URL"
    )]
    InsecureUrl { url: String },

    #[error("`{url}` is not a usable URL ({reason}) — check the login or instance URL")]
    InvalidUrl { url: String, reason: String },

    /// The access token expired and no refresh was possible or it did not help.
    #[error("The session for {org} expired and could not be refreshed — reconnect the org")]
    SessionExpired { org: String },

    /// Salesforce refused the stored refresh token / JWT grant: the user must log in again.
    #[error(
        "Salesforce no longer accepts the saved login for {org} ({reason}) — reconnect this org"
    )]
    ReconnectRequired { org: String, reason: String },

    /// The token endpoint answered an OAuth error during a login.
    #[error("Salesforce refused the login: {error}: {description} — {advice}")]
    OAuth {
        error: String,
        description: String,
        advice: &'static str,
    },

    #[error("The login was cancelled")]
    LoginCancelled,

    /// Waiting for a retrieve or deploy was cancelled (the job itself may still run).
    #[error(
        "Stopped waiting for {what} {id} — it may still be running in the org; check Setup → Deployment Status"
    )]
    WaitCancelled { what: &'static str, id: String },

    #[error(
        "{what} {id} was still running after {} s — it may still finish; check Setup → \
         Deployment Status or poll it again later", .waited.as_secs()
    )]
    JobTimedOut {
        what: &'static str,
        id: String,
        waited: Duration,
    },

    #[error(
        "The browser login did not finish within {} minutes — start the login again and \
         complete it in the browser", .0.as_secs() / 60
    )]
    LoginTimedOut(Duration),

    #[error(
        "The login redirect carried a state that does not match this login (possible \
         cross-site request forgery) — start the login again from Orgfleet"
    )]
    StateMismatch,

    #[error(
        "The login was not completed in the browser: {error}: {description} — try again and approve access"
    )]
    LoginDenied { error: String, description: String },

    #[error(
        "Cannot listen on {addr} for the login redirect ({reason}) — close the program using \
         that port (for example another `sf org login web`) or choose another port"
    )]
    LoopbackBind { addr: String, reason: String },

    #[error(
        "The JWT private key cannot be used: {reason} — give the RSA private key (PEM) of the connected app's certificate"
    )]
    JwtKey { reason: String },

    #[error(
        "Not a valid Salesforce CLI auth URL: {reason} — expected \
         force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl> (from `sf org display --verbose`)"
    )]
    AuthUrl { reason: String },

    /// The Salesforce CLI could not be run or gave no usable answer.
    #[error("The Salesforce CLI (`sf`) {reason} — {advice}")]
    SfCli {
        reason: String,
        advice: &'static str,
    },

    /// Connection refused / reset / DNS / timeouts, after the retries allowed.
    #[error(
        "Cannot reach {host} after {attempts} attempt(s) ({detail}) — check the network \
         connection, a proxy or VPN, and that the org's URL is right"
    )]
    Unreachable {
        host: String,
        attempts: u32,
        detail: String,
    },

    /// The org's daily API allowance is spent.
    #[error(
        "{org} has used up its API request allowance ({message}) — wait for the rolling \
         24-hour window to free requests, or ask Salesforce to raise the limit"
    )]
    RequestLimitExceeded { org: String, message: String },

    /// A REST error `[{message, errorCode}]`.
    #[error("Salesforce answered {error_code} (HTTP {status}) for {org}: {message}")]
    Api {
        org: String,
        status: u16,
        error_code: String,
        message: String,
    },

    /// A SOAP fault (`sf:INVALID_TYPE`, ...).
    #[error("The Metadata API answered {fault_code} for {org}: {message}")]
    SoapFault {
        org: String,
        fault_code: String,
        message: String,
    },

    /// 5xx after the retries allowed (or on a call that must not be retried).
    #[error(
        "Salesforce had a server error (HTTP {status}) for {org} after {attempts} attempt(s): \
         {detail} — try again later; check status.salesforce.com if it persists"
    )]
    Server {
        org: String,
        status: u16,
        attempts: u32,
        detail: String,
    },

    /// A response we could not understand (not JSON, missing fields, bad XML, bad base64).
    #[error(
        "Unexpected answer from Salesforce ({what}): {detail} — this may be a proxy page or an unsupported API version"
    )]
    UnexpectedResponse { what: String, detail: String },

    /// Something asked of this crate that cannot be done as configured.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// True when the person must log in to the org again (the UI offers "Reconnect").
    pub fn is_reconnect_required(&self) -> bool {
        matches!(
            self,
            Error::ReconnectRequired { .. } | Error::SessionExpired { .. }
        )
    }

    /// The Salesforce error code carried (REST `errorCode`, SOAP fault code), if any.
    pub fn salesforce_code(&self) -> Option<&str> {
        match self {
            Error::Api { error_code, .. } => Some(error_code),
            Error::SoapFault { fault_code, .. } => Some(fault_code),
            Error::RequestLimitExceeded { .. } => Some("REQUEST_LIMIT_EXCEEDED"),
            _ => None,
        }
    }

    pub(crate) fn unexpected(what: impl Into<String>, detail: impl ToString) -> Self {
        Error::UnexpectedResponse {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
