//! Reading and writing zip archives safely.
//!
//! Deploy zips come from clients and must be treated as hostile: entries that escape the
//! root (zip-slip), absurd sizes (zip bombs) and truncated or corrupt archives are refused
//! with clear errors instead of being trusted.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};

/// Limits applied when reading a zip. Defaults follow the Metadata API's documented limits
/// (10,000 files, 600 MB uncompressed per retrieve/deploy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self {
            max_entries: 10_000 + 16,
            max_entry_bytes: 100 * 1024 * 1024,
            max_total_bytes: 600 * 1024 * 1024,
        }
    }
}

/// Reads every file entry of a zip: normalised path (forward slashes) → content.
/// Directory entries are skipped.
pub fn read_zip_entries(bytes: &[u8], limits: &ZipLimits) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::Zip(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(Error::TooLarge(format!(
            "{} entries (limit {})",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut out = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| Error::Zip(e.to_string()))?;
        let raw = entry
            .name()
            .map_err(|e| Error::Zip(e.to_string()))?
            .into_owned();
        if entry.is_dir() {
            continue;
        }
        let path = safe_path(&raw)?;
        if entry.size() > limits.max_entry_bytes {
            return Err(Error::TooLarge(format!(
                "{path}: {} bytes (limit {})",
                entry.size(),
                limits.max_entry_bytes
            )));
        }
        // Never trust the declared size: read at most one byte past the limit.
        let mut buf = Vec::new();
        (&mut entry)
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::Zip(format!("{path}: {e}")))?;
        if buf.len() as u64 > limits.max_entry_bytes {
            return Err(Error::TooLarge(format!(
                "{path}: more than {} bytes",
                limits.max_entry_bytes
            )));
        }
        total += buf.len() as u64;
        if total > limits.max_total_bytes {
            return Err(Error::TooLarge(format!(
                "more than {} bytes uncompressed",
                limits.max_total_bytes
            )));
        }
        if out.insert(path.clone(), buf).is_some() {
            return Err(Error::Zip(format!("duplicate entry {path}")));
        }
    }
    Ok(out)
}

/// Normalises an entry name and refuses any that could escape the extraction root.
fn safe_path(raw: &str) -> Result<String> {
    let norm = raw.replace('\\', "/");
    let unsafe_path = norm.starts_with('/')
        || norm.contains('\0')
        || norm.as_bytes().get(1) == Some(&b':')
        || norm.split('/').any(|seg| seg == "..");
    if unsafe_path {
        return Err(Error::UnsafePath(raw.to_owned()));
    }
    let cleaned: Vec<&str> = norm
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if cleaned.is_empty() {
        return Err(Error::UnsafePath(raw.to_owned()));
    }
    Ok(cleaned.join("/"))
}

/// Writes `files` (paths relative to the package root) into a deflate zip under `root`.
pub(crate) fn write_zip(root: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let root = root.trim_matches('/');
    for (path, bytes) in files {
        let name = if root.is_empty() {
            path.clone()
        } else {
            format!("{root}/{path}")
        };
        writer
            .start_file(name, options)
            .map_err(|e| Error::Zip(e.to_string()))?;
        writer
            .write_all(bytes)
            .map_err(|e| Error::Zip(e.to_string()))?;
    }
    let cursor = writer.finish().map_err(|e| Error::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert_eq!(safe_path("a/./b//c.cls").unwrap(), "a/b/c.cls");
        assert_eq!(safe_path("a\\b.cls").unwrap(), "a/b.cls");
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "C:\\x",
            "..\\x",
            "",
            "./",
        ] {
            assert!(
                matches!(safe_path(bad), Err(Error::UnsafePath(_))),
                "{bad:?}"
            );
        }
    }
}
