//! orgfleet-metadata: the Salesforce metadata formats, and nothing else.
//!
//! Orgfleet moves metadata between orgs, snapshots and projects; orgsim (the simulated
//! Salesforce) must store and serve the same files. Both need one shared, pure understanding
//! of the formats, so it lives here, without network, storage or UI dependencies:
//!
//! * [`registry`] — our own table of metadata types (directory, suffix, folders, bundles,
//!   child types and which XML collections are ordered lists or keyed sets);
//! * [`package_xml`] — `package.xml` / `destructiveChanges*.xml` manifests;
//! * [`mdapi`] — a [`mdapi::Package`]: top-level components → mdapi files, read from a folder or
//!   a retrieve/deploy zip (with zip-slip, size and corruption checks) and written to a zip;
//! * [`source`] — sfdx source-format projects converted to the same [`mdapi::Package`];
//! * [`source_write`] — the way back: a [`mdapi::Package`] written as sfdx source files;
//! * [`children`] — the child components (CustomField, CustomLabel, ...) inside a parent file;
//! * [`normalize`] — order-insensitive comparison using the registry's keyed sets;
//! * [`diff`] — the semantic diff of one component (element edits, line hunks);
//! * [`xml`] — a small lenient element tree over quick-xml, used by all of the above.

pub mod children;
pub mod diff;
pub mod error;
pub mod label;
pub mod mdapi;
pub mod normalize;
pub mod package_xml;
pub mod registry;
pub mod source;
pub mod source_write;
pub mod xml;

pub use error::{Error, Result};
pub use mdapi::{ComponentId, Package};
pub use package_xml::Manifest;

#[cfg(test)]
pub(crate) mod test_support;
