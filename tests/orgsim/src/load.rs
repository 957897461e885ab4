//! Seeding an org's metadata from real files: an mdapi folder, a zip, or an sfdx project.
//!
//! orgsim orgs start from the public fixture sets (and from what the demo config names), so
//! the org's `metadata` map must be built from the same formats Salesforce and the CLI use.
//! The format work is done by `orgfleet-metadata`; this module only turns its components
//! into org [`Component`]s with ids, owners and dates.

use std::path::Path;

use orgfleet_metadata::mdapi::Package;

use crate::error::{Error, Result};
use crate::model::{Component, ComponentKey, Org};

/// Key prefix of the ids Salesforce gives components of a type (FileProperties.id).
pub fn key_prefix(type_name: &str) -> &'static str {
    match type_name {
        "ApexClass" => "01p",
        "ApexTrigger" => "01q",
        "ApexPage" => "066",
        "ApexComponent" => "099",
        "CustomObject" => "01I",
        "Layout" => "00h",
        "Profile" => "00e",
        "PermissionSet" => "0PS",
        "PermissionSetGroup" => "0PG",
        "Flow" => "301",
        "LightningComponentBundle" => "0Rb",
        "AuraDefinitionBundle" => "0Ab",
        "StaticResource" => "081",
        "CustomTab" => "01r",
        "CustomApplication" => "02u",
        "FlexiPage" => "0M0",
        "EmailTemplate" => "00X",
        "Report" => "00O",
        "Dashboard" => "01Z",
        "Document" => "015",
        "ReportFolder" | "DashboardFolder" | "DocumentFolder" | "EmailFolder" => "00l",
        "CustomLabels" => "101",
        "GlobalValueSet" => "0Nt",
        "RemoteSiteSetting" => "0rp",
        "NamedCredential" => "0XA",
        "CustomMetadata" => "m00",
        _ => "0A0",
    }
}

/// Loads every component of `pkg` into `org`, replacing components with the same key (their
/// id and creation stamp are kept). Returns how many components were loaded.
pub fn load_package(org: &mut Org, pkg: &Package) -> usize {
    let (user_id, user_name) = org
        .users
        .first()
        .map(|u| (u.id.clone(), u.name.clone()))
        .unwrap_or_else(|| ("005000000000000AAA".into(), "Automated Process".into()));
    let now = crate::soap::retrieve::now_iso();
    for (id, files) in &pkg.components {
        let key = ComponentKey::new(&id.type_name, &id.full_name);
        let existing = org
            .metadata
            .get(&key)
            .map(|c| (c.id.clone(), c.created_date.clone()));
        let (cid, created) = match existing {
            Some(e) => e,
            None => (org.mint_id(key_prefix(&id.type_name)), now.clone()),
        };
        org.metadata.insert(
            key,
            Component {
                id: cid,
                files: files.clone(),
                created_by_id: user_id.clone(),
                created_by_name: user_name.clone(),
                created_date: created,
                last_modified_by_id: user_id.clone(),
                last_modified_by_name: user_name.clone(),
                last_modified_date: now.clone(),
                namespace_prefix: None,
            },
        );
    }
    pkg.components.len()
}

/// Reads a package from a path: an sfdx project (has `sfdx-project.json`), an mdapi folder,
/// or a `.zip` file.
pub fn read_package(path: &Path) -> Result<Package> {
    let bad = |e: orgfleet_metadata::Error| Error::Invalid(format!("{}: {e}", path.display()));
    if path.is_file() {
        let bytes =
            std::fs::read(path).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        return Package::from_zip(&bytes).map_err(bad);
    }
    if path.join("sfdx-project.json").is_file() {
        return orgfleet_metadata::source::read_project(path).map_err(bad);
    }
    if path.is_dir() {
        // A repository root holding its mdapi package in `src/` (Ant Migration Tool layout).
        let src = path.join("src");
        let dir = if !path.join("package.xml").is_file() && src.is_dir() {
            src
        } else {
            path.to_path_buf()
        };
        return Package::from_dir(&dir).map_err(bad);
    }
    Err(Error::Invalid(format!(
        "{}: no such file or directory",
        path.display()
    )))
}

/// Loads an mdapi folder, zip or sfdx project into `org`.
pub fn load_path(org: &mut Org, path: &Path) -> Result<usize> {
    let pkg = read_package(path)?;
    Ok(load_package(org, &pkg))
}

/// Loads zip bytes (retrieve/deploy layout) into `org`.
pub fn load_zip(org: &mut Org, bytes: &[u8]) -> Result<usize> {
    let pkg = Package::from_zip(bytes).map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(load_package(org, &pkg))
}
