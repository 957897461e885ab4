//! Secrets (refresh tokens, JWT key paths): in the OS keychain, never in SQLite.
//!
//! The default is the platform keychain through `keyring` (Secret Service on Linux, Keychain
//! on macOS, Credential Manager on Windows). Headless machines (CI, a server, Xvfb demos)
//! often have no Secret Service; there the user opts in explicitly to a file store with
//! `ORGFLEET_SECRET_STORE=file`: a JSON file in the data directory, mode 0600, written
//! atomically. Without that opt-in a missing keychain is an error that names both fixes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Keychain service name under which every Orgfleet secret is stored.
pub const SERVICE: &str = "dev.orgfleet";
/// Env var that opts in to the file store.
pub const STORE_ENV: &str = "ORGFLEET_SECRET_STORE";
const FILE: &str = "secrets.json";

/// Where secrets go. Values are plain strings here; callers wrap them (`Sensitive`) at once.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>>;
    fn set(&self, account: &str, secret: &str) -> Result<()>;
    /// Deleting a missing secret is not an error.
    fn delete(&self, account: &str) -> Result<()>;
    /// Shown in Settings: where secrets are kept.
    fn describe(&self) -> String;
}

/// The account name of an org's secret: one per (org id, username, purpose).
pub fn account(org_id: &str, username: &str, purpose: &str) -> String {
    format!("{org_id}:{username}:{purpose}")
}

/// Opens the secret store the environment asks for: the file store when
/// `ORGFLEET_SECRET_STORE=file`, else the OS keychain (probed, so a missing Secret Service
/// is reported now, with the fix, instead of at the first login).
pub fn open(data_dir: &Path) -> Result<Box<dyn SecretStore>> {
    match std::env::var(STORE_ENV).ok().as_deref() {
        Some("file") => Ok(Box::new(FileSecretStore::new(data_dir.join(FILE)))),
        Some("keychain") | None | Some("") => Ok(Box::new(KeychainStore::probe()?)),
        Some(other) => Err(Error::Secrets(format!(
            "{STORE_ENV}={other} is not understood; use `keychain` (default) or `file`"
        ))),
    }
}

/// The OS keychain.
#[derive(Debug)]
pub struct KeychainStore;

impl KeychainStore {
    /// Checks that a keychain backend answers.
    pub fn probe() -> Result<Self> {
        let entry = keyring::Entry::new(SERVICE, "orgfleet-probe").map_err(keychain_error)?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(Self),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, account).map_err(keychain_error)
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    Error::KeychainUnavailable(e.to_string())
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> Result<Option<String>> {
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<()> {
        Self::entry(account)?
            .set_password(secret)
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn describe(&self) -> String {
        "the operating system's keychain".into()
    }
}

/// The opt-in file store for headless machines.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Secrets(format!(
                    "the secret file {} is damaged ({e}); delete it and reconnect your orgs",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::Secrets(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    /// Writes to a temporary file created 0600, then renames over the old one.
    fn write(&self, secrets: &BTreeMap<String, String>) -> Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        let io = |e: std::io::Error| {
            if e.raw_os_error() == Some(28) {
                Error::DiskFull {
                    path: self.path.clone(),
                }
            } else {
                Error::Secrets(format!("cannot write {}: {e}", self.path.display()))
            }
        };
        let bytes =
            serde_json::to_vec_pretty(secrets).map_err(|e| Error::Secrets(e.to_string()))?;
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp).map_err(io)?;
            file.write_all(&bytes).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, account: &str) -> Result<Option<String>> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        Ok(self.read()?.remove(account))
    }

    fn set(&self, account: &str, secret: &str) -> Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read()?;
        all.insert(account.to_owned(), secret.to_owned());
        self.write(&all)
    }

    fn delete(&self, account: &str) -> Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.read()?;
        if all.remove(account).is_some() {
            self.write(&all)?;
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "the file {} (opted in with {STORE_ENV}=file)",
            self.path.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_with_private_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileSecretStore::new(dir.path().join(FILE));
        assert_eq!(store.get("a").unwrap(), None);
        store.set("a", "refresh-token-1").unwrap();
        store.set("b", "refresh-token-2").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some("refresh-token-1"));
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert_eq!(store.get("a").unwrap(), None);
        assert_eq!(store.get("b").unwrap().as_deref(), Some("refresh-token-2"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_secret_file_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        let err = FileSecretStore::new(dir.path().join(FILE))
            .get("a")
            .unwrap_err();
        assert!(err.to_string().contains("reconnect your orgs"), "{err}");
    }

    #[test]
    fn account_names_are_stable() {
        assert_eq!(account("00D1", "a@b.c", "refresh"), "00D1:a@b.c:refresh");
    }
}
