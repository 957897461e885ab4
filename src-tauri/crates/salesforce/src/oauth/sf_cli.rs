//! Importing orgs the Salesforce CLI already knows, so users need not log in again: list
//! them with `sf org list --json`, then get one org's auth URL with
//! `sf org display --target-org <username> --verbose --json` and refresh it like any
//! [`SfdxAuthUrl`]. Only the fields we need are parsed: the CLI's output also carries access
//! tokens, which never enter our types.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::auth_url::{SfdxAuthUrl, parse_auth_url};
use crate::error::{Error, Result};

/// How to run the CLI (`sf` on the PATH unless told otherwise).
#[derive(Debug, Clone)]
pub struct SfCli {
    pub program: PathBuf,
    pub timeout: Duration,
}

impl Default for SfCli {
    fn default() -> Self {
        Self {
            program: PathBuf::from("sf"),
            timeout: Duration::from_secs(60),
        }
    }
}

/// An org authorized in the Salesforce CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CliOrg {
    pub username: String,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub instance_url: Option<String>,
    #[serde(default)]
    pub login_url: Option<String>,
    #[serde(default)]
    pub is_sandbox: bool,
    #[serde(default)]
    pub is_scratch: bool,
    #[serde(default)]
    pub is_dev_hub: bool,
    /// `Connected`, or why the CLI cannot use the org (e.g. an expired refresh token).
    #[serde(default)]
    pub connected_status: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    status: i64,
    result: Option<T>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OrgList {
    non_scratch_orgs: Vec<CliOrg>,
    scratch_orgs: Vec<CliOrg>,
    sandboxes: Vec<CliOrg>,
    dev_hubs: Vec<CliOrg>,
    other: Vec<CliOrg>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Display {
    #[serde(default)]
    sfdx_auth_url: Option<String>,
}

const INSTALL: &str = "install the Salesforce CLI, or connect the org with a browser login instead";

impl SfCli {
    async fn run<T: serde::de::DeserializeOwned>(&self, args: &[&str]) -> Result<T> {
        let mut command = tokio::process::Command::new(&self.program);
        command.args(args).arg("--json").kill_on_drop(true);
        let output = tokio::time::timeout(self.timeout, command.output())
            .await
            .map_err(|_| Error::SfCli {
                reason: format!("did not answer within {} s", self.timeout.as_secs()),
                advice: "check that `sf` works in a terminal",
            })?
            .map_err(|e| Error::SfCli {
                reason: format!("could not be started ({e})"),
                advice: INSTALL,
            })?;
        let envelope: Envelope<T> =
            serde_json::from_slice(&output.stdout).map_err(|e| Error::SfCli {
                reason: format!("printed something that is not its JSON output ({e})"),
                advice: "update the Salesforce CLI (`sf update`)",
            })?;
        match envelope.result {
            Some(result) if envelope.status == 0 => Ok(result),
            _ => Err(Error::SfCli {
                reason: format!(
                    "failed: {}",
                    envelope.message.unwrap_or_else(|| "no message".into())
                ),
                advice: "run the same `sf` command in a terminal to see why",
            }),
        }
    }

    /// Every org the CLI has authorized, each username once.
    pub async fn list_orgs(&self) -> Result<Vec<CliOrg>> {
        let list: OrgList = self.run(&["org", "list", "--all"]).await?;
        let mut out: Vec<CliOrg> = Vec::new();
        for org in list
            .non_scratch_orgs
            .into_iter()
            .chain(list.sandboxes)
            .chain(list.dev_hubs)
            .chain(list.scratch_orgs)
            .chain(list.other)
        {
            if !out.iter().any(|o| o.username == org.username) {
                out.push(org);
            }
        }
        Ok(out)
    }

    /// The auth URL of one CLI org, ready for [`SfdxAuthUrl::login`].
    pub async fn auth_url(&self, username: &str) -> Result<SfdxAuthUrl> {
        let display: Display = self
            .run(&["org", "display", "--target-org", username, "--verbose"])
            .await?;
        let url = display.sfdx_auth_url.ok_or_else(|| Error::SfCli {
            reason: format!(
                "has no refresh token for {username} (it was probably authorized with JWT)"
            ),
            advice: "connect this org with JWT or a browser login instead",
        })?;
        parse_auth_url(&url)
    }
}
