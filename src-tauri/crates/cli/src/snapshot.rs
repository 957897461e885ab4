//! `orgfleet snapshot ...`: take, import, list, show, export and delete snapshots.
//!
//! `take` starts one job per org at once (as the app's "snapshot many orgs" does) and
//! reports each job's progress on stderr, so stdout stays clean for `--json` pipelines.
//! Exit code 1 when any org's snapshot failed; the others are still reported.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Subcommand, ValueEnum};
use orgfleet_engine::snapshot::group;
use orgfleet_engine::{Engine, ExportFormat, JobStatus, SnapshotRecord, SnapshotSource};
use serde::Serialize;

use crate::error::CliError;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Retrieves all metadata of one or more orgs into new snapshots (one job per org).
    Take {
        /// Org aliases (or row ids).
        #[arg(required = true)]
        aliases: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Imports an mdapi folder, an mdapi zip or an sfdx project folder as a snapshot.
    Import {
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Lists snapshots, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Shows a snapshot, its warnings and its components.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Writes a snapshot to disk: an mdapi zip, or an sfdx project folder (`--format source`).
    Export {
        id: i64,
        /// The zip file (mdapi) or the new project folder (source) to create.
        dest: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Mdapi)]
        format: Format,
        #[arg(long)]
        json: bool,
    },
    /// Deletes a snapshot and the stored content no other snapshot uses.
    Delete {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// A Metadata API zip with package.xml at the root.
    Mdapi,
    /// An sfdx project folder (files under force-app/main/default).
    Source,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Mdapi => ExportFormat::Mdapi,
            Format::Source => ExportFormat::Source,
        }
    }
}

/// One org's outcome of `snapshot take --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TakeOutcome {
    pub org: String,
    pub job_id: i64,
    pub status: &'static str,
    pub snapshot: Option<SnapshotRecord>,
    pub error: Option<String>,
}

fn source(record: &SnapshotRecord) -> String {
    match &record.source {
        SnapshotSource::Org { .. } => format!(
            "org {}",
            record.org_alias.as_deref().unwrap_or("(disconnected)")
        ),
        SnapshotSource::Import { path } => format!("import {path}"),
    }
}

fn summary(r: &SnapshotRecord) -> String {
    format!(
        "{} components, {} files, {} KB{}",
        group(r.component_count),
        group(r.file_count),
        group(r.total_bytes / 1024),
        if r.warnings.is_empty() {
            String::new()
        } else {
            format!(", {} warning(s)", r.warnings.len())
        }
    )
}

pub async fn run(
    engine: Arc<Engine>,
    command: SnapshotCommand,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    match command {
        SnapshotCommand::Take { aliases, json } => take(engine, &aliases, json, out).await,
        SnapshotCommand::Import { path, json } => {
            let record = tokio::task::spawn_blocking({
                let engine = engine.clone();
                move || engine.import_snapshot(&path)
            })
            .await
            .map_err(|e| CliError::Crashed(e.to_string()))??;
            if json {
                output::json(out, &record)?;
            } else {
                writeln!(out, "Snapshot {} imported: {}", record.id, summary(&record))?;
                for w in &record.warnings {
                    writeln!(out, "  ! {} {}", w.type_name, w.message)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCommand::List { json } => {
            let all = engine.snapshots()?;
            if json {
                output::json(out, &all)?;
            } else if all.is_empty() {
                writeln!(
                    out,
                    "No snapshots yet. Run `orgfleet snapshot take <alias>`."
                )?;
            } else {
                writeln!(out, "{:>6}  {:<30}  {:<24}  SIZE", "ID", "SOURCE", "LABEL")?;
                for r in &all {
                    writeln!(
                        out,
                        "{:>6}  {:<30}  {:<24}  {}",
                        r.id,
                        source(r),
                        r.label,
                        summary(r)
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCommand::Show { id, json } => {
            let record = engine.snapshot(id)?;
            let components = engine.snapshot_components(id)?;
            if json {
                output::json(
                    out,
                    &serde_json::json!({ "snapshot": record, "components": components }),
                )?;
            } else {
                writeln!(
                    out,
                    "Snapshot {} ({}, {})",
                    record.id,
                    record.label,
                    source(&record)
                )?;
                writeln!(
                    out,
                    "API version {}; {}",
                    record.api_version.as_deref().unwrap_or("-"),
                    summary(&record)
                )?;
                for w in &record.warnings {
                    writeln!(out, "  ! {} {}", w.type_name, w.message)?;
                }
                for c in &components {
                    writeln!(
                        out,
                        "{:<32}  {:<48}  {:>9}",
                        c.type_name, c.full_name, c.size
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCommand::Export {
            id,
            dest,
            format,
            json,
        } => {
            let written = tokio::task::spawn_blocking({
                let engine = engine.clone();
                move || engine.export_snapshot(id, &dest, format.into())
            })
            .await
            .map_err(|e| CliError::Crashed(e.to_string()))??;
            if json {
                output::json(out, &serde_json::json!({ "id": id, "path": written }))?;
            } else {
                writeln!(out, "Snapshot {id} written to {}", written.display())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SnapshotCommand::Delete { id, json } => {
            let gc = engine.delete_snapshot(id)?;
            if json {
                output::json(out, &gc)?;
            } else {
                writeln!(
                    out,
                    "Snapshot {id} deleted; {} unused blob(s), {} bytes freed",
                    gc.blobs_removed, gc.bytes_freed
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Snapshots each org (one job each, at once), with each job's phase on stderr, and waits
/// for all of them.
pub(crate) async fn take_all(
    engine: &Arc<Engine>,
    aliases: &[String],
) -> Result<Vec<TakeOutcome>, CliError> {
    let orgs = aliases
        .iter()
        .map(|a| engine.org(a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut events = engine.jobs().subscribe();
    let handles = engine.start_snapshots(orgs.iter().map(|o| o.id).collect())?;
    let ids: Vec<i64> = handles.iter().map(|h| h.id).collect();
    let titles: Vec<String> = orgs.iter().map(|o| o.alias.clone()).collect();
    let progress = tokio::spawn(async move {
        let mut stderr = std::io::stderr();
        let mut open = ids.len();
        while let Ok(event) = events.recv().await {
            let job = event.job;
            let Some(i) = ids.iter().position(|id| *id == job.id) else {
                continue;
            };
            if let Some(phase) = &job.phase {
                let _ = writeln!(stderr, "[{}] {phase}", titles[i]);
            }
            if job.status.is_final() {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
        }
    });
    let mut outcomes = Vec::new();
    for (org, handle) in orgs.iter().zip(handles) {
        let job = handle
            .done
            .await
            .map_err(|e| CliError::Crashed(e.to_string()))??;
        let snapshot = match (&job.status, &job.result) {
            (JobStatus::Succeeded, Some(result)) => Some(serde_json::from_value(result.clone())?),
            _ => None,
        };
        outcomes.push(TakeOutcome {
            org: org.alias.clone(),
            job_id: job.id,
            status: job.status.as_str(),
            snapshot,
            error: job.error,
        });
    }
    progress.abort();
    Ok(outcomes)
}

async fn take(
    engine: Arc<Engine>,
    aliases: &[String],
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    let outcomes = take_all(&engine, aliases).await?;
    let failed = outcomes.iter().any(|o| o.snapshot.is_none());
    if json {
        output::json(out, &outcomes)?;
    } else {
        for o in &outcomes {
            match &o.snapshot {
                Some(r) => {
                    writeln!(out, "{}: snapshot {} taken: {}", o.org, r.id, summary(r))?;
                    for w in &r.warnings {
                        writeln!(out, "  ! {} {}", w.type_name, w.message)?;
                    }
                }
                None => writeln!(
                    out,
                    "{}: {} — {}",
                    o.org,
                    o.status,
                    o.error.as_deref().unwrap_or("no details")
                )?,
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
