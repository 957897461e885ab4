//! The network half of an org snapshot: listing every component and retrieving them in
//! chunks, several at a time.
//!
//! Failures are kept as narrow as possible, because one odd type must not cost the user the
//! whole snapshot: a listMetadata call that faults is repeated query by query and only the
//! faulting types become warnings; a retrieve that fails is repeated type by type and only
//! the types that still fail become warnings. Transport and login errors fail the job (the
//! snapshot would be wrong everywhere, not in one place).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use orgfleet_metadata::mdapi::{ComponentId, Files, Package};
use orgfleet_metadata::registry::STANDARD_VALUE_SETS;
use orgfleet_salesforce::Session;
use orgfleet_salesforce::metadata::{ListMetadataQuery, Poll, RetrieveRequest, RetrieveResult};
use orgfleet_store::SnapshotWarning;
use tokio::task::JoinSet;

use crate::jobs::{JobContext, JobFailure};
use crate::snapshot_merge::{FragmentSet, canonical_files};
use crate::snapshot_plan::{self, Chunk, ChunkLimits, Listed, PROFILE_TYPES};

/// Listed as a type but never listed by name (a documented Salesforce quirk), so retrieved
/// by the names in [`STANDARD_VALUE_SETS`].
const STANDARD_VALUE_SET: &str = "StandardValueSet";

/// What the retrieves produced, before storing.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub components: BTreeMap<ComponentId, Vec<(String, Vec<u8>)>>,
    pub fragments: FragmentSet,
    pub warnings: Vec<SnapshotWarning>,
}

fn warning(type_name: &str, message: impl Into<String>) -> SnapshotWarning {
    SnapshotWarning {
        type_name: type_name.to_owned(),
        message: message.into(),
    }
}

/// A Salesforce answer about this request (fault, error code), as opposed to a transport,
/// login or budget problem that would hit every request alike.
fn is_request_specific(e: &orgfleet_salesforce::Error) -> bool {
    e.salesforce_code()
        .is_some_and(|c| c != "REQUEST_LIMIT_EXCEEDED")
        && !e.is_reconnect_required()
}

fn cancelled_or(ctx: &JobContext, e: impl std::fmt::Display) -> JobFailure {
    if ctx.cancellation().is_cancelled() {
        JobFailure::Cancelled
    } else {
        JobFailure::Failed(e.to_string())
    }
}

/// Runs the queries three per call; a faulting call is repeated one query at a time.
async fn run_queries(
    session: &Session,
    queries: &[ListMetadataQuery],
    done: &mut usize,
    total: usize,
    ctx: &JobContext,
    warnings: &mut Vec<SnapshotWarning>,
) -> Result<Vec<Listed>, JobFailure> {
    let mut out = Vec::new();
    let to_listed = |rows: Vec<orgfleet_salesforce::metadata::FileProperties>| {
        rows.into_iter().map(|r| Listed {
            type_name: r.type_name,
            full_name: r.full_name,
        })
    };
    for call in queries.chunks(orgfleet_salesforce::metadata::MAX_LIST_QUERIES) {
        ctx.checkpoint()?;
        match session.metadata().list_metadata(call).await {
            Ok(rows) => out.extend(to_listed(rows)),
            Err(e) if is_request_specific(&e) => {
                for q in call {
                    ctx.checkpoint()?;
                    match session
                        .metadata()
                        .list_metadata(std::slice::from_ref(q))
                        .await
                    {
                        Ok(rows) => out.extend(to_listed(rows)),
                        Err(e) if is_request_specific(&e) => {
                            let what = q
                                .folder
                                .as_ref()
                                .map_or_else(String::new, |f| format!(" (folder {f})"));
                            warnings.push(warning(
                                &q.type_name,
                                format!("could not be listed{what}: {e}"),
                            ));
                        }
                        Err(e) => return Err(cancelled_or(ctx, e)),
                    }
                }
            }
            Err(e) => return Err(cancelled_or(ctx, e)),
        }
        *done += call.len();
        ctx.progress(
            *done as i64,
            Some(total as i64),
            &format!("Listing metadata {done}/{total} types"),
        );
    }
    Ok(out)
}

/// Lists every component of `type_names` (folders first, then folder contents).
pub(crate) async fn list_all(
    session: &Session,
    type_names: &[String],
    ctx: &JobContext,
    warnings: &mut Vec<SnapshotWarning>,
) -> Result<Vec<Listed>, JobFailure> {
    let first = snapshot_plan::first_queries(type_names);
    let mut done = 0;
    let mut listed = run_queries(session, &first, &mut done, first.len(), ctx, warnings).await?;
    let folder_types: Vec<&str> = first.iter().map(|q| q.type_name.as_str()).collect();
    let folders: Vec<Listed> = listed
        .iter()
        .filter(|l| folder_types.contains(&l.type_name.as_str()))
        .filter(|l| {
            orgfleet_metadata::registry::by_name(&l.type_name).is_some_and(|t| t.is_folder_type())
        })
        .cloned()
        .collect();
    let second: Vec<ListMetadataQuery> = snapshot_plan::folder_queries(&folders)
        .into_iter()
        .filter(|q| {
            orgfleet_metadata::registry::by_name(&q.type_name)
                .and_then(|t| t.folder_type)
                .is_some_and(|f| folder_types.contains(&f))
        })
        .collect();
    let total = first.len() + second.len();
    listed.extend(run_queries(session, &second, &mut done, total, ctx, warnings).await?);
    // listMetadata never lists standard value sets: ask for each by name; the retrieve
    // skips those the org does not have (see `absorb`).
    if first.iter().any(|q| q.type_name == STANDARD_VALUE_SET)
        && !listed.iter().any(|l| l.type_name == STANDARD_VALUE_SET)
    {
        listed.extend(STANDARD_VALUE_SETS.iter().map(|name| Listed {
            type_name: STANDARD_VALUE_SET.to_owned(),
            full_name: (*name).to_owned(),
        }));
    }
    Ok(listed)
}

/// How the retrieves run.
pub(crate) struct RetrieveSettings {
    pub api_version: String,
    pub limits: ChunkLimits,
    pub parallel: usize,
    pub poll: Poll,
}

enum Outcome {
    Done(Box<RetrieveResult>),
    /// Salesforce refused or failed this request.
    Refused(String),
}

async fn retrieve_one(
    session: Arc<Session>,
    request: RetrieveRequest,
    poll: Poll,
    cancel: tokio_util::sync::CancellationToken,
) -> Result<Outcome, orgfleet_salesforce::Error> {
    match session
        .metadata()
        .retrieve_and_wait(&request, &poll, &cancel)
        .await
    {
        Ok(r) if r.success && r.error_message.is_none() && r.zip.is_some() => {
            Ok(Outcome::Done(Box::new(r)))
        }
        Ok(r) => Ok(Outcome::Refused(r.error_message.unwrap_or_else(|| {
            format!("the retrieve ended with status {}", r.status)
        }))),
        Err(e) if is_request_specific(&e) => Ok(Outcome::Refused(e.to_string())),
        Err(e) => Err(e),
    }
}

/// Retrieves every listed component, [`RetrieveSettings::parallel`] requests at a time.
pub(crate) async fn retrieve_all(
    session: Arc<Session>,
    listed: &[Listed],
    settings: &RetrieveSettings,
    ctx: &JobContext,
) -> Result<Collected, JobFailure> {
    let mut pending: VecDeque<Chunk> = snapshot_plan::plan(listed, &settings.limits).into();
    let mut total = pending.len();
    let mut finished = 0usize;
    let mut collected = Collected::default();
    let mut running: JoinSet<(Chunk, Result<Outcome, orgfleet_salesforce::Error>)> = JoinSet::new();
    ctx.progress(
        0,
        Some(total as i64),
        &format!("Retrieving 0/{total} chunks"),
    );
    loop {
        while running.len() < settings.parallel.max(1) {
            let Some(chunk) = pending.pop_front() else {
                break;
            };
            ctx.checkpoint()?;
            let request = RetrieveRequest {
                api_version: settings.api_version.clone(),
                single_package: true,
                types: snapshot_plan::request_types(&chunk),
                package_names: Vec::new(),
            };
            let (session, poll, cancel) = (
                session.clone(),
                settings.poll.clone(),
                ctx.cancellation().clone(),
            );
            running.spawn(async move {
                let outcome = retrieve_one(session, request, poll, cancel).await;
                (chunk, outcome)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (chunk, outcome) =
            joined.map_err(|e| JobFailure::Failed(format!("a retrieve crashed: {e}")))?;
        match outcome.map_err(|e| cancelled_or(ctx, e))? {
            Outcome::Done(result) => absorb(&mut collected, *result)?,
            Outcome::Refused(message) => {
                let split = split_refused(&chunk);
                if split.is_empty() {
                    let (t, name) = chunk
                        .first()
                        .map_or(("", ""), |l| (l.type_name.as_str(), l.full_name.as_str()));
                    collected.warnings.push(warning(
                        t,
                        format!("{name} could not be retrieved: {message}"),
                    ));
                } else {
                    total += split.len();
                    pending.extend(split);
                }
            }
        }
        finished += 1;
        ctx.progress(
            finished as i64,
            Some(total as i64),
            &format!("Retrieving {finished}/{total} chunks"),
        );
    }
    ctx.checkpoint()?;
    Ok(collected)
}

/// A refused chunk retried smaller: per type, or (one type) in halves, so only the
/// components that really fail are lost. A single component cannot be split.
fn split_refused(chunk: &[Listed]) -> Vec<Chunk> {
    let mut by_type: BTreeMap<&str, Chunk> = BTreeMap::new();
    for l in chunk {
        by_type.entry(&l.type_name).or_default().push(l.clone());
    }
    if by_type.len() > 1 {
        return by_type.into_values().collect();
    }
    if chunk.len() > 1 {
        let (a, b) = chunk.split_at(chunk.len() / 2);
        return vec![a.to_vec(), b.to_vec()];
    }
    Vec::new()
}

/// Adds a finished retrieve's components; its "cannot be found" messages become warnings.
fn absorb(collected: &mut Collected, result: RetrieveResult) -> Result<(), JobFailure> {
    for m in &result.messages {
        let type_name = m
            .problem
            .split("of type '")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap_or_default();
        // Standard value sets are asked for by name, so an org without one is expected.
        if type_name == STANDARD_VALUE_SET && m.problem.contains("cannot be found") {
            continue;
        }
        collected.warnings.push(warning(
            type_name,
            format!("{}: {}", m.file_name, m.problem),
        ));
    }
    let zip = result.zip.unwrap_or_default();
    let pkg = Package::from_zip(&zip).map_err(|e| {
        JobFailure::Failed(format!(
            "Salesforce sent a retrieve zip Orgfleet cannot read: {e}"
        ))
    })?;
    collected
        .warnings
        .extend(crate::snapshot_merge::unclassified_warning(
            &pkg,
            "retrieved",
        ));
    for (id, files) in pkg.components {
        if PROFILE_TYPES.contains(&id.type_name.as_str()) {
            collected.fragments.add(&id.type_name, &id.full_name, files);
        } else {
            let files: Files = files;
            let stored = canonical_files(&id.type_name, files);
            collected.components.insert(id, stored);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: &str, n: &str) -> Listed {
        Listed {
            type_name: t.into(),
            full_name: n.into(),
        }
    }

    #[test]
    fn refused_chunks_are_retried_per_type_then_in_halves() {
        let mixed = [l("ApexClass", "A"), l("ApexClass", "B"), l("Flow", "F")];
        assert_eq!(
            split_refused(&mixed),
            [
                vec![l("ApexClass", "A"), l("ApexClass", "B")],
                vec![l("Flow", "F")]
            ]
        );
        assert_eq!(
            split_refused(&mixed[..2]),
            [vec![l("ApexClass", "A")], vec![l("ApexClass", "B")]]
        );
        assert!(split_refused(&mixed[..1]).is_empty());
    }
}
