//! `orgfleet org ...`: connect, list, check and disconnect orgs from the command line.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use orgfleet_engine::connect_request::{
    ConnectRequest, JwtConnect, SfCliConnect, SfdxUrlConnect, WebConnect,
};
use orgfleet_engine::{Engine, JobStatus, OrgRecord};

use crate::error::CliError;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Connects an org (or reconnects it: the same org and user update the existing entry).
    Login {
        #[command(subcommand)]
        method: LoginMethod,
    },
    /// Lists the orgs the Salesforce CLI (`sf`) is logged in to, for `org login sf-cli`.
    SfList {
        #[arg(long)]
        json: bool,
    },
    /// Lists connected orgs.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Checks that an org answers, and records its API usage.
    Check {
        alias: String,
        #[arg(long)]
        json: bool,
    },
    /// Disconnects an org: revokes its session and forgets its credentials.
    Logout {
        alias: String,
        /// Required for protected orgs (production by default): the alias again.
        #[arg(long)]
        confirm: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// Name used everywhere for this org (letters, digits, - _ .).
    #[arg(long)]
    alias: String,
    /// Comma-separated tags, e.g. client-acme,uat.
    #[arg(long, value_delimiter = ',')]
    tags: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum LoginMethod {
    /// Browser login (OAuth with PKCE); prints the URL and opens the browser.
    Web {
        #[command(flatten)]
        common: Common,
        /// production, sandbox, or a My Domain URL.
        #[arg(long, default_value = "production")]
        instance_url: String,
        /// Connected-app client id (default: the Salesforce CLI's public one).
        #[arg(long)]
        client_id: Option<String>,
    },
    /// JWT bearer login with a connected app's private key (CI, headless).
    Jwt {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        key_file: String,
        #[arg(long, default_value = "production")]
        instance_url: String,
    },
    /// Imports an org the Salesforce CLI on this machine is logged in to (see `org sf-list`).
    SfCli {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
    },
    /// Imports an sfdx auth URL (force://...), read from --url or from standard input.
    SfdxUrl {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        url: Option<String>,
    },
}

fn open_browser(url: &str) {
    eprintln!("Log in with Salesforce in your browser:\n  {url}");
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

fn request(method: LoginMethod) -> Result<ConnectRequest, CliError> {
    Ok(match method {
        LoginMethod::Web {
            common,
            instance_url,
            client_id,
        } => ConnectRequest::Web(WebConnect {
            alias: common.alias,
            login_host: instance_url,
            client_id,
            tags: common.tags,
        }),
        LoginMethod::Jwt {
            common,
            username,
            client_id,
            key_file,
            instance_url,
        } => ConnectRequest::Jwt(JwtConnect {
            alias: common.alias,
            login_host: instance_url,
            client_id,
            username,
            key_path: key_file,
            tags: common.tags,
        }),
        LoginMethod::SfCli { common, username } => ConnectRequest::SfCli(SfCliConnect {
            alias: common.alias,
            username,
            tags: common.tags,
        }),
        LoginMethod::SfdxUrl { common, url } => {
            let auth_url = match url {
                Some(url) => url,
                None => std::io::read_to_string(std::io::stdin())?.trim().to_owned(),
            };
            ConnectRequest::SfdxUrl(SfdxUrlConnect {
                alias: common.alias,
                auth_url,
                tags: common.tags,
            })
        }
    })
}

pub async fn run(
    engine: Arc<Engine>,
    command: OrgCommand,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    match command {
        OrgCommand::Login { method } => {
            let opener = orgfleet_engine::connect::browser_override()
                .map(|open| -> orgfleet_engine::connect::UrlOpener {
                    Arc::new(move |url: &str| {
                        eprintln!("Opening the login page: {url}");
                        open(url)
                    })
                })
                .unwrap_or_else(|| Arc::new(open_browser));
            let handle = engine.start_connect(request(method)?, opener)?;
            let job = handle
                .done
                .await
                .map_err(|e| CliError::Crashed(e.to_string()))??;
            if job.status != JobStatus::Succeeded {
                return Err(CliError::Failed(
                    job.error.unwrap_or_else(|| job.status.as_str().into()),
                ));
            }
            let org: OrgRecord = serde_json::from_value(job.result.unwrap_or_default())?;
            writeln!(
                out,
                "Connected {} ({}, {}) as {}",
                org.alias,
                org.name,
                org.kind.as_str(),
                org.username
            )?;
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::SfList { json } => {
            let orgs = engine.sf_cli_orgs().await?;
            if json {
                output::json(out, &orgs)?;
            } else if orgs.is_empty() {
                writeln!(out, "The Salesforce CLI is not logged in to any org.")?;
            } else {
                for org in &orgs {
                    writeln!(
                        out,
                        "{:<36}  {:<16}  {}{}",
                        org.username,
                        org.alias.as_deref().unwrap_or("-"),
                        if org.is_sandbox {
                            "sandbox"
                        } else if org.is_scratch {
                            "scratch"
                        } else {
                            "org"
                        },
                        if org.already_connected {
                            "  (already connected)"
                        } else {
                            ""
                        }
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::List { json } => {
            let orgs = engine.orgs()?;
            if json {
                output::json(out, &orgs)?
            } else {
                output::orgs_table(out, &orgs)?
            }
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::Check { alias, json } => {
            let org = engine.org(&alias)?;
            let checked = engine.check_org(org.id).await?;
            if json {
                output::json(out, &checked)?;
            } else {
                writeln!(
                    out,
                    "{} is reachable; API usage {}",
                    checked.alias,
                    output::usage(&checked)
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        OrgCommand::Logout { alias, confirm } => {
            let org = engine.org(&alias)?;
            engine.disconnect_org(org.id, confirm.as_deref()).await?;
            writeln!(out, "Disconnected {}", org.alias)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
