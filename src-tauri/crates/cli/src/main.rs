//! `orgfleet`: the command-line face of Orgfleet.
//!
//! Everything the app can do is reachable here too, headless, over the same store (the same
//! `ORGFLEET_HOME`), with `--json` output for pipelines and exit codes a CI script can branch
//! on: 0 success, 1 the operation failed, 2 usage error, 3 the store cannot be used.

mod drift;
mod error;
mod org;
mod output;
mod snapshot;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use orgfleet_engine::{Engine, JobStatus};

use crate::error::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "orgfleet",
    version,
    about = "Salesforce release and post-deployment operations across many orgs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Drift: what differs between two snapshots or project folders (exit 1 when anything
    /// does), a baseline against many snapshots, and the ignore rules.
    Drift(drift::DriftArgs),
    /// Jobs: every long-running task the app or the CLI started.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Connected orgs: login, list, check, logout.
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// Snapshots: all metadata of an org (or a project) at one moment, stored locally.
    Snapshot {
        #[command(subcommand)]
        command: snapshot::SnapshotCommand,
    },
    /// The local store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Lists jobs, newest first.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// How many jobs to show.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=50_000))]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Checks the store's integrity and compacts it (runs as a job, visible in the app).
    Check {
        /// Print the job as JSON when it ends.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORGFLEET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let engine = std::sync::Arc::new(Engine::open_default()?);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Drift(args) => drift::run(&engine, args, &mut out),
        Command::Org { command } => runtime()?.block_on(org::run(engine, command, &mut out)),
        Command::Snapshot { command } => {
            runtime()?.block_on(snapshot::run(engine, command, &mut out))
        }
        Command::Jobs {
            command: JobsCommand::List { json, limit },
        } => {
            let jobs = engine.jobs().list(limit)?;
            if json {
                output::json(&mut out, &jobs)?;
            } else {
                output::jobs_table(&mut out, &jobs)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Store {
            command: StoreCommand::Check { json },
        } => {
            let job = runtime()?.block_on(async {
                let mut events = engine.jobs().subscribe();
                let handle = engine.start_store_maintenance()?;
                let progress = tokio::spawn(async move {
                    let mut stderr = std::io::stderr();
                    while let Ok(event) = events.recv().await {
                        let job = event.job;
                        if let (Some(total), Some(phase)) = (job.progress_total, &job.phase) {
                            let _ = writeln!(stderr, "[{}/{}] {}", job.progress_done, total, phase);
                        }
                        if job.status.is_final() {
                            break;
                        }
                    }
                });
                let job = handle
                    .done
                    .await
                    .map_err(|e| CliError::Crashed(e.to_string()))??;
                let _ = progress.await;
                Ok::<_, CliError>(job)
            })?;
            if json {
                output::json(&mut out, &job)?;
            } else {
                output::job_outcome(&mut out, &job)?;
            }
            Ok(if job.status == JobStatus::Succeeded {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}
