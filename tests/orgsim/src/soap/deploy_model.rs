//! Data of a Metadata API deploy: options, messages, test results and the job record.
//!
//! These mirror the WSDL complex types (`DeployOptions`, `DeployMessage`, `RunTestsResult`,
//! `DeployResult`, ...) field by field, so rendering (`deploy_render.rs`) is a straight walk and
//! the pipeline (`deploy_validate.rs`, `deploy_tests.rs`, `deploy_apply.rs`) works on plain data.

use orgfleet_metadata::xml::Element;

/// `TestLevel` enum of the WSDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestLevel {
    NoTestRun,
    RunSpecifiedTests,
    RunLocalTests,
    RunAllTestsInOrg,
}

impl TestLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "NoTestRun" => Some(Self::NoTestRun),
            "RunSpecifiedTests" => Some(Self::RunSpecifiedTests),
            "RunLocalTests" => Some(Self::RunLocalTests),
            "RunAllTestsInOrg" => Some(Self::RunAllTestsInOrg),
            _ => None,
        }
    }
}

/// `DeployOptions`; defaults are the server defaults for omitted elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOptions {
    pub allow_missing_files: bool,
    pub auto_update_package: bool,
    pub check_only: bool,
    pub ignore_warnings: bool,
    pub perform_retrieve: bool,
    pub purge_on_delete: bool,
    pub rollback_on_error: bool,
    pub run_tests: Vec<String>,
    pub single_package: bool,
    /// `None` when omitted: the org picks its default (see `deploy_tests::effective_level`).
    pub test_level: Option<TestLevel>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            allow_missing_files: false,
            auto_update_package: false,
            check_only: false,
            ignore_warnings: false,
            perform_retrieve: false,
            purge_on_delete: false,
            rollback_on_error: true,
            run_tests: Vec::new(),
            single_package: false,
            test_level: None,
        }
    }
}

impl DeployOptions {
    /// Reads a `DeployOptions` element. Unknown test levels are reported as `Err(value)`.
    pub fn from_element(node: Option<&Element>) -> Result<Self, String> {
        let mut o = Self::default();
        let Some(node) = node else { return Ok(o) };
        let flag = |name: &str, default: bool| {
            node.child_text(name)
                .map(|t| t.eq_ignore_ascii_case("true"))
                .unwrap_or(default)
        };
        o.allow_missing_files = flag("allowMissingFiles", false);
        o.auto_update_package = flag("autoUpdatePackage", false);
        o.check_only = flag("checkOnly", false);
        o.ignore_warnings = flag("ignoreWarnings", false);
        o.perform_retrieve = flag("performRetrieve", false);
        o.purge_on_delete = flag("purgeOnDelete", false);
        o.rollback_on_error = flag("rollbackOnError", true);
        o.single_package = flag("singlePackage", false);
        o.run_tests = node
            .children_named("runTests")
            .map(|n| n.text().trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(level) = node.child_text("testLevel").filter(|t| !t.is_empty()) {
            o.test_level = Some(TestLevel::parse(&level).ok_or(level)?);
        }
        Ok(o)
    }
}

/// `DeployMessage`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployMessage {
    pub changed: bool,
    pub column_number: Option<u32>,
    pub component_type: String,
    pub created: bool,
    pub created_date: String,
    pub deleted: bool,
    pub file_name: String,
    pub full_name: String,
    pub id: Option<String>,
    pub line_number: Option<u32>,
    pub problem: Option<String>,
    /// `Warning`, `Error` or `Info`.
    pub problem_type: Option<&'static str>,
    pub success: bool,
}

impl DeployMessage {
    /// An error row for `component_type`/`full_name` in `file_name`.
    pub fn error(
        component_type: &str,
        full_name: &str,
        file_name: &str,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            component_type: component_type.to_owned(),
            full_name: full_name.to_owned(),
            file_name: file_name.to_owned(),
            problem: Some(problem.into()),
            problem_type: Some("Error"),
            ..Self::default()
        }
    }

    /// Sets line/column (builder style).
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line_number = Some(line);
        self.column_number = Some(column);
        self
    }

    pub fn is_warning(&self) -> bool {
        self.problem_type == Some("Warning")
    }
}

/// `CodeLocation` (only uncovered lines are listed).
#[derive(Debug, Clone, PartialEq)]
pub struct CodeLocation {
    pub column: u32,
    pub line: u32,
}

/// `CodeCoverageResult`.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeCoverage {
    pub id: String,
    pub locations_not_covered: Vec<CodeLocation>,
    pub name: String,
    pub num_locations: u32,
    pub num_locations_not_covered: u32,
    /// `Class` or `Trigger`.
    pub kind: &'static str,
}

impl CodeCoverage {
    /// Covered share in percent (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        if self.num_locations == 0 {
            return 100.0;
        }
        f64::from(self.num_locations - self.num_locations_not_covered) * 100.0
            / f64::from(self.num_locations)
    }
}

/// `CodeCoverageWarning`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageWarning {
    pub id: String,
    pub message: String,
    /// `None` renders `xsi:nil` (org-wide warning).
    pub name: Option<String>,
}

/// `RunTestFailure`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFailure {
    pub id: String,
    pub message: String,
    pub method_name: Option<String>,
    pub name: String,
    pub stack_trace: Option<String>,
    pub time: f64,
}

/// `RunTestSuccess`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSuccess {
    pub id: String,
    pub method_name: String,
    pub name: String,
    pub time: f64,
}

/// `RunTestsResult`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTestsResult {
    pub code_coverage: Vec<CodeCoverage>,
    pub code_coverage_warnings: Vec<CoverageWarning>,
    pub failures: Vec<TestFailure>,
    pub successes: Vec<TestSuccess>,
    pub total_time: f64,
}

impl RunTestsResult {
    pub fn num_tests_run(&self) -> usize {
        self.failures.len() + self.successes.len()
    }
}

/// `DeployStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployStatus {
    Pending,
    InProgress,
    Succeeded,
    SucceededPartial,
    Failed,
    Canceling,
    Canceled,
}

impl DeployStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "InProgress",
            Self::Succeeded => "Succeeded",
            Self::SucceededPartial => "SucceededPartial",
            Self::Failed => "Failed",
            Self::Canceling => "Canceling",
            Self::Canceled => "Canceled",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::SucceededPartial | Self::Failed | Self::Canceled
        )
    }
}

/// The visible state of one deploy (`DeployResult`), updated by the runner as it progresses.
#[derive(Debug, Clone)]
pub struct DeployResult {
    pub canceled_by: Option<String>,
    pub canceled_by_name: Option<String>,
    pub check_only: bool,
    pub completed_date: Option<String>,
    pub created_by: String,
    pub created_by_name: String,
    pub created_date: String,
    pub component_failures: Vec<DeployMessage>,
    pub component_successes: Vec<DeployMessage>,
    pub run_test_result: Option<RunTestsResult>,
    pub error_message: Option<String>,
    pub error_status_code: Option<String>,
    pub id: String,
    pub ignore_warnings: bool,
    pub last_modified_date: String,
    pub number_component_errors: usize,
    pub number_components_deployed: usize,
    pub number_components_total: usize,
    pub number_test_errors: usize,
    pub number_tests_completed: usize,
    pub number_tests_total: usize,
    pub rollback_on_error: bool,
    pub run_tests_enabled: bool,
    pub start_date: Option<String>,
    pub state_detail: Option<String>,
    pub status: DeployStatus,
    pub success: bool,
}

impl DeployResult {
    pub fn done(&self) -> bool {
        self.status.is_terminal()
    }
}
