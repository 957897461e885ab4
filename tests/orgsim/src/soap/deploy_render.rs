//! Wire rendering of deploy results: `DeployResult`, `DeployDetails`, `DeployMessage`,
//! `RunTestsResult`, `AsyncResult` and `CancelDeployResult`, with the WSDL's element names in
//! the WSDL's (alphabetical) order. Output is the inner `<result>` element, unprefixed, for
//! the SOAP envelope whose default namespace is the metadata namespace.

use super::model::{CodeCoverage, DeployMessage, DeployResult, RunTestsResult};
use super::xml::escape;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn el(out: &mut String, name: &str, value: impl std::fmt::Display) {
    let v = value.to_string();
    if v.is_empty() {
        out.push_str(&format!("<{name}></{name}>"));
    } else {
        out.push_str(&format!("<{name}>{}</{name}>", escape(&v)));
    }
}

fn opt(out: &mut String, name: &str, value: Option<impl std::fmt::Display>) {
    if let Some(v) = value {
        el(out, name, v);
    }
}

fn nillable(out: &mut String, name: &str, value: Option<&str>) {
    match value {
        Some(v) => el(out, name, v),
        None => out.push_str(&format!("<{name} xsi:nil=\"true\" xmlns:xsi=\"{XSI}\"/>")),
    }
}

fn double(v: f64) -> String {
    format!("{v:?}")
}

/// `<result>` of `deployResponse`: an `AsyncResult`.
pub fn async_result(id: &str) -> String {
    format!(
        "<result><done>false</done><id>{}</id><state>Queued</state></result>",
        escape(id)
    )
}

/// One `<result>` (`AsyncResult`) of `checkStatusResponse`.
pub fn async_state(id: &str, st: &super::AsyncState) -> String {
    let mut o = String::from("<result>");
    el(&mut o, "done", st.done);
    el(&mut o, "id", id);
    opt(&mut o, "message", st.message.as_deref());
    el(&mut o, "state", st.state);
    opt(&mut o, "statusCode", st.status_code.as_deref());
    o.push_str("</result>");
    o
}

/// `<result>` of `cancelDeployResponse`.
pub fn cancel_result(id: &str, done: bool) -> String {
    format!(
        "<result><done>{done}</done><id>{}</id></result>",
        escape(id)
    )
}

/// `<result>` of `checkDeployStatusResponse`.
pub fn deploy_result(r: &DeployResult, include_details: bool) -> String {
    let mut o = String::from("<result>");
    opt(&mut o, "canceledBy", r.canceled_by.as_deref());
    opt(&mut o, "canceledByName", r.canceled_by_name.as_deref());
    el(&mut o, "checkOnly", r.check_only);
    opt(&mut o, "completedDate", r.completed_date.as_deref());
    el(&mut o, "createdBy", &r.created_by);
    el(&mut o, "createdByName", &r.created_by_name);
    el(&mut o, "createdDate", &r.created_date);
    if include_details {
        details(&mut o, r);
    }
    el(&mut o, "done", r.done());
    opt(&mut o, "errorMessage", r.error_message.as_deref());
    opt(&mut o, "errorStatusCode", r.error_status_code.as_deref());
    el(&mut o, "id", &r.id);
    el(&mut o, "ignoreWarnings", r.ignore_warnings);
    el(&mut o, "lastModifiedDate", &r.last_modified_date);
    el(&mut o, "numberComponentErrors", r.number_component_errors);
    el(
        &mut o,
        "numberComponentsDeployed",
        r.number_components_deployed,
    );
    el(&mut o, "numberComponentsTotal", r.number_components_total);
    el(&mut o, "numberTestErrors", r.number_test_errors);
    el(&mut o, "numberTestsCompleted", r.number_tests_completed);
    el(&mut o, "numberTestsTotal", r.number_tests_total);
    el(&mut o, "rollbackOnError", r.rollback_on_error);
    el(&mut o, "runTestsEnabled", r.run_tests_enabled);
    opt(&mut o, "startDate", r.start_date.as_deref());
    opt(&mut o, "stateDetail", r.state_detail.as_deref());
    el(&mut o, "status", r.status.as_str());
    el(&mut o, "success", r.success);
    o.push_str("</result>");
    o
}

fn details(o: &mut String, r: &DeployResult) {
    o.push_str("<details>");
    for m in &r.component_failures {
        message(o, "componentFailures", m);
    }
    for m in &r.component_successes {
        message(o, "componentSuccesses", m);
    }
    run_test_result(
        o,
        r.run_test_result
            .as_ref()
            .unwrap_or(&RunTestsResult::default()),
    );
    o.push_str("</details>");
}

fn message(o: &mut String, tag: &str, m: &DeployMessage) {
    o.push_str(&format!("<{tag}>"));
    el(o, "changed", m.changed);
    opt(o, "columnNumber", m.column_number);
    el(o, "componentType", &m.component_type);
    el(o, "created", m.created);
    el(o, "createdDate", &m.created_date);
    el(o, "deleted", m.deleted);
    el(o, "fileName", &m.file_name);
    el(o, "fullName", &m.full_name);
    opt(o, "id", m.id.as_deref());
    opt(o, "lineNumber", m.line_number);
    opt(o, "problem", m.problem.as_deref());
    opt(o, "problemType", m.problem_type);
    el(o, "success", m.success);
    o.push_str(&format!("</{tag}>"));
}

fn coverage(o: &mut String, c: &CodeCoverage) {
    o.push_str("<codeCoverage>");
    el(o, "id", &c.id);
    for l in &c.locations_not_covered {
        o.push_str("<locationsNotCovered>");
        el(o, "column", l.column);
        el(o, "line", l.line);
        el(o, "numExecutions", 0);
        el(o, "time", "-1.0");
        o.push_str("</locationsNotCovered>");
    }
    el(o, "name", &c.name);
    nillable(o, "namespace", None);
    el(o, "numLocations", c.num_locations);
    el(o, "numLocationsNotCovered", c.num_locations_not_covered);
    el(o, "type", c.kind);
    o.push_str("</codeCoverage>");
}

fn run_test_result(o: &mut String, t: &RunTestsResult) {
    o.push_str("<runTestResult>");
    for c in &t.code_coverage {
        coverage(o, c);
    }
    for w in &t.code_coverage_warnings {
        o.push_str("<codeCoverageWarnings>");
        el(o, "id", &w.id);
        el(o, "message", &w.message);
        nillable(o, "name", w.name.as_deref());
        nillable(o, "namespace", None);
        o.push_str("</codeCoverageWarnings>");
    }
    for f in &t.failures {
        o.push_str("<failures>");
        el(o, "id", &f.id);
        el(o, "message", &f.message);
        nillable(o, "methodName", f.method_name.as_deref());
        el(o, "name", &f.name);
        nillable(o, "namespace", None);
        el(o, "packageName", &f.name);
        nillable(o, "stackTrace", f.stack_trace.as_deref());
        el(o, "time", double(f.time));
        el(o, "type", "Class");
        o.push_str("</failures>");
    }
    el(o, "numFailures", t.failures.len());
    el(o, "numTestsRun", t.num_tests_run());
    for s in &t.successes {
        o.push_str("<successes>");
        el(o, "id", &s.id);
        el(o, "methodName", &s.method_name);
        el(o, "name", &s.name);
        nillable(o, "namespace", None);
        el(o, "time", double(s.time));
        o.push_str("</successes>");
    }
    el(o, "totalTime", double(t.total_time));
    o.push_str("</runTestResult>");
}
