//! Simulated Apex test runs and code coverage for deploys.
//!
//! Deterministic rules (on top of the scanning rules of `deploy_apex.rs`):
//! * Default test level when `testLevel` is omitted: production with Apex in the package →
//!   `RunLocalTests`, otherwise `NoTestRun` (metadata-soap.md §6.1).
//! * Which tests run: `RunSpecifiedTests` → the named `runTests` classes; `RunLocalTests` →
//!   every `@isTest` class without a namespace; `RunAllTestsInOrg` → every test class. The
//!   package's version of a class replaces the org's.
//! * A test class that failed validation fails at class level with
//!   `line -1, column -1: Previous load of class failed: <name in lower case>` (row 41).
//! * A method fails at its first deterministic failing assertion (see `deploy_apex.rs`);
//!   its stack trace is `Class.<Class>.<method>: line <l>, column <c>`. A method's time is
//!   `4 + 2 × statements` ms.
//! * Coverage: a non-test class method counts as executed when an executed test class calls
//!   it (`.name(`, or `new Class(` for constructors); a trigger counts as executed when a test
//!   mentions its sObject. Locations are statement lines.
//! * Enforcement (production only): RunLocalTests/RunAllTestsInOrg need ≥75% across all classes
//!   and triggers (row 43); RunSpecifiedTests needs ≥75% per deployed class/trigger (row 44).

use std::collections::BTreeSet;

use super::apex::{self, Method};
use super::model::{
    CodeCoverage, CodeLocation, CoverageWarning, RunTestsResult, TestFailure, TestLevel,
    TestSuccess,
};

/// One Apex class or trigger as the test run sees it.
#[derive(Debug, Clone)]
pub struct ApexUnit {
    pub name: String,
    pub id: String,
    pub source: String,
    pub is_trigger: bool,
    pub namespace: Option<String>,
    /// In the deploy (its coverage matters for RunSpecifiedTests).
    pub deployed: bool,
    /// Failed validation (compile error).
    pub broken: bool,
}

/// The test level in force for a deploy.
pub fn effective_level(
    requested: Option<TestLevel>,
    production: bool,
    package_has_apex: bool,
) -> TestLevel {
    match requested {
        Some(level) => level,
        None if production && package_has_apex => TestLevel::RunLocalTests,
        None => TestLevel::NoTestRun,
    }
}

struct Scanned<'a> {
    unit: &'a ApexUnit,
    stripped: String,
    methods: Vec<Method>,
    is_test: bool,
}

/// Test classes (name order) the level selects.
fn selected<'a>(
    units: &'a [Scanned<'a>],
    level: TestLevel,
    run_tests: &[String],
) -> Vec<&'a Scanned<'a>> {
    let mut out: Vec<&Scanned> = units
        .iter()
        .filter(|s| s.is_test && !s.unit.is_trigger)
        .filter(|s| match level {
            TestLevel::NoTestRun => false,
            TestLevel::RunSpecifiedTests => run_tests
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&s.unit.name)),
            TestLevel::RunLocalTests => s.unit.namespace.is_none(),
            TestLevel::RunAllTestsInOrg => true,
        })
        .collect();
    out.sort_by(|a, b| a.unit.name.cmp(&b.unit.name));
    out
}

fn scan(units: &[ApexUnit]) -> Vec<Scanned<'_>> {
    units
        .iter()
        .map(|u| {
            let stripped = apex::strip(&u.source);
            let methods = apex::methods(&stripped);
            let is_test = apex::is_test_class(&stripped);
            Scanned {
                unit: u,
                stripped,
                methods,
                is_test,
            }
        })
        .collect()
}

/// Runs the selected tests and computes coverage. `None` when no tests run.
pub fn run(
    units: &[ApexUnit],
    level: TestLevel,
    run_tests: &[String],
    production: bool,
) -> Option<RunTestsResult> {
    if level == TestLevel::NoTestRun {
        return None;
    }
    let scanned = scan(units);
    let tests = selected(&scanned, level, run_tests);
    let mut result = RunTestsResult::default();
    let mut calls = Calls::default();
    for t in &tests {
        let u = t.unit;
        if u.broken {
            result.failures.push(TestFailure {
                id: u.id.clone(),
                message: format!(
                    "line -1, column -1: Previous load of class failed: {}",
                    u.name.to_ascii_lowercase()
                ),
                method_name: None,
                name: u.name.clone(),
                stack_trace: None,
                time: -1.0,
            });
            continue;
        }
        calls.add(&t.stripped);
        for m in t.methods.iter().filter(|m| m.is_test) {
            let time = 4.0 + 2.0 * m.statement_lines.len() as f64;
            result.total_time += time;
            match super::asserts::first_failure(&u.source, &t.stripped, m.body.clone()) {
                Some(f) => result.failures.push(TestFailure {
                    id: u.id.clone(),
                    message: f.message,
                    method_name: Some(m.name.clone()),
                    name: u.name.clone(),
                    stack_trace: Some(format!(
                        "Class.{}.{}: line {}, column {}",
                        u.name, m.name, f.line, f.column
                    )),
                    time,
                }),
                None => result.successes.push(TestSuccess {
                    id: u.id.clone(),
                    method_name: m.name.clone(),
                    name: u.name.clone(),
                    time,
                }),
            }
        }
    }
    // Coverage of every non-test class/trigger.
    let all_org = matches!(
        level,
        TestLevel::RunLocalTests | TestLevel::RunAllTestsInOrg
    );
    for s in scanned.iter().filter(|s| !s.is_test) {
        let cov = coverage(s, &calls);
        let executed = cov.num_locations_not_covered < cov.num_locations;
        if all_org || executed || s.unit.deployed {
            result.code_coverage.push(cov);
        }
    }
    result.code_coverage.sort_by(|a, b| a.name.cmp(&b.name));
    if production {
        coverage_warnings(&mut result, &scanned, level);
    }
    Some(result)
}

fn coverage(s: &Scanned<'_>, calls: &Calls) -> CodeCoverage {
    let u = s.unit;
    let mut total = 0u32;
    let mut uncovered = Vec::new();
    if u.is_trigger {
        let object = trigger_object(&s.stripped)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let hit = !object.is_empty() && calls.words.contains(&object);
        let idx = super::xml::LineIndex::new(&s.stripped);
        let lines: BTreeSet<u32> = s
            .stripped
            .match_indices(';')
            .map(|(p, _)| idx.at(&s.stripped, p).0)
            .collect();
        total = lines.len() as u32;
        if !hit {
            uncovered.extend(
                lines
                    .into_iter()
                    .map(|line| CodeLocation { column: 0, line }),
            );
        }
    } else {
        let class = u.name.to_ascii_lowercase();
        for m in &s.methods {
            let name = m.name.to_ascii_lowercase();
            let hit = if name == class {
                calls.constructed.contains(&class)
            } else {
                calls.methods.contains(&name)
            };
            total += m.statement_lines.len() as u32;
            if !hit {
                uncovered.extend(
                    m.statement_lines
                        .iter()
                        .map(|&line| CodeLocation { column: 0, line }),
                );
            }
        }
    }
    CodeCoverage {
        id: u.id.clone(),
        num_locations: total,
        num_locations_not_covered: uncovered.len() as u32,
        locations_not_covered: uncovered,
        name: u.name.clone(),
        kind: if u.is_trigger { "Trigger" } else { "Class" },
    }
}

/// What executed test code calls, lower-cased: `.name(` methods, `new Name(` constructors and
/// every identifier (for triggers, which run when their sObject is used).
#[derive(Default)]
struct Calls {
    methods: std::collections::HashSet<String>,
    constructed: std::collections::HashSet<String>,
    words: std::collections::HashSet<String>,
}

impl Calls {
    fn add(&mut self, stripped: &str) {
        let lower = stripped.to_ascii_lowercase();
        let b = lower.as_bytes();
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let mut i = 0;
        let mut prev_word: Option<&str> = None;
        while i < b.len() {
            if !ident(b[i]) {
                if !b[i].is_ascii_whitespace() {
                    prev_word = None;
                }
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            let word = &lower[start..i];
            let next = b[i..].iter().find(|c| !c.is_ascii_whitespace());
            if next == Some(&b'(') {
                if start > 0 && b[start - 1] == b'.' {
                    self.methods.insert(word.to_owned());
                }
                if prev_word == Some("new") {
                    self.constructed.insert(word.to_owned());
                }
            }
            self.words.insert(word.to_owned());
            prev_word = Some(word);
        }
    }
}

fn trigger_object(stripped: &str) -> Option<String> {
    let lower = stripped.to_ascii_lowercase();
    let on = lower.find(" on ")?;
    let rest = stripped[on + 4..].trim_start();
    Some(
        rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()?
            .to_owned(),
    )
}

/// Percent as Salesforce prints per-class coverage: up to three decimals.
fn percent_text(p: f64) -> String {
    let s = format!("{p:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn coverage_warnings(result: &mut RunTestsResult, scanned: &[Scanned<'_>], level: TestLevel) {
    match level {
        TestLevel::RunLocalTests | TestLevel::RunAllTestsInOrg => {
            let (mut total, mut missed) = (0u32, 0u32);
            for c in &result.code_coverage {
                total += c.num_locations;
                missed += c.num_locations_not_covered;
            }
            if total == 0 {
                return;
            }
            let pct = (f64::from(total - missed) * 100.0 / f64::from(total)).floor() as u32;
            if pct < 75 {
                let id = result
                    .code_coverage
                    .first()
                    .map(|c| c.id.clone())
                    .unwrap_or_default();
                result.code_coverage_warnings.push(CoverageWarning {
                    id,
                    message: format!(
                        "Average test coverage across all Apex Classes and Triggers is {pct}%, at least 75% test coverage is required."
                    ),
                    name: None,
                });
            }
        }
        TestLevel::RunSpecifiedTests => {
            for s in scanned.iter().filter(|s| s.unit.deployed && !s.is_test) {
                let Some(c) = result.code_coverage.iter().find(|c| c.name == s.unit.name) else {
                    continue;
                };
                if c.num_locations > 0 && c.percent() < 75.0 {
                    let what = if s.unit.is_trigger {
                        "Trigger"
                    } else {
                        "Class"
                    };
                    result.code_coverage_warnings.push(CoverageWarning {
                        id: c.id.clone(),
                        message: format!(
                            "Test coverage of selected Apex {what} is {}%, at least 75% test coverage is required",
                            percent_text(c.percent())
                        ),
                        name: Some(s.unit.name.clone()),
                    });
                }
            }
        }
        TestLevel::NoTestRun => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, src: &str) -> ApexUnit {
        ApexUnit {
            name: name.into(),
            id: format!("01p{name}"),
            source: src.into(),
            is_trigger: false,
            namespace: None,
            deployed: true,
            broken: false,
        }
    }

    const FOO: &str = "public class Foo {\n  public Integer add(Integer a, Integer b) {\n    return a + b;\n  }\n  public Integer sub(Integer a, Integer b) {\n    Integer c = a - b;\n    return c;\n  }\n}";
    const FOO_TEST: &str = "@isTest\nclass FooTest {\n  @isTest static void adds() {\n    System.assertEquals(2, new Foo().add(1, 1));\n  }\n  @isTest static void breaks() {\n    System.assert(false, 'boom');\n  }\n}";

    #[test]
    fn failures_and_coverage() {
        let units = vec![unit("Foo", FOO), unit("FooTest", FOO_TEST)];
        let r = run(&units, TestLevel::RunLocalTests, &[], true).unwrap();
        assert_eq!(r.num_tests_run(), 2);
        assert_eq!(
            r.failures[0].message,
            "System.AssertException: Assertion Failed: boom"
        );
        assert_eq!(
            r.failures[0].stack_trace.as_deref(),
            Some("Class.FooTest.breaks: line 7, column 5")
        );
        let foo = &r.code_coverage[0];
        assert_eq!((foo.num_locations, foo.num_locations_not_covered), (3, 2));
        assert_eq!(
            r.code_coverage_warnings[0].message,
            "Average test coverage across all Apex Classes and Triggers is 33%, at least 75% test coverage is required."
        );
        assert!(
            run(&units, TestLevel::RunLocalTests, &[], false)
                .unwrap()
                .code_coverage_warnings
                .is_empty()
        );
    }

    #[test]
    fn specified_tests_and_defaults() {
        let units = vec![unit("Foo", FOO), unit("FooTest", FOO_TEST)];
        let r = run(
            &units,
            TestLevel::RunSpecifiedTests,
            &["OtherTest".into()],
            true,
        )
        .unwrap();
        assert_eq!(r.num_tests_run(), 0);
        assert_eq!(
            r.code_coverage_warnings[0].message,
            "Test coverage of selected Apex Class is 0%, at least 75% test coverage is required"
        );
        assert_eq!(effective_level(None, true, true), TestLevel::RunLocalTests);
        assert_eq!(effective_level(None, false, true), TestLevel::NoTestRun);
        assert_eq!(percent_text(65.97938), "65.979");
    }
}
