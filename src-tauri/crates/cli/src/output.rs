//! Human and JSON renderings of CLI results.

use std::io::Write;

use orgfleet_engine::{JobRecord, JobStatus, OrgRecord};
use serde::Serialize;

pub fn json<W: Write, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn progress(job: &JobRecord) -> String {
    match job.progress_total {
        Some(total) if total > 0 => format!("{}%", (job.progress_done * 100 / total).clamp(0, 100)),
        _ => "-".into(),
    }
}

pub fn jobs_table<W: Write>(out: &mut W, jobs: &[JobRecord]) -> std::io::Result<()> {
    if jobs.is_empty() {
        return writeln!(out, "No jobs yet. Run `orgfleet store check` to start one.");
    }
    writeln!(
        out,
        "{:>6}  {:<12}  {:>8}  TITLE",
        "ID", "STATUS", "PROGRESS"
    )?;
    for job in jobs {
        writeln!(
            out,
            "{:>6}  {:<12}  {:>8}  {}",
            job.id,
            job.status.as_str(),
            progress(job),
            job.title
        )?;
        if let Some(error) = &job.error {
            writeln!(out, "{:>6}  {}", "", error)?;
        }
    }
    Ok(())
}

pub fn job_outcome<W: Write>(out: &mut W, job: &JobRecord) -> std::io::Result<()> {
    match job.status {
        JobStatus::Succeeded => {
            writeln!(out, "Job {} succeeded: {}", job.id, job.title)?;
            if let Some(result) = &job.result {
                let problems = result["problems"].as_array().map_or(0, Vec::len);
                writeln!(
                    out,
                    "Store is {}; {} bytes before, {} bytes after compaction.",
                    if problems == 0 { "healthy" } else { "damaged" },
                    result["bytesBefore"],
                    result["bytesAfter"]
                )?;
            }
            Ok(())
        }
        status => writeln!(
            out,
            "Job {} {}: {}",
            job.id,
            status.as_str(),
            job.error.as_deref().unwrap_or("no details")
        ),
    }
}

pub fn usage(org: &OrgRecord) -> String {
    match (org.api_used, org.api_max) {
        (Some(used), Some(max)) if max > 0 => format!("{used}/{max} ({}%)", used * 100 / max),
        _ => "-".into(),
    }
}

pub fn orgs_table<W: Write>(out: &mut W, orgs: &[OrgRecord]) -> std::io::Result<()> {
    if orgs.is_empty() {
        return writeln!(
            out,
            "No orgs connected. Run `orgfleet org login web --alias <name>`."
        );
    }
    writeln!(
        out,
        "{:<20}  {:<10}  {:<9}  {:<32}  {:<18}  TAGS",
        "ALIAS", "KIND", "PROTECTED", "USERNAME", "API"
    )?;
    for org in orgs {
        writeln!(
            out,
            "{:<20}  {:<10}  {:<9}  {:<32}  {:<18}  {}",
            org.alias,
            org.kind.as_str(),
            if org.protected { "yes" } else { "no" },
            org.username,
            usage(org),
            org.tags.join(",")
        )?;
        if let Some(error) = &org.last_error {
            writeln!(out, "{:<20}  ! {}", "", error)?;
        }
    }
    Ok(())
}
