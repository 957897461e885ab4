//! `DeployResult` of checkDeployStatus (metadata-soap.md §6.2): status and counters, the
//! component successes and failures, and the test run (failures, successes, coverage). A
//! failed deploy is a successful call: the engine reads `status`/`success` and the details.

use serde::{Deserialize, Serialize};

use super::xml::Element;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployResult {
    pub id: String,
    pub done: bool,
    /// `Pending`, `InProgress`, `Succeeded`, `SucceededPartial`, `Failed`, `Canceling`, `Canceled`.
    pub status: String,
    pub success: bool,
    pub check_only: bool,
    pub error_message: Option<String>,
    pub error_status_code: Option<String>,
    pub state_detail: Option<String>,
    pub created_date: Option<String>,
    pub start_date: Option<String>,
    pub completed_date: Option<String>,
    pub canceled_by_name: Option<String>,
    pub number_components_deployed: i64,
    pub number_component_errors: i64,
    pub number_components_total: i64,
    pub number_tests_completed: i64,
    pub number_test_errors: i64,
    pub number_tests_total: i64,
    pub component_successes: Vec<DeployMessage>,
    pub component_failures: Vec<DeployMessage>,
    pub run_test_result: Option<RunTestsResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployMessage {
    pub component_type: String,
    pub full_name: String,
    pub file_name: String,
    pub id: Option<String>,
    pub success: bool,
    pub created: bool,
    pub changed: bool,
    pub deleted: bool,
    pub problem: Option<String>,
    /// `Warning`, `Error` or `Info`.
    pub problem_type: Option<String>,
    pub line_number: Option<i64>,
    pub column_number: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTestsResult {
    pub num_tests_run: i64,
    pub num_failures: i64,
    pub total_time: f64,
    pub failures: Vec<TestFailure>,
    pub successes: Vec<TestSuccess>,
    pub code_coverage: Vec<CodeCoverage>,
    pub code_coverage_warnings: Vec<CoverageWarning>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestFailure {
    pub name: String,
    pub method_name: Option<String>,
    pub message: String,
    pub stack_trace: Option<String>,
    pub time: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSuccess {
    pub name: String,
    pub method_name: String,
    pub time: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeCoverage {
    pub name: String,
    /// `Class` or `Trigger`.
    pub type_name: String,
    pub num_locations: i64,
    pub num_locations_not_covered: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageWarning {
    pub name: Option<String>,
    pub message: String,
}

impl DeployMessage {
    fn from_xml(e: &Element) -> Self {
        Self {
            component_type: e.string("componentType"),
            full_name: e.string("fullName"),
            file_name: e.string("fileName"),
            id: e.opt_string("id"),
            success: e.bool("success"),
            created: e.bool("created"),
            changed: e.bool("changed"),
            deleted: e.bool("deleted"),
            problem: e.opt_string("problem"),
            problem_type: e.opt_string("problemType"),
            line_number: e.opt_int("lineNumber"),
            column_number: e.opt_int("columnNumber"),
        }
    }
}

impl RunTestsResult {
    fn from_xml(e: &Element) -> Self {
        Self {
            num_tests_run: e.int("numTestsRun"),
            num_failures: e.int("numFailures"),
            total_time: e.float("totalTime"),
            failures: e
                .children("failures")
                .map(|f| TestFailure {
                    name: f.string("name"),
                    method_name: f.opt_string("methodName"),
                    message: f.string("message"),
                    stack_trace: f.opt_string("stackTrace"),
                    time: f.float("time"),
                })
                .collect(),
            successes: e
                .children("successes")
                .map(|s| TestSuccess {
                    name: s.string("name"),
                    method_name: s.string("methodName"),
                    time: s.float("time"),
                })
                .collect(),
            code_coverage: e
                .children("codeCoverage")
                .map(|c| CodeCoverage {
                    name: c.string("name"),
                    type_name: c.string("type"),
                    num_locations: c.int("numLocations"),
                    num_locations_not_covered: c.int("numLocationsNotCovered"),
                })
                .collect(),
            code_coverage_warnings: e
                .children("codeCoverageWarnings")
                .map(|w| CoverageWarning {
                    name: w.opt_string("name"),
                    message: w.string("message"),
                })
                .collect(),
        }
    }
}

impl DeployResult {
    pub(crate) fn from_xml(r: &Element) -> Self {
        let details = r.child("details");
        let messages = |name: &str| -> Vec<DeployMessage> {
            details
                .map(|d| d.children(name).map(DeployMessage::from_xml).collect())
                .unwrap_or_default()
        };
        Self {
            id: r.string("id"),
            done: r.bool("done"),
            status: r.string("status"),
            success: r.bool("success"),
            check_only: r.bool("checkOnly"),
            error_message: r.opt_string("errorMessage"),
            error_status_code: r.opt_string("errorStatusCode"),
            state_detail: r.opt_string("stateDetail"),
            created_date: r.opt_string("createdDate"),
            start_date: r.opt_string("startDate"),
            completed_date: r.opt_string("completedDate"),
            canceled_by_name: r.opt_string("canceledByName"),
            number_components_deployed: r.int("numberComponentsDeployed"),
            number_component_errors: r.int("numberComponentErrors"),
            number_components_total: r.int("numberComponentsTotal"),
            number_tests_completed: r.int("numberTestsCompleted"),
            number_test_errors: r.int("numberTestErrors"),
            number_tests_total: r.int("numberTestsTotal"),
            component_successes: messages("componentSuccesses"),
            component_failures: messages("componentFailures"),
            run_test_result: details
                .and_then(|d| d.child("runTestResult"))
                .map(RunTestsResult::from_xml),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_failures_successes_and_tests() {
        let xml = r#"<result><checkOnly>false</checkOnly><completedDate>2024-01-01T00:00:00.000Z</completedDate>
          <details>
            <componentFailures><changed>false</changed><columnNumber>5</columnNumber><componentType>ApexClass</componentType>
              <created>false</created><deleted>false</deleted><fileName>classes/Foo.cls</fileName><fullName>Foo</fullName>
              <lineNumber>3</lineNumber><problem>Unexpected token</problem><problemType>Error</problemType><success>false</success></componentFailures>
            <componentSuccesses><changed>false</changed><componentType></componentType><created>false</created><deleted>false</deleted>
              <fileName>package.xml</fileName><fullName>package.xml</fullName><success>true</success></componentSuccesses>
            <runTestResult><failures><message>boom</message><methodName>t1</methodName><name>FooTest</name><stackTrace xsi:nil="true"/><time>12.0</time></failures>
              <numFailures>1</numFailures><numTestsRun>2</numTestsRun><totalTime>30.5</totalTime>
              <successes><methodName>t2</methodName><name>FooTest</name><time>3.0</time></successes></runTestResult>
          </details>
          <done>true</done><id>0Af000000000001AAA</id><numberComponentErrors>1</numberComponentErrors><numberComponentsDeployed>0</numberComponentsDeployed>
          <numberComponentsTotal>1</numberComponentsTotal><status>Failed</status><success>false</success></result>"#;
        let el = super::super::xml::parse(xml.as_bytes()).unwrap();
        let r = DeployResult::from_xml(&el);
        assert_eq!(
            (r.status.as_str(), r.done, r.success),
            ("Failed", true, false)
        );
        assert_eq!(r.component_failures[0].line_number, Some(3));
        assert_eq!(
            r.component_failures[0].problem.as_deref(),
            Some("Unexpected token")
        );
        assert_eq!(r.component_successes[0].component_type, "");
        let tests = r.run_test_result.unwrap();
        assert_eq!((tests.num_tests_run, tests.num_failures), (2, 1));
        assert_eq!(tests.failures[0].stack_trace, None);
        assert_eq!(tests.successes[0].method_name, "t2");
    }
}
