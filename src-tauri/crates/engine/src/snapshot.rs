//! Snapshots: the complete metadata of an org (or of a project on disk) at one moment, stored
//! locally so it can be browsed, compared and exported without the org.
//!
//! Taking a snapshot is a job ([`JobKind::Snapshot`]): describeMetadata → listMetadata for
//! every type → retrieves in chunks, several at a time → canonical files → one atomic write
//! ([`orgfleet_store::snapshots::write_snapshot`]). Nothing is written before the end, so a
//! cancelled or failed job leaves no snapshot. What could not be listed or retrieved is kept
//! on the snapshot as warnings, never silently dropped. Import and export live in
//! [`crate::snapshot_io`].

use std::sync::Arc;

use orgfleet_metadata::mdapi::ComponentId;
use orgfleet_salesforce::metadata::Poll;
use orgfleet_store::snapshots::{self as rows, ComponentEntry, GcReport};
use orgfleet_store::{ComponentFiles, NewSnapshot, OrgRecord, SnapshotRecord, SnapshotSource};

pub use crate::snapshot_merge::{canonical_file, is_metadata_xml};

use crate::error::{Error, Result};
use crate::jobs::{JobContext, JobFailure, JobHandle};
use crate::snapshot_plan::ChunkLimits;
use crate::snapshot_retrieve::{self, Collected, RetrieveSettings};
use crate::{Engine, JobKind};

/// How a snapshot is taken. [`Default`] is what the app and the CLI use.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    /// Only these metadata types (xmlNames); `None` = every type describeMetadata lists.
    /// Named types are listed even when describeMetadata omits them, so a type the org does
    /// not support shows up as a warning instead of being skipped quietly.
    pub types: Option<Vec<String>>,
    /// Size of each retrieve.
    pub limits: ChunkLimits,
    /// Retrieves in flight at once (the session's own concurrency limit still applies).
    pub parallel: usize,
    /// How retrieves are polled.
    pub poll: Poll,
}

impl Default for SnapshotOptions {
    fn default() -> Self {
        Self {
            types: None,
            limits: ChunkLimits::default(),
            parallel: 3,
            poll: Poll {
                interval: std::time::Duration::from_millis(500),
                ..Poll::default()
            },
        }
    }
}

impl Engine {
    /// Starts a snapshot of the org with row id `org_row_id`, as a job titled
    /// "Snapshot <alias>" whose result is the [`SnapshotRecord`].
    pub fn start_snapshot(self: &Arc<Self>, org_row_id: i64) -> Result<JobHandle> {
        self.start_snapshot_with(org_row_id, SnapshotOptions::default())
    }

    /// [`Engine::start_snapshot`] with explicit options.
    pub fn start_snapshot_with(
        self: &Arc<Self>,
        org_row_id: i64,
        options: SnapshotOptions,
    ) -> Result<JobHandle> {
        let org = orgfleet_store::orgs::get(&self.store().conn(), org_row_id)?;
        let engine = self.clone();
        let title = format!("Snapshot {}", org.alias);
        self.jobs()
            .start(JobKind::Snapshot, &title, move |ctx| async move {
                let record = engine.take_snapshot(&org, &options, &ctx).await?;
                serde_json::to_value(&record).map_err(JobFailure::from)
            })
    }

    /// Starts one snapshot job per org, all at once (each org has its own session and limits).
    /// Stops at the first org that cannot be started (unknown id); jobs already started run on.
    pub fn start_snapshots(self: &Arc<Self>, orgs: Vec<i64>) -> Result<Vec<JobHandle>> {
        orgs.into_iter().map(|id| self.start_snapshot(id)).collect()
    }

    async fn take_snapshot(
        &self,
        org: &OrgRecord,
        options: &SnapshotOptions,
        ctx: &JobContext,
    ) -> std::result::Result<SnapshotRecord, JobFailure> {
        let (api_version, collected) = self.retrieve_org(org, options, ctx).await?;
        ctx.checkpoint()?;
        let meta = NewSnapshot {
            source: SnapshotSource::Org { org_row_id: org.id },
            label: org.alias.clone(),
            api_version: Some(api_version),
            warnings: Vec::new(),
        };
        self.store_collected(meta, collected, ctx).await
    }

    /// Connects, lists and retrieves; session errors are recorded on the org as for any call.
    async fn retrieve_org(
        &self,
        org: &OrgRecord,
        options: &SnapshotOptions,
        ctx: &JobContext,
    ) -> std::result::Result<(String, Collected), JobFailure> {
        let fail = |e: Error| {
            let e = e.for_org(&org.alias);
            self.record_outcome(org, None, Some(&e));
            if e.needs_reconnect() {
                self.forget_session(org.id);
            }
            JobFailure::Failed(e.to_string())
        };
        ctx.progress(0, None, "Connecting");
        let session = self.session(org).await.map_err(fail)?;
        let api_version = session.api_version().await.map_err(|e| fail(e.into()))?;
        ctx.checkpoint()?;
        let mut warnings = Vec::new();
        let type_names = match &options.types {
            Some(types) => types.clone(),
            None => {
                ctx.progress(0, None, "Describing metadata types");
                let describe = session
                    .metadata()
                    .describe_metadata()
                    .await
                    .map_err(|e| fail(e.into()))?;
                describe
                    .metadata_objects
                    .into_iter()
                    .map(|o| o.xml_name)
                    .collect()
            }
        };
        let listed = snapshot_retrieve::list_all(&session, &type_names, ctx, &mut warnings).await?;
        let settings = RetrieveSettings {
            api_version: api_version.clone(),
            limits: options.limits,
            parallel: options.parallel,
            poll: options.poll.clone(),
        };
        let mut collected =
            snapshot_retrieve::retrieve_all(session.clone(), &listed, &settings, ctx).await?;
        self.record_outcome(org, Some(&session), None);
        warnings.append(&mut collected.warnings);
        collected.warnings = warnings;
        Ok((api_version, collected))
    }

    /// Merges profile fragments and writes the snapshot in one transaction.
    pub(crate) async fn store_collected(
        &self,
        mut meta: NewSnapshot,
        collected: Collected,
        ctx: &JobContext,
    ) -> std::result::Result<SnapshotRecord, JobFailure> {
        let Collected {
            mut components,
            fragments,
            warnings,
        } = collected;
        meta.warnings.extend(warnings);
        let (merged, problems) = fragments.merge();
        for p in problems {
            meta.warnings.push(orgfleet_store::SnapshotWarning {
                type_name: "Profile".into(),
                message: format!("profile fragments could not be merged: {p}"),
            });
        }
        for (type_name, full_name, files) in merged {
            components.insert(
                ComponentId::new(type_name, full_name),
                files.into_iter().collect(),
            );
        }
        let n = components.len() as i64;
        ctx.progress(0, Some(n), &format!("Storing {} components", group(n)));
        ctx.checkpoint()?;
        let store = self.store().clone();
        let record = tokio::task::spawn_blocking(move || {
            rows::write_snapshot(
                &store,
                &meta,
                components.into_iter().map(|(id, files)| ComponentFiles {
                    type_name: id.type_name,
                    full_name: id.full_name,
                    files,
                }),
            )
        })
        .await
        .map_err(|e| JobFailure::Failed(format!("storing the snapshot crashed: {e}")))?
        .map_err(|e| JobFailure::Failed(e.to_string()))?;
        ctx.progress(n, Some(n), &format!("Stored {} components", group(n)));
        Ok(record)
    }

    /// Every snapshot, newest first.
    pub fn snapshots(&self) -> Result<Vec<SnapshotRecord>> {
        Ok(rows::list(&self.store().conn())?)
    }

    pub fn snapshot(&self, id: i64) -> Result<SnapshotRecord> {
        Ok(rows::get(&self.store().conn(), id)?)
    }

    /// The components of a snapshot, sorted by type and name.
    pub fn snapshot_components(&self, id: i64) -> Result<Vec<ComponentEntry>> {
        Ok(rows::components(&self.store().conn(), id)?)
    }

    /// The files of one component (mdapi paths → stored content).
    pub fn snapshot_file(
        &self,
        id: i64,
        type_name: &str,
        full_name: &str,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let files = rows::component_files(&self.store().conn(), id, type_name, full_name)?;
        if files.is_empty() {
            return Err(Error::InvalidInput(format!(
                "snapshot {id} has no component {type_name} {full_name}"
            )));
        }
        Ok(files)
    }

    /// Deletes a snapshot and the stored content no other snapshot uses.
    pub fn delete_snapshot(&self, id: i64) -> Result<GcReport> {
        Ok(rows::delete(&mut self.store().conn(), id)?)
    }
}

/// 1234567 → "1,234,567", for progress phases.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(1234), "1,234");
        assert_eq!(super::group(1234567), "1,234,567");
    }
}
