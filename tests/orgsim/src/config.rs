//! orgsim's TOML configuration and the org specs shared with the admin API.
//!
//! One file describes a whole simulated estate: the login port, token lifetime, auto-approve
//! user, connected apps and the orgs (alias, name, kind, users, metadata source, faults).
//! The admin API's "create org" takes the same [`OrgSpec`] as JSON.
//!
//! ```toml
//! port = 7150
//! token_lifetime_secs = 7200
//! auto_approve_username = "admin@prod.orgsim"
//!
//! [[connected_apps]]
//! client_id = "orgfleet"
//! public_key_pem_file = "orgfleet.pub.pem"
//! callback_urls = ["http://localhost:1717/OauthRedirect"]
//!
//! [[orgs]]
//! alias = "prod"
//! name = "Acme Production"
//! kind = "production"
//! metadata = { generator = { seed = 7, size = 300 } }
//! [[orgs.users]]
//! username = "admin@prod.orgsim"
//! password = "orgsim-pass"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::model::{Org, OrgKind, User};
use crate::oauth::{self, ConnectedApp, OAuthSettings};
use crate::server::Sim;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Login-host port (0 or absent: a free port).
    pub port: Option<u16>,
    pub token_lifetime_secs: Option<u64>,
    pub auto_approve_username: Option<String>,
    #[serde(default)]
    pub connected_apps: Vec<AppSpec>,
    #[serde(default)]
    pub orgs: Vec<OrgSpec>,
}

/// A connected app; the key may be given inline or as a file (relative to the config file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub public_key_pem: Option<String>,
    pub public_key_pem_file: Option<PathBuf>,
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// "Run As" user of the client-credentials flow.
    pub run_as_username: Option<String>,
}

/// One org to create (config file or admin API).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub alias: String,
    pub name: Option<String>,
    #[serde(default = "default_kind")]
    pub kind: OrgKind,
    /// e.g. `NA139` / `CS42`; derived from the kind when absent.
    pub instance_name: Option<String>,
    /// Users; when empty one admin `admin@<alias>.orgsim` / `orgsim-pass` is created.
    #[serde(default)]
    pub users: Vec<UserSpec>,
    pub metadata: Option<MetadataSource>,
    pub faults: Option<Faults>,
    /// Daily API request allocation (default by kind, see `limits`).
    pub api_limit: Option<u64>,
}

fn default_kind() -> OrgKind {
    OrgKind::Production
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    /// Profile name (default `System Administrator`).
    pub profile: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Where an org's metadata comes from: the generator, or an mdapi/source folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSource {
    pub generator: Option<GeneratorSource>,
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorSource {
    pub seed: u64,
    /// Target component count.
    pub size: usize,
}

/// Default password of users created without one.
pub const DEFAULT_PASSWORD: &str = "orgsim-pass";

impl Config {
    /// Reads and parses a TOML file; relative key files and metadata paths are resolved
    /// against the file's folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for app in &mut config.connected_apps {
            if let Some(file) = app.public_key_pem_file.take() {
                let file = base.join(file);
                let pem = std::fs::read_to_string(&file)
                    .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", file.display())))?;
                app.public_key_pem = Some(pem);
            }
        }
        for org in &mut config.orgs {
            if let Some(MetadataSource { path: Some(p), .. }) = &mut org.metadata {
                *p = base.join(&*p);
            }
        }
        Ok(config)
    }

    /// Starts a simulator on `addr` with this configuration: login host, apps, orgs.
    pub async fn start(
        &self,
        addr: std::net::SocketAddr,
    ) -> Result<(crate::server::RunningSim, Vec<String>)> {
        let running = Sim::new().start(addr).await?;
        let ids = self.apply(&running.sim).await?;
        Ok((running, ids))
    }

    /// Applies settings and apps, then creates every org. Returns the org ids in order.
    pub async fn apply(&self, sim: &Sim) -> Result<Vec<String>> {
        let mut settings = oauth::settings(sim);
        if let Some(secs) = self.token_lifetime_secs {
            settings.token_lifetime_secs = secs;
        }
        if self.auto_approve_username.is_some() {
            settings.auto_approve_username = self.auto_approve_username.clone();
        }
        oauth::set_settings(sim, OAuthSettings { ..settings });
        for app in &self.connected_apps {
            register_app(sim, app)?;
        }
        let mut ids = Vec::new();
        for spec in &self.orgs {
            ids.push(create_org(sim, spec).await?);
        }
        Ok(ids)
    }
}

/// Validates and registers a connected app.
pub fn register_app(sim: &Sim, spec: &AppSpec) -> Result<()> {
    if spec.client_id.trim().is_empty() {
        return Err(Error::Invalid("connected app needs a client_id".into()));
    }
    if let Some(pem) = &spec.public_key_pem {
        oauth::parse_public_key(pem)
            .map_err(|e| Error::Invalid(format!("connected app {}: {e}", spec.client_id)))?;
    }
    oauth::register_app(
        sim,
        ConnectedApp {
            client_id: spec.client_id.clone(),
            client_secret: spec.client_secret.clone().filter(|s| !s.is_empty()),
            public_key_pem: spec.public_key_pem.clone(),
            callback_urls: spec.callback_urls.clone(),
            run_as_username: spec.run_as_username.clone(),
        },
    );
    Ok(())
}

/// Registers connected app `client_id` for JWT logins with the key at `private_key_path`
/// (PKCS#8 PEM), generating a 2048-bit key there first when the file does not exist.
pub fn register_jwt_app(sim: &Sim, client_id: &str, private_key_path: &Path) -> Result<()> {
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
    let invalid = |e: String| Error::Invalid(format!("{}: {e}", private_key_path.display()));
    let key = if private_key_path.exists() {
        let pem = std::fs::read_to_string(private_key_path).map_err(|e| invalid(e.to_string()))?;
        rsa::RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|e| invalid(e.to_string()))?
    } else {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .map_err(|e| invalid(e.to_string()))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| invalid(e.to_string()))?;
        write_private(private_key_path, pem.as_bytes()).map_err(|e| invalid(e.to_string()))?;
        key
    };
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| invalid(e.to_string()))?;
    register_app(
        sim,
        &AppSpec {
            client_id: client_id.to_owned(),
            public_key_pem: Some(public),
            callback_urls: vec![oauth::PLATFORM_CLI_CALLBACK.to_owned()],
            ..AppSpec::default()
        },
    )
}

/// Writes a secret file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Builds the in-memory org of a spec (not yet listening). With a generator source the
/// generated org (its users, metadata and records) is the base; listed users are added.
pub fn build_org(spec: &OrgSpec) -> Result<Org> {
    let alias = spec.alias.trim();
    if alias.is_empty()
        || !alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::Invalid(format!(
            "alias `{}` must be non-empty letters, digits, - or _",
            spec.alias
        )));
    }
    let name = spec.name.clone().unwrap_or_else(|| alias.to_owned());
    let source = spec.metadata.clone().unwrap_or(MetadataSource {
        generator: None,
        path: None,
    });
    let mut org = match (&source.generator, &source.path) {
        (Some(_), Some(_)) => {
            return Err(Error::Invalid(
                "metadata: give either generator or path, not both".into(),
            ));
        }
        (Some(g), None) => {
            if g.size == 0 || g.size > 50_000 {
                return Err(Error::Invalid(format!(
                    "generator size must be 1..=50000, got {}",
                    g.size
                )));
            }
            let gen_spec = crate::generator::GenSpec::new(g.seed, g.size);
            crate::generator::generate_org(alias, &name, spec.kind, &gen_spec)
        }
        _ => empty_org(alias, &name, spec.kind),
    };
    if let Some(instance_name) = &spec.instance_name {
        org.instance_name = instance_name.clone();
    }
    let users = if spec.users.is_empty() && org.users.is_empty() {
        vec![UserSpec {
            username: format!("admin@{alias}.orgsim"),
            name: Some("Admin User".into()),
            email: None,
            password: None,
            profile: None,
            active: true,
        }]
    } else {
        spec.users.clone()
    };
    for u in users {
        if u.username.trim().is_empty() {
            return Err(Error::Invalid("user needs a username".into()));
        }
        if org.user_by_username(&u.username).is_some() {
            return Err(Error::Invalid(format!(
                "username `{}` is listed twice",
                u.username
            )));
        }
        let user_id = org.mint_id("005");
        org.users.push(User {
            id: user_id,
            email: u.email.clone().unwrap_or_else(|| u.username.clone()),
            name: u
                .name
                .clone()
                .unwrap_or_else(|| u.username.split('@').next().unwrap_or("User").to_owned()),
            username: u.username,
            password: u.password.unwrap_or_else(|| DEFAULT_PASSWORD.to_owned()),
            profile_name: u
                .profile
                .unwrap_or_else(|| "System Administrator".to_owned()),
            is_active: u.active,
        });
    }
    // After the users exist: loaded components are attributed to the first one.
    if let Some(path) = &source.path {
        crate::load::load_path(&mut org, path)?;
    }
    Ok(org)
}

fn empty_org(alias: &str, name: &str, kind: OrgKind) -> Org {
    let hash = fnv(alias);
    let n = 10 + hash % 190;
    Org {
        id: crate::ids::make_id("00D", hash % 1_000_000_000),
        alias: alias.to_owned(),
        name: name.to_owned(),
        kind,
        instance_name: if kind.is_sandbox() {
            format!("CS{n}")
        } else {
            format!("NA{n}")
        },
        instance_url: String::new(),
        users: Vec::new(),
        metadata: BTreeMap::new(),
        records: BTreeMap::new(),
        next_id: 0,
        audit_trail: Vec::new(),
    }
}

/// Creates an org from a spec and starts its instance listener. Usernames must be unique
/// across the simulator, as on Salesforce.
pub async fn create_org(sim: &Sim, spec: &OrgSpec) -> Result<String> {
    if let Some(f) = &spec.faults {
        f.validate().map_err(Error::Invalid)?;
    }
    let org = build_org(spec)?;
    for u in &org.users {
        if oauth::find_user(sim, &u.username).is_some() {
            return Err(Error::Invalid(format!(
                "username `{}` is already used by another org",
                u.username
            )));
        }
    }
    if sim.resolve_org(&org.alias).is_ok() {
        return Err(Error::Invalid(format!("alias `{}` is taken", org.alias)));
    }
    let org_id = sim.add_org(org).await?;
    if let Some(f) = &spec.faults {
        crate::faults::set_faults(sim, &org_id, f.clone());
    }
    if let Some(max) = spec.api_limit {
        crate::limits::set_usage(sim, &org_id, Some(max), None);
    }
    Ok(org_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config() {
        let config: Config = toml::from_str(
            r#"
            port = 7150
            token_lifetime_secs = 60
            [[connected_apps]]
            client_id = "app"
            callback_urls = ["http://localhost:1717/OauthRedirect"]
            [[orgs]]
            alias = "prod"
            kind = "sandbox"
            metadata = { generator = { seed = 1, size = 40 } }
            faults = { latency_ms = 5 }
            [[orgs.users]]
            username = "a@b.c"
            "#,
        )
        .unwrap();
        assert_eq!(config.orgs[0].kind, OrgKind::Sandbox);
        assert_eq!(config.orgs[0].faults.as_ref().unwrap().latency_ms, 5);
        let org = build_org(&config.orgs[0]).unwrap();
        assert!(org.id.starts_with("00D") && org.instance_name.starts_with("CS"));
        assert!(!org.metadata.is_empty());
        let added = org.user_by_username("a@b.c").unwrap();
        assert_eq!(added.password, DEFAULT_PASSWORD);
        assert!(toml::from_str::<Config>("bogus = 1").is_err());
    }
}
