//! The org registry: every connected org, its identity, kind, colour, tags and protection.
//!
//! An org is identified by (Salesforce org id, username): connecting the same org and user
//! again updates the row instead of adding a duplicate. Aliases are unique, case-insensitive.
//! Secrets are never here (see [`crate::secrets`]).

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Context, Error, Result, unknown_value};
use crate::jobs::now_ms;

/// What kind of org this is. Production orgs are protected by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrgKind {
    Production,
    Sandbox,
    Developer,
    Scratch,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Production => "production",
            OrgKind::Sandbox => "sandbox",
            OrgKind::Developer => "developer",
            OrgKind::Scratch => "scratch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "production" => OrgKind::Production,
            "sandbox" => OrgKind::Sandbox,
            "developer" => OrgKind::Developer,
            "scratch" => OrgKind::Scratch,
            _ => return None,
        })
    }
}

/// How the org was connected (decides how a session is renewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AuthMethod {
    /// Browser login (web-server flow with PKCE); renewed with the refresh token.
    Web,
    /// JWT bearer with a connected app's private key.
    Jwt,
    /// Imported from an sfdx auth URL / the Salesforce CLI; renewed with the refresh token.
    SfdxUrl,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Web => "web",
            AuthMethod::Jwt => "jwt",
            AuthMethod::SfdxUrl => "sfdx_url",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "web" => AuthMethod::Web,
            "jwt" => AuthMethod::Jwt,
            "sfdx_url" => AuthMethod::SfdxUrl,
            _ => return None,
        })
    }
}

/// A connected org as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrgRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub alias: String,
    /// 18-character Salesforce org id.
    pub org_id: String,
    pub username: String,
    pub user_id: Option<String>,
    /// Organization.Name.
    pub name: String,
    pub instance_url: String,
    pub login_url: String,
    pub kind: OrgKind,
    /// CSS colour (`#4f46e5`) shown as the org's chip everywhere.
    pub colour: String,
    /// Destructive actions need the alias typed to confirm.
    pub protected: bool,
    pub auth_method: AuthMethod,
    pub client_id: String,
    pub instance_name: Option<String>,
    pub organization_type: Option<String>,
    pub trial_expires_at: Option<String>,
    #[ts(type = "number | null")]
    pub api_used: Option<i64>,
    #[ts(type = "number | null")]
    pub api_max: Option<i64>,
    #[ts(type = "number | null")]
    pub last_seen_at: Option<i64>,
    /// The last health problem, in words the user can act on; None when healthy.
    pub last_error: Option<String>,
    pub tags: Vec<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// What a login learned about an org; input to [`upsert`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrg {
    pub alias: String,
    pub org_id: String,
    pub username: String,
    pub user_id: Option<String>,
    pub name: String,
    pub instance_url: String,
    pub login_url: String,
    pub kind: OrgKind,
    pub colour: String,
    pub protected: bool,
    pub auth_method: AuthMethod,
    pub client_id: String,
    pub instance_name: Option<String>,
    pub organization_type: Option<String>,
    pub trial_expires_at: Option<String>,
    pub tags: Vec<String>,
}

const COLUMNS: &str = "id, alias, org_id, username, user_id, name, instance_url, login_url, kind, \
    colour, protected, auth_method, client_id, instance_name, organization_type, trial_expires_at, \
    api_used, api_max, last_seen_at, last_error, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<OrgRecord> {
    let kind: String = row.get(8)?;
    let auth: String = row.get(11)?;
    Ok(OrgRecord {
        id: row.get(0)?,
        alias: row.get(1)?,
        org_id: row.get(2)?,
        username: row.get(3)?,
        user_id: row.get(4)?,
        name: row.get(5)?,
        instance_url: row.get(6)?,
        login_url: row.get(7)?,
        kind: OrgKind::parse(&kind).ok_or_else(|| unknown_value(8, &kind))?,
        colour: row.get(9)?,
        protected: row.get(10)?,
        auth_method: AuthMethod::parse(&auth).ok_or_else(|| unknown_value(11, &auth))?,
        client_id: row.get(12)?,
        instance_name: row.get(13)?,
        organization_type: row.get(14)?,
        trial_expires_at: row.get(15)?,
        api_used: row.get(16)?,
        api_max: row.get(17)?,
        last_seen_at: row.get(18)?,
        last_error: row.get(19)?,
        tags: Vec::new(),
        created_at: row.get(20)?,
        updated_at: row.get(21)?,
    })
}

fn load_tags(conn: &Connection, org: &mut OrgRecord) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("SELECT tag FROM org_tags WHERE org = ?1 ORDER BY tag")
        .context("reading tags")?;
    org.tags = stmt
        .query_map([org.id], |r| r.get(0))
        .context("reading tags")?
        .collect::<rusqlite::Result<_>>()
        .context("reading tags")?;
    Ok(())
}

/// Normalizes tags: trimmed, lower-case, deduplicated, no empties.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Inserts the org, or updates it when the same (org id, username) is already connected.
/// Returns the stored org and whether it was newly created. On re-connect the user's own
/// choices (alias, colour, protection, tags) are kept.
pub fn upsert(conn: &mut Connection, org: &NewOrg) -> Result<(OrgRecord, bool)> {
    let tx = conn.transaction().context("saving an org")?;
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM orgs WHERE org_id = ?1 AND username = ?2 COLLATE NOCASE",
            params![org.org_id, org.username],
            |r| r.get(0),
        )
        .optional()
        .context("looking up an org")?;
    let now = now_ms();
    let (id, created) = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE orgs SET user_id = ?2, name = ?3, instance_url = ?4, login_url = ?5,
                     kind = ?6, auth_method = ?7, client_id = ?8, instance_name = ?9,
                     organization_type = ?10, trial_expires_at = ?11, last_seen_at = ?12,
                     last_error = NULL, updated_at = ?12
                 WHERE id = ?1",
                params![
                    id,
                    org.user_id,
                    org.name,
                    org.instance_url,
                    org.login_url,
                    org.kind.as_str(),
                    org.auth_method.as_str(),
                    org.client_id,
                    org.instance_name,
                    org.organization_type,
                    org.trial_expires_at,
                    now
                ],
            )
            .context("updating an org")?;
            (id, false)
        }
        None => {
            let taken: bool = tx
                .query_row(
                    "SELECT count(*) > 0 FROM orgs WHERE alias = ?1",
                    [&org.alias],
                    |r| r.get(0),
                )
                .context("checking the alias")?;
            if taken {
                return Err(Error::AliasTaken(org.alias.clone()));
            }
            tx.execute(
                "INSERT INTO orgs (alias, org_id, username, user_id, name, instance_url, login_url,
                     kind, colour, protected, auth_method, client_id, instance_name,
                     organization_type, trial_expires_at, last_seen_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?16)",
                params![
                    org.alias,
                    org.org_id,
                    org.username,
                    org.user_id,
                    org.name,
                    org.instance_url,
                    org.login_url,
                    org.kind.as_str(),
                    org.colour,
                    org.protected,
                    org.auth_method.as_str(),
                    org.client_id,
                    org.instance_name,
                    org.organization_type,
                    org.trial_expires_at,
                    now
                ],
            )
            .context("adding an org")?;
            let id = tx.last_insert_rowid();
            for tag in normalize_tags(&org.tags) {
                tx.execute(
                    "INSERT INTO org_tags (org, tag) VALUES (?1, ?2)",
                    params![id, tag],
                )
                .context("tagging an org")?;
            }
            (id, true)
        }
    };
    tx.commit().context("saving an org")?;
    Ok((get(conn, id)?, created))
}

/// One org by row id.
pub fn get(conn: &Connection, id: i64) -> Result<OrgRecord> {
    let mut org = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM orgs WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()
        .context("reading an org")?
        .ok_or_else(|| Error::OrgNotFound(id.to_string()))?;
    load_tags(conn, &mut org)?;
    Ok(org)
}

/// One org by alias (case-insensitive).
pub fn by_alias(conn: &Connection, alias: &str) -> Result<OrgRecord> {
    let id: i64 = conn
        .query_row("SELECT id FROM orgs WHERE alias = ?1", [alias], |r| {
            r.get(0)
        })
        .optional()
        .context("reading an org")?
        .ok_or_else(|| Error::OrgNotFound(alias.to_owned()))?;
    get(conn, id)
}

/// All orgs: production first, then by alias.
pub fn list(conn: &Connection) -> Result<Vec<OrgRecord>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM orgs ORDER BY kind <> 'production', alias COLLATE NOCASE"
        ))
        .context("listing orgs")?;
    let mut orgs: Vec<OrgRecord> = stmt
        .query_map([], from_row)
        .context("listing orgs")?
        .collect::<rusqlite::Result<_>>()
        .context("listing orgs")?;
    for org in &mut orgs {
        load_tags(conn, org)?;
    }
    Ok(orgs)
}

/// Replaces an org's tags.
pub fn set_tags(conn: &mut Connection, id: i64, tags: &[String]) -> Result<OrgRecord> {
    let tx = conn.transaction().context("tagging an org")?;
    tx.execute("DELETE FROM org_tags WHERE org = ?1", [id])
        .context("tagging an org")?;
    for tag in normalize_tags(tags) {
        tx.execute(
            "INSERT INTO org_tags (org, tag) VALUES (?1, ?2)",
            params![id, tag],
        )
        .context("tagging an org")?;
    }
    tx.execute(
        "UPDATE orgs SET updated_at = ?2 WHERE id = ?1",
        params![id, now_ms()],
    )
    .context("tagging an org")?;
    tx.commit().context("tagging an org")?;
    get(conn, id)
}

/// Changes alias, colour and protection.
pub fn update_settings(
    conn: &Connection,
    id: i64,
    alias: &str,
    colour: &str,
    protected: bool,
) -> Result<OrgRecord> {
    let clash: Option<i64> = conn
        .query_row(
            "SELECT id FROM orgs WHERE alias = ?1 AND id <> ?2",
            params![alias, id],
            |r| r.get(0),
        )
        .optional()
        .context("checking the alias")?;
    if clash.is_some() {
        return Err(Error::AliasTaken(alias.to_owned()));
    }
    let n = conn
        .execute(
            "UPDATE orgs SET alias = ?2, colour = ?3, protected = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, alias, colour, protected, now_ms()],
        )
        .context("updating an org")?;
    if n == 0 {
        return Err(Error::OrgNotFound(id.to_string()));
    }
    get(conn, id)
}

/// Records the outcome of a health check or any API call: usage, time, and error (if any).
pub fn record_health(
    conn: &Connection,
    id: i64,
    api_usage: Option<(i64, i64)>,
    error: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    conn.execute(
        "UPDATE orgs SET api_used = COALESCE(?2, api_used), api_max = COALESCE(?3, api_max),
             last_seen_at = CASE WHEN ?4 IS NULL THEN ?5 ELSE last_seen_at END,
             last_error = ?4, updated_at = ?5
         WHERE id = ?1",
        params![
            id,
            api_usage.map(|u| u.0),
            api_usage.map(|u| u.1),
            error,
            now
        ],
    )
    .context("recording org health")?;
    Ok(())
}

/// Removes an org (its tags go with it).
pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    let n = conn
        .execute("DELETE FROM orgs WHERE id = ?1", [id])
        .context("removing an org")?;
    if n == 0 {
        return Err(Error::OrgNotFound(id.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
