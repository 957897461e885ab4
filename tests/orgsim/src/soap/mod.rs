//! The Metadata API SOAP endpoint of an org instance: `POST /services/Soap/m/{version}[/…]`.
//!
//! Salesforce routes every such POST to one dispatcher and picks the operation from the
//! first child of `<Body>` (metadata-soap.md §1), so this module is just that: parse the
//! envelope ([`envelope`]), check the session, and hand the call to the operation's module.
//! Operations: describeMetadata ([`describe`]), listMetadata ([`list`]), readMetadata
//! ([`read`]), retrieve/checkRetrieveStatus ([`retrieve`]); deploy-side operations live in
//! the `deploy*` modules.

pub mod deploy;
pub mod describe;
pub mod envelope;
pub mod list;
pub mod profile_filter;
pub mod read;
pub mod retrieve;
pub mod retrieve_build;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};

use crate::server::{OrgScope, SessionInfo, Sim};
use envelope::SoapRequest;

/// State of the SOAP layer, held in [`crate::server::SimInner`].
#[derive(Debug, Default)]
pub struct SoapState {
    /// Asynchronous retrieve jobs and their timing.
    pub retrieves: retrieve::RetrieveJobs,
    /// Deploy jobs, validations for quick deploy, and their step timing.
    pub deploys: deploy::DeployJobs,
}

/// The instance routes of the Metadata API.
pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/services/Soap/m/{version}", post(handle))
        .route("/services/Soap/m/{version}/{*rest}", post(handle))
        // Deploy zips travel base64-encoded in the envelope: Salesforce accepts ~39 MB
        // compressed, so allow well above axum's 2 MB default.
        .layer(DefaultBodyLimit::max(MAX_ENVELOPE_BYTES))
}

/// Largest request envelope accepted (base64 of a 39 MB zip plus the envelope).
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024 * 1024;

async fn handle(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    body: Bytes,
) -> Response {
    let req = match SoapRequest::parse(&body) {
        Ok(req) => req,
        Err(fault) => return fault,
    };
    dispatch(&sim, &scope.org_id, &req)
}

/// The signature every operation handler has.
pub type Operation = fn(&Sim, &str, &SessionInfo, &SoapRequest) -> Response;

/// Routes a parsed request to its operation. Unknown operations get the SOAP stack's
/// "No operation available" fault; every known operation requires a valid session.
pub fn dispatch(sim: &Sim, org_id: &str, req: &SoapRequest) -> Response {
    let op: Operation = match req.operation.as_str() {
        "describeMetadata" => describe::describe_metadata,
        "listMetadata" => list::list_metadata,
        "readMetadata" => read::read_metadata,
        "retrieve" => retrieve::retrieve,
        "checkRetrieveStatus" => retrieve::check_retrieve_status,
        "deploy" => deploy::deploy,
        "checkDeployStatus" => deploy::check_deploy_status,
        "cancelDeploy" => deploy::cancel_deploy,
        "deployRecentValidation" => deploy::deploy_recent_validation,
        "checkStatus" => deploy::check_status,
        other => return envelope::unknown_operation(other),
    };
    match req.require_session(sim, org_id) {
        Ok(session) => op(sim, org_id, &session, req),
        Err(fault) => fault,
    }
}
