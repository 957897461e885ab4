//! Errors as they cross IPC: `{ code, message, detail }`.
//!
//! The UI branches on `code` (a closed set), never on message text; `message` is written for
//! the person at the screen and says what to do; `detail` carries technical context.

use orgfleet_engine::Error as EngineError;
use orgfleet_engine::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// The closed set of error codes the UI understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The thing asked for does not exist (job, org, snapshot).
    NotFound,
    /// The request itself is wrong (bad argument).
    InvalidInput,
    /// The action conflicts with the current state (job already finished).
    Conflict,
    /// The local database is damaged; the app cannot work until it is moved aside.
    StoreDamaged,
    /// The local database was written by a newer Orgfleet.
    StoreTooNew,
    /// The disk is full.
    DiskFull,
    /// A protected org's alias must be typed to confirm a destructive action.
    ConfirmationRequired,
    /// No OS keychain is available for org credentials.
    KeychainUnavailable,
    /// The org's session cannot be renewed: the user must reconnect the org.
    ReconnectRequired,
    /// Salesforce (or the network to it) refused or failed the request.
    Salesforce,
    /// The org's daily API request limit is used up.
    ApiLimitExceeded,
    /// A bug or an unexpected failure.
    Internal,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub detail: Option<String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::Damaged { .. } => ErrorCode::StoreDamaged,
            StoreError::TooNew { .. } => ErrorCode::StoreTooNew,
            StoreError::JobNotFound(_)
            | StoreError::OrgNotFound(_)
            | StoreError::SnapshotNotFound(_)
            | StoreError::ComponentNotFound { .. } => ErrorCode::NotFound,
            StoreError::InvalidSnapshot(_) | StoreError::InvalidDriftRule(_) => {
                ErrorCode::InvalidInput
            }
            StoreError::BlobDamaged { .. } => ErrorCode::StoreDamaged,
            StoreError::AliasTaken(_) => ErrorCode::Conflict,
            StoreError::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            e if e.is_disk_full() => ErrorCode::DiskFull,
            _ => ErrorCode::Internal,
        };
        let detail = match &e {
            StoreError::Sqlite { source, .. } => Some(source.to_string()),
            _ => None,
        };
        Self {
            code,
            message: e.to_string(),
            detail,
        }
    }
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Store(e) => e.into(),
            e @ (EngineError::JobNotRunning(_) | EngineError::JobFinished { .. }) => {
                IpcError::new(ErrorCode::Conflict, e.to_string())
            }
            e if e.needs_reconnect() => IpcError::new(ErrorCode::ReconnectRequired, e.to_string()),
            EngineError::Salesforce(e) => {
                let code = match &e {
                    orgfleet_engine::SalesforceError::RequestLimitExceeded { .. } => {
                        ErrorCode::ApiLimitExceeded
                    }
                    orgfleet_engine::SalesforceError::InsecureUrl { .. }
                    | orgfleet_engine::SalesforceError::InvalidUrl { .. }
                    | orgfleet_engine::SalesforceError::AuthUrl { .. }
                    | orgfleet_engine::SalesforceError::JwtKey { .. } => ErrorCode::InvalidInput,
                    _ => ErrorCode::Salesforce,
                };
                IpcError::new(code, e.to_string())
            }
            e @ EngineError::ReconnectNeeded { .. } => {
                IpcError::new(ErrorCode::ReconnectRequired, e.to_string())
            }
            e @ EngineError::Metadata(_) => IpcError::new(ErrorCode::InvalidInput, e.to_string()),
            e @ EngineError::InvalidInput(_) => {
                IpcError::new(ErrorCode::InvalidInput, e.to_string())
            }
            e @ EngineError::ConfirmationRequired { .. } => {
                IpcError::new(ErrorCode::ConfirmationRequired, e.to_string())
            }
            e @ EngineError::NoRuntime => IpcError::new(ErrorCode::Internal, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_message_detail() {
        let e = IpcError::new(ErrorCode::StoreDamaged, "Move it aside").with_detail("x");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "store_damaged", "message": "Move it aside", "detail": "x"})
        );
    }

    #[test]
    fn finished_job_is_a_conflict() {
        let e: IpcError = EngineError::JobFinished {
            id: 3,
            status: "succeeded",
        }
        .into();
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains("already finished"));
    }
}
