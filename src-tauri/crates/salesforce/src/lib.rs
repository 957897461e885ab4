//! orgfleet-salesforce owns every conversation with Salesforce: the OAuth logins (browser
//! login with PKCE and a loopback listener, JWT bearer, refresh, revoke, Salesforce CLI auth
//! URLs), one [`Session`] per org (its HTTP client, refresh-on-expiry, retries with backoff,
//! a concurrency limit, API-usage accounting, API-version negotiation) and typed clients for
//! REST, Tooling and the Metadata SOAP API.
//!
//! It knows nothing of storage, the keychain, Tauri or the UI: tokens and keys come in as
//! arguments, and tokens a session obtains on its own go out through the caller's
//! [`TokenSink`]. Every secret travels in a [`Sensitive`] so it cannot reach a log or a
//! serialized payload by accident. Errors ([`Error`]) say what to do next, because they end
//! up in front of people.
//!
//! ```no_run
//! # async fn demo() -> orgfleet_salesforce::Result<()> {
//! use orgfleet_salesforce::*;
//! let login = start_web_login(WebLoginConfig::new(OAuthConfig::new(LoginHost::Production))).await?;
//! println!("open {}", login.authorize_url);
//! let tokens = login.wait(tokio_util::sync::CancellationToken::new()).await?;
//! let oauth = OAuthConfig::new(LoginHost::Production);
//! let session = Session::connect(
//!     tokens.clone(),
//!     Credentials::from_login(&oauth, &tokens),
//!     SessionConfig::new("prod"),
//!     None,
//! )
//! .await?;
//! let accounts = session.rest().query_all("SELECT Id, Name FROM Account").await?;
//! # Ok(()) }
//! ```

pub mod apex;
pub mod error;
pub mod hosts;
pub mod metadata;
pub mod oauth;
pub mod rest;
pub mod sensitive;
pub mod session;
pub mod tooling;

pub use apex::{ApexRun, LogLevel};
pub use error::{Error, Result};
pub use hosts::{LoginHost, check_url, is_loopback};
pub use metadata::{
    AsyncResult, DeployMessage, DeployOptions, DeployResult, DescribeMetadataResult,
    FileProperties, ListMetadataQuery, Metadata, MetadataRecord, Poll, RetrieveRequest,
    RetrieveResult, RunTestsResult,
};
pub use oauth::auth_url::{SfdxAuthUrl, parse_auth_url};
pub use oauth::jwt::{JwtConfig, jwt_login};
pub use oauth::sf_cli::{CliOrg, SfCli};
pub use oauth::web::{WebLogin, WebLoginConfig, start_web_login};
pub use oauth::{
    Identity, OAuthConfig, PLATFORM_CLI_CLIENT_ID, TokenSet, UserInfo, parse_identity_url, refresh,
    revoke, userinfo,
};
pub use rest::{ApiVersionInfo, Limit, QueryPages, QueryResult, Rest, SObjectDescribe};
pub use sensitive::Sensitive;
pub use session::{
    ApiUsage, Credentials, MAX_API_VERSION, RetryPolicy, Session, SessionConfig, TokenSink,
};
pub use tooling::{ApexLog, DebugLevel, ExecuteAnonymousResult, Tooling, TraceFlag};
