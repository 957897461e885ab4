//! Where the store lives: `$ORGFLEET_HOME` if set, else the platform data directory
//! (`~/.local/share/orgfleet` on Linux).

use std::path::PathBuf;

use crate::error::{Error, Result};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "orgfleet.sqlite3";

/// The data directory, created if missing.
pub fn data_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os("ORGFLEET_HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => directories::ProjectDirs::from("dev", "orgfleet", "orgfleet")
            .ok_or(Error::NoHome)?
            .data_dir()
            .to_path_buf(),
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::DataDir {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
