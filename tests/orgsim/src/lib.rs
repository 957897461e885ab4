//! orgsim: a simulated Salesforce that speaks the real wire protocols.
//!
//! Orgfleet can only be as right as what it is tested against, and no machine here reaches
//! Salesforce. orgsim hosts many orgs in one process: a login host (OAuth) plus one instance
//! listener per org (its own `instance_url`, as on real Salesforce, so a client that keeps
//! calling the login host fails here as it would there). It follows `shared/protocol/*.md`
//! and the real WSDLs; it is never bent to suit our own client. It never ships in the app.

pub mod admin;
pub mod apex;
pub mod audit;
pub mod auth;
pub mod config;
pub mod dependencies;
pub mod error;
pub mod faults;
pub mod generator;
pub mod ids;
pub mod limits;
pub mod load;
pub mod login_page;
pub mod model;
pub mod oauth;
pub mod rest;
pub mod server;
pub mod soap;
pub mod soap_apex;
pub mod sobjects;
pub mod soql;
pub mod tooling;

pub use error::{Error, Result};
pub use model::{Component, ComponentKey, Org, OrgKind, Record, User};
pub use server::{RunningSim, Sim};
