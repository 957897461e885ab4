//! `orgsim` binary: serves simulated orgs for the demo and for manual testing.
//!
//! `orgsim --config orgsim.toml [--port N] [--status-file PATH]` starts the login host and
//! every configured org, prints the login URL and each org's instance URL, and (optionally)
//! writes a JSON status file that scripts and the demo read to find the URLs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use orgsim::Sim;
use orgsim::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "orgsim",
    about = "A simulated Salesforce: OAuth, REST, Tooling and Metadata SOAP"
)]
struct Args {
    /// TOML configuration (orgs, users, connected apps, faults). Without it orgsim starts
    /// with no orgs; create them through the admin API (POST /_orgsim/orgs).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Login-host port; overrides the config file (0 = any free port).
    #[arg(long)]
    port: Option<u16>,
    /// Address to bind the login host on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Writes {login_url, orgs: [...]} as JSON here once every org is up.
    #[arg(long)]
    status_file: Option<PathBuf>,
    /// Also serve the three demo orgs (prod, uat, dev) of the generator, with their drift.
    #[arg(long)]
    demo: bool,
    /// RSA private key (PKCS#8 PEM) for JWT logins through the `orgfleet-demo` connected app;
    /// generated and written here when the file does not exist yet.
    #[arg(long)]
    jwt_key: Option<PathBuf>,
}

/// Client id of the connected app registered for `--jwt-key`.
const DEMO_CLIENT_ID: &str = "orgfleet-demo";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orgsim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> orgsim::Result<()> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let port = args.port.or(config.port).unwrap_or(0);
    let running = Sim::new().start(SocketAddr::new(args.bind, port)).await?;
    let mut ids = config.apply(&running.sim).await?;
    if args.demo {
        for org in orgsim::generator::demo_orgs() {
            ids.push(running.sim.add_org(org).await?);
        }
    }
    let jwt = match &args.jwt_key {
        Some(path) => {
            orgsim::config::register_jwt_app(&running.sim, DEMO_CLIENT_ID, path)?;
            Some(serde_json::json!({"client_id": DEMO_CLIENT_ID, "private_key_path": path}))
        }
        None => None,
    };
    println!("orgsim login URL: {}", running.login_url);
    let mut orgs = Vec::new();
    for id in &ids {
        let org = running.sim.with_org(id, orgsim::admin::org_json)?;
        println!(
            "  {:<12} {} {}",
            org["alias"].as_str().unwrap_or(""),
            org["id"].as_str().unwrap_or(""),
            org["instance_url"].as_str().unwrap_or("")
        );
        orgs.push(org);
    }
    if let Some(path) = &args.status_file {
        let status = serde_json::json!({
            "login_url": running.login_url,
            "pid": std::process::id(),
            "orgs": orgs,
            "jwt": jwt,
        });
        let text = serde_json::to_string_pretty(&status)
            .map_err(|e| orgsim::Error::Invalid(e.to_string()))?;
        // Write then rename, so a reader never sees half a file.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| orgsim::Error::Invalid(format!("cannot write {}: {e}", path.display())))?;
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| orgsim::Error::Invalid(format!("signal handler: {e}")))?;
    Ok(())
}
