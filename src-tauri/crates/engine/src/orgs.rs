//! Org registry use cases that need no network: listing, settings (alias, colour,
//! protection), tags, and the confirmation rule for destructive actions on protected orgs.

use orgfleet_store::orgs::{self as rows, OrgKind, OrgRecord};
use serde::Deserialize;
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};

/// Colours offered for org chips; the first of each kind's row is its default.
pub const PALETTE: &[&str] = &[
    "#dc2626", "#ea580c", "#d97706", "#16a34a", "#0891b2", "#2563eb", "#7c3aed", "#db2777",
];

/// Default colour for a new org: production red, sandboxes cycle through calm colours.
pub fn default_colour(kind: OrgKind, existing: usize) -> &'static str {
    match kind {
        OrgKind::Production => PALETTE[0],
        OrgKind::Sandbox => ["#2563eb", "#0891b2", "#d97706", "#7c3aed"][existing % 4],
        OrgKind::Developer => "#16a34a",
        OrgKind::Scratch => "#db2777",
    }
}

/// What the user can change about a connected org.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrgSettings {
    pub alias: String,
    pub colour: String,
    pub protected: bool,
    pub tags: Vec<String>,
}

/// Checks an alias: 1–40 characters of letters, digits, `-`, `_` and `.`, so it is safe in
/// file names, CLI arguments and reports.
pub fn validate_alias(alias: &str) -> Result<()> {
    let ok = !alias.is_empty()
        && alias.len() <= 40
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "`{alias}` is not a valid alias: use 1–40 letters, digits, '-', '_' or '.'"
        )))
    }
}

fn validate_colour(colour: &str) -> Result<()> {
    let hex = colour.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "`{colour}` is not a colour like #2563eb"
        )))
    }
}

/// Destructive actions on a protected org need its alias typed exactly.
pub fn confirm_destructive(org: &OrgRecord, typed_alias: Option<&str>) -> Result<()> {
    if !org.protected || typed_alias == Some(org.alias.as_str()) {
        Ok(())
    } else {
        Err(Error::ConfirmationRequired {
            alias: org.alias.clone(),
        })
    }
}

impl Engine {
    /// All connected orgs, production first.
    pub fn orgs(&self) -> Result<Vec<OrgRecord>> {
        Ok(rows::list(&self.store().conn())?)
    }

    /// One org by alias, or by row id written as a number.
    pub fn org(&self, alias_or_id: &str) -> Result<OrgRecord> {
        let conn = self.store().conn();
        match alias_or_id.parse::<i64>() {
            Ok(id) => Ok(rows::get(&conn, id)?),
            Err(_) => Ok(rows::by_alias(&conn, alias_or_id)?),
        }
    }

    /// Changes an org's alias, colour, protection and tags.
    pub fn update_org(&self, id: i64, settings: &OrgSettings) -> Result<OrgRecord> {
        validate_alias(&settings.alias)?;
        validate_colour(&settings.colour)?;
        let mut conn = self.store().conn();
        rows::update_settings(
            &conn,
            id,
            &settings.alias,
            &settings.colour,
            settings.protected,
        )?;
        Ok(rows::set_tags(&mut conn, id, &settings.tags)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgfleet_store::orgs::{AuthMethod, NewOrg};

    fn engine_with_org(protected: bool) -> (tempfile::TempDir, Engine, OrgRecord) {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(&dir.path().join("db.sqlite3")).unwrap();
        let org = NewOrg {
            alias: "acme-prod".into(),
            org_id: "00D000000000001AAA".into(),
            username: "admin@acme.com".into(),
            user_id: None,
            name: "Acme".into(),
            instance_url: "https://acme.my.salesforce.com".into(),
            login_url: "https://login.salesforce.com".into(),
            kind: OrgKind::Production,
            colour: default_colour(OrgKind::Production, 0).into(),
            protected,
            auth_method: AuthMethod::Web,
            client_id: "PlatformCLI".into(),
            instance_name: None,
            organization_type: None,
            trial_expires_at: None,
            tags: vec![],
        };
        let (org, _) = rows::upsert(&mut engine.store().conn(), &org).unwrap();
        (dir, engine, org)
    }

    #[test]
    fn protected_orgs_need_the_alias_typed() {
        let (_d, _e, org) = engine_with_org(true);
        assert!(matches!(
            confirm_destructive(&org, None),
            Err(Error::ConfirmationRequired { .. })
        ));
        assert!(confirm_destructive(&org, Some("ACME-PROD")).is_err());
        assert!(confirm_destructive(&org, Some("acme-prod")).is_ok());
        let (_d, _e, open) = engine_with_org(false);
        assert!(confirm_destructive(&open, None).is_ok());
    }

    #[test]
    fn settings_are_validated_and_saved() {
        let (_d, engine, org) = engine_with_org(true);
        let bad = OrgSettings {
            alias: "no spaces".into(),
            colour: "#fff".into(),
            protected: true,
            tags: vec![],
        };
        assert!(matches!(
            engine.update_org(org.id, &bad),
            Err(Error::InvalidInput(_))
        ));
        let bad_colour = OrgSettings {
            alias: "acme".into(),
            ..bad.clone()
        };
        assert!(matches!(
            engine.update_org(org.id, &bad_colour),
            Err(Error::InvalidInput(_))
        ));
        let good = OrgSettings {
            alias: "acme".into(),
            colour: "#16a34a".into(),
            protected: false,
            tags: vec!["Client-Acme".into()],
        };
        let saved = engine.update_org(org.id, &good).unwrap();
        assert_eq!((saved.alias.as_str(), saved.protected), ("acme", false));
        assert_eq!(saved.tags, vec!["client-acme"]);
        assert_eq!(engine.org("acme").unwrap().id, org.id);
        assert_eq!(engine.org(&org.id.to_string()).unwrap().alias, "acme");
    }
}
