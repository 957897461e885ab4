//! `orgfleet drift <a> <b>`: what differs between two snapshots, project folders or orgs as
//! they are now (fresh snapshots), for people and pipelines; `orgfleet drift matrix` for a baseline against many snapshots;
//! `orgfleet drift rules` for the workspace's ignore rules.
//!
//! Exit codes a pipeline branches on: 0 no drift, 1 drift, 2 usage (unknown snapshot, missing
//! folder, bad arguments), 3 the store cannot be used.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use orgfleet_engine::{
    CellState, ChangeKind, DriftReport, DriftRuleKind, DriftSide, Engine, Error, NewDriftRule,
    ReportFormat, StoreError,
};

use crate::error::CliError;
use crate::output;
use crate::snapshot::take_all;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DriftArgs {
    #[command(subcommand)]
    command: Option<DriftCommand>,
    /// Left side: a snapshot id, an sfdx project folder / mdapi folder / mdapi zip, or a
    /// connected org's alias (snapshotted afresh first).
    #[arg(required = true)]
    left: Option<String>,
    /// Right side, as the left.
    #[arg(required = true)]
    right: Option<String>,
    /// Print the report as JSON.
    #[arg(long, conflicts_with_all = ["csv", "html"])]
    json: bool,
    /// Write the changes as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write a self-contained HTML review report to this file.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum DriftCommand {
    /// Compares a baseline with many snapshots: each component's state per org, and each
    /// org's conformance (share of baseline components it holds unchanged).
    Matrix {
        /// The baseline: a snapshot id or a project folder / mdapi folder / zip.
        #[arg(long)]
        baseline: String,
        /// Snapshot ids to compare with the baseline.
        #[arg(required = true)]
        snapshots: Vec<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Ignore rules applied to every comparison of this workspace.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Lists the rules.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Adds a rule: `--kind element apiVersion`, `--kind type Translations`,
    /// `--kind name --type CustomField '*.Legacy_*'`.
    Add {
        #[arg(long, value_enum)]
        kind: Kind,
        /// Only components of this type.
        #[arg(long = "type")]
        type_name: Option<String>,
        /// A type glob, a full-name glob, or an element path glob.
        pattern: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        json: bool,
    },
    /// Deletes a rule by id.
    Delete { id: i64 },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Type,
    Name,
    Element,
}

/// A snapshot id when the argument is a number and no such path exists, else a path.
fn side(arg: &str) -> Result<DriftSide, CliError> {
    let path = Path::new(arg);
    if path.exists() {
        return Ok(DriftSide::folder(path));
    }
    match arg.parse::<i64>() {
        Ok(id) => Ok(DriftSide::snapshot(id)),
        Err(_) => Err(Error::InvalidInput(format!(
            "`{arg}` is neither a snapshot id nor an existing folder or zip"
        ))
        .into()),
    }
}

/// One side of `drift <a> <b>`: a path or snapshot id as [`side`], or else the alias of a
/// connected org, which is snapshotted afresh (its progress on stderr) before comparing.
/// Every argument is checked before any snapshot is taken.
fn sides(engine: &Arc<Engine>, args: [&str; 2]) -> Result<[DriftSide; 2], CliError> {
    enum Arg {
        Side(DriftSide),
        Org(String),
    }
    let classify = |arg: &str| -> Result<Arg, CliError> {
        if let Ok(side) = side(arg) {
            return Ok(Arg::Side(side));
        }
        match engine.org(arg) {
            Ok(org) => Ok(Arg::Org(org.alias)),
            Err(_) => Err(Error::InvalidInput(format!(
                "`{arg}` is neither a snapshot id, an existing folder or zip, nor the alias of \
                 a connected org (see `orgfleet org list`)"
            ))
            .into()),
        }
    };
    let classified = [classify(args[0])?, classify(args[1])?];
    let orgs: Vec<String> = classified
        .iter()
        .filter_map(|a| match a {
            Arg::Org(alias) => Some(alias.clone()),
            Arg::Side(_) => None,
        })
        .collect();
    let fresh = if orgs.is_empty() {
        Vec::new()
    } else {
        crate::runtime()?.block_on(take_all(engine, &orgs))?
    };
    let resolve = |arg: Arg| -> Result<DriftSide, CliError> {
        let alias = match arg {
            Arg::Side(side) => return Ok(side),
            Arg::Org(alias) => alias,
        };
        let outcome = fresh
            .iter()
            .find(|o| o.org == alias)
            .ok_or_else(|| CliError::Crashed(format!("no snapshot job ran for {alias}")))?;
        match &outcome.snapshot {
            Some(record) => Ok(DriftSide::snapshot(record.id)),
            None => Err(Error::InvalidInput(format!(
                "the snapshot of {alias} {}: {}",
                outcome.status,
                outcome.error.as_deref().unwrap_or("no details")
            ))
            .into()),
        }
    };
    let [left, right] = classified;
    Ok([resolve(left)?, resolve(right)?])
}

/// An unknown snapshot or component is a usage error (exit 2), not drift (exit 1).
fn usage_when_not_found(e: Error) -> CliError {
    match e {
        Error::Store(
            e @ (StoreError::SnapshotNotFound(_) | StoreError::ComponentNotFound { .. }),
        ) => Error::InvalidInput(e.to_string()).into(),
        e => e.into(),
    }
}

pub fn run(
    engine: &Arc<Engine>,
    args: DriftArgs,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    match args.command {
        Some(DriftCommand::Matrix {
            baseline,
            snapshots,
            json,
        }) => matrix(engine, &baseline, snapshots, json, out),
        Some(DriftCommand::Rules { command }) => rules(engine, command, out),
        None => {
            let (Some(left), Some(right)) = (args.left, args.right) else {
                return Err(Error::InvalidInput("give two sides to compare".into()).into());
            };
            let [left, right] = sides(engine, [&left, &right])?;
            let report = engine.compare(left, right).map_err(usage_when_not_found)?;
            if args.json {
                output::json(out, &report)?;
            } else {
                print_report(out, &report)?;
            }
            if let Some(path) = &args.csv {
                engine.write_drift_report(&report, ReportFormat::Csv, path)?;
                eprintln!("CSV written to {}", path.display());
            }
            if let Some(path) = &args.html {
                engine.write_drift_report(&report, ReportFormat::Html, path)?;
                eprintln!("HTML report written to {}", path.display());
            }
            Ok(if report.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn print_report(out: &mut impl Write, report: &DriftReport) -> std::io::Result<()> {
    writeln!(out, "Left:  {}", report.left.description)?;
    writeln!(out, "Right: {}", report.right.description)?;
    if report.is_empty() {
        writeln!(out, "No drift.")?;
    } else {
        writeln!(out, "{}.", report.headline)?;
        writeln!(
            out,
            "{:<36} {:>6} {:>8} {:>8} {:>10}",
            "TYPE", "ADDED", "REMOVED", "CHANGED", "UNCHANGED"
        )?;
        for t in report
            .types
            .iter()
            .filter(|t| t.added + t.removed + t.changed > 0)
        {
            writeln!(
                out,
                "{:<36} {:>6} {:>8} {:>8} {:>10}",
                t.type_name, t.added, t.removed, t.changed, t.unchanged
            )?;
        }
        for c in &report.changes {
            let mark = match c.change {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
                ChangeKind::Changed => '~',
            };
            let risks: Vec<&str> = c.risks.iter().map(|r| r.as_str()).collect();
            let risks = if risks.is_empty() {
                String::new()
            } else {
                format!(" [{}]", risks.join(", "))
            };
            writeln!(
                out,
                "{mark} {} {}{risks}: {}",
                c.type_name, c.full_name, c.summary
            )?;
        }
    }
    writeln!(out, "{} change(s) ignored by rules.", report.ignored_count)
}

fn matrix(
    engine: &Engine,
    baseline: &str,
    snapshots: Vec<i64>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    let report = engine
        .matrix(side(baseline)?, snapshots)
        .map_err(usage_when_not_found)?;
    if json {
        output::json(out, &report)?;
    } else {
        writeln!(out, "Baseline: {}", report.baseline.description)?;
        writeln!(
            out,
            "{:<48} {:>11} {:>6} {:>9} {:>7} {:>5}",
            "SIDE", "CONFORMANCE", "SAME", "DIFFERENT", "MISSING", "EXTRA"
        )?;
        for c in &report.columns {
            writeln!(
                out,
                "{:<48} {:>10.1}% {:>6} {:>9} {:>7} {:>5}",
                c.side.description,
                c.conformance * 100.0,
                c.same,
                c.different,
                c.missing,
                c.extra
            )?;
        }
        for row in &report.rows {
            let cells: Vec<&str> = row
                .cells
                .iter()
                .map(|s| match s {
                    CellState::Same => "same",
                    CellState::Different => "different",
                    CellState::Missing => "missing",
                    CellState::Extra => "extra",
                    CellState::Absent => "-",
                })
                .collect();
            writeln!(
                out,
                "{} {}: {}",
                row.type_name,
                row.full_name,
                cells.join(" | ")
            )?;
        }
        writeln!(
            out,
            "{} component(s) the same everywhere; {} cell(s) ignored by rules.",
            report.same_everywhere, report.ignored_count
        )?;
    }
    Ok(if report.rows.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn rules(
    engine: &Engine,
    command: RulesCommand,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    match command {
        RulesCommand::List { json } => {
            let rules = engine.drift_rules()?;
            if json {
                output::json(out, &rules)?;
            } else if rules.is_empty() {
                writeln!(out, "No ignore rules.")?;
            } else {
                for r in &rules {
                    writeln!(
                        out,
                        "{:>4}  {:<8} {:<20} {}  {}",
                        r.id,
                        r.kind.as_str(),
                        r.type_name.as_deref().unwrap_or("*"),
                        r.pattern,
                        r.note
                    )?;
                }
            }
        }
        RulesCommand::Add {
            kind,
            type_name,
            pattern,
            note,
            json,
        } => {
            let kind = match kind {
                Kind::Type => DriftRuleKind::Type,
                Kind::Name => DriftRuleKind::Name,
                Kind::Element => DriftRuleKind::Element,
            };
            let rule = engine.add_drift_rule(&NewDriftRule {
                kind,
                type_name,
                pattern,
                note,
            })?;
            if json {
                output::json(out, &rule)?;
            } else {
                writeln!(out, "Ignore rule {} added.", rule.id)?;
            }
        }
        RulesCommand::Delete { id } => {
            engine.delete_drift_rule(id)?;
            writeln!(out, "Ignore rule {id} deleted.")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
