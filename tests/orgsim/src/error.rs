//! The one error type of orgsim's own plumbing (binding, config, admin). Protocol errors are
//! not Rust errors: they are rendered as the exact Salesforce wire shapes by each protocol module.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("no org with id or alias `{0}`")]
    UnknownOrg(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, Error>;
