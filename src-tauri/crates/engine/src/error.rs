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

    #[error("no async runtime is available to run the job; this is a bug in the caller")]
    NoRuntime,
}

pub type Result<T> = std::result::Result<T, Error>;
