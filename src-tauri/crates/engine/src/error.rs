//! The engine's one error type.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] orgfleet_store::Error),

    #[error("job {0} is not running in this Orgfleet process, so it cannot be cancelled here")]
    JobNotRunning(i64),

    #[error("job {id} has already finished ({status})")]
    JobFinished { id: i64, status: &'static str },

    #[error("{0}")]
    InvalidInput(String),

    #[error("`{alias}` is a protected org: type its alias to confirm this action")]
    ConfirmationRequired { alias: String },

    #[error(transparent)]
    Metadata(#[from] orgfleet_metadata::Error),

    #[error(transparent)]
    Salesforce(#[from] orgfleet_salesforce::Error),

    #[error("The session for {alias} cannot be renewed ({reason}) — reconnect the org")]
    ReconnectNeeded { alias: String, reason: String },

    #[error("no async runtime is available to run the job; this is a bug in the caller")]
    NoRuntime,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// True when only logging in again can fix this (revoked, expired, credentials gone).
    pub fn needs_reconnect(&self) -> bool {
        match self {
            Error::ReconnectNeeded { .. } => true,
            Error::Salesforce(e) => e.is_reconnect_required(),
            _ => false,
        }
    }

    /// Names the org in errors that need reconnecting, so the message says which org.
    pub fn for_org(self, alias: &str) -> Self {
        if self.needs_reconnect() && !matches!(self, Error::ReconnectNeeded { .. }) {
            Error::ReconnectNeeded {
                alias: alias.to_owned(),
                reason: self.to_string(),
            }
        } else {
            self
        }
    }
}
