//! The one error type of the metadata crate: malformed XML, manifests, zips and projects.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not well-formed XML (the file name, when known, is in `context`).
    #[error("invalid XML in {context}: {message}")]
    Xml { context: String, message: String },
    /// A manifest (package.xml, destructiveChanges.xml) that is XML but not a `Package`.
    #[error("invalid manifest {name}: {message}")]
    Manifest { name: String, message: String },
    /// The zip could not be read: truncated, corrupt, or not a zip at all.
    #[error(
        "corrupt or truncated zip: {0}. Nothing was read from it; download or retrieve the zip \
         again (an interrupted copy is the usual cause)"
    )]
    Zip(String),
    /// A zip entry whose path escapes the package root (`../x`, `/etc/x`, `C:\x`).
    #[error(
        "unsafe path in zip: {0} (it points outside the package folder). The zip was refused; \
         rebuild it with paths relative to the package root"
    )]
    UnsafePath(String),
    /// A zip entry or the whole archive exceeds the configured size/count limit.
    #[error(
        "zip too large: {0}. The zip was refused; split it into smaller packages (fewer \
         components per package.xml) and try again"
    )]
    TooLarge(String),
    /// No `package.xml` (or the named manifest) where one was required.
    #[error("no package.xml found")]
    NoManifest,
    /// An sfdx project that cannot be read (no sfdx-project.json, bad JSON, missing dirs).
    #[error("invalid sfdx project {path}: {message}")]
    Project { path: String, message: String },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
