//! The CLI's one error type, and how each error maps to an exit code.

use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Engine(#[from] orgfleet_engine::Error),

    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),

    #[error("{0}")]
    Failed(String),

    #[error("the job crashed: {0}")]
    Crashed(String),

    #[error("could not write output: {0}")]
    Output(#[from] std::io::Error),

    #[error("could not encode JSON output: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<orgfleet_engine::StoreError> for CliError {
    fn from(e: orgfleet_engine::StoreError) -> Self {
        CliError::Engine(e.into())
    }
}

impl CliError {
    /// 3 when the store itself is unusable (damaged, too new, no home), else 1.
    pub fn exit_code(&self) -> ExitCode {
        use orgfleet_engine::StoreError as S;
        match self {
            CliError::Engine(orgfleet_engine::Error::InvalidInput(_)) => ExitCode::from(2),
            CliError::Engine(orgfleet_engine::Error::Store(
                S::Damaged { .. } | S::TooNew { .. } | S::NoHome | S::DataDir { .. },
            )) => ExitCode::from(3),
            _ => ExitCode::from(1),
        }
    }
}
