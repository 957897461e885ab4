//! Unit tests of the Apex subset interpreter.

use serde_json::json;

use super::*;
use crate::model::Org;

/// Built through serde so fields other modules add (with `#[serde(default)]`) need no edits.
fn org() -> Org {
    serde_json::from_value(json!({
        "id": crate::ids::make_id("00D", 1), "alias": "t", "name": "Test", "kind": "sandbox",
        "instance_name": "CS1", "instance_url": "",
        "users": [{"id": crate::ids::make_id("005", 1), "username": "admin@t.org", "name": "Ada Admin",
                   "email": "admin@t.org", "password": "pw", "profile_name": "System Administrator",
                   "is_active": true}],
        "metadata": {}, "records": {}, "next_id": 0
    }))
    .expect("org json")
}

fn user() -> String {
    crate::ids::make_id("005", 1)
}

fn debugs(o: &Outcome) -> Vec<String> {
    o.events
        .iter()
        .filter(|e| e.name == "USER_DEBUG")
        .map(|e| e.detail.splitn(3, '|').nth(2).unwrap_or("").to_owned())
        .collect()
}

fn run(code: &str) -> Outcome {
    execute_anonymous(code, &mut org(), &user())
}

#[test]
fn debug_of_expressions() {
    let o = run(
        "System.debug('a' + 1 + 2);\nSystem.debug(1 + 2 * 3);\nSystem.debug(7 / 2);\nDecimal d = 7; System.debug(d / 2);\nSystem.debug(null);\nSystem.debug(3 > 2 && !(1 == 2));\nSystem.debug('Abc' == 'aBC');\nSystem.debug('x'.equals('X'));",
    );
    assert!(o.success, "{o:?}");
    assert_eq!(
        debugs(&o),
        ["a12", "7", "3", "3.5", "null", "true", "true", "false"]
    );
    assert_eq!(
        o.events
            .iter()
            .find(|e| e.name == "USER_DEBUG")
            .unwrap()
            .detail,
        "[1]|DEBUG|a12"
    );
    assert_eq!((o.line, o.column), (-1, -1));
}

#[test]
fn strings_collections_and_loops() {
    let o = run(r#"
        String s = 'Hello World';
        System.debug(s.toUpperCase() + ' ' + s.length() + ' ' + s.contains('World') + ' ' + s.substring(0, 5));
        List<Integer> xs = new List<Integer>{3, 1, 2};
        xs.add(4);
        xs.sort();
        System.debug(xs);
        Integer total = 0;
        for (Integer x : xs) { if (x == 2) { continue; } total += x; }
        for (Integer i = 0; i < 3; i++) { total = total + i; }
        System.debug(total);
        Set<String> seen = new Set<String>{'a', 'b'};
        seen.add('a');
        System.debug(seen.size() + ' ' + seen);
        Map<String, Integer> m = new Map<String, Integer>{'one' => 1};
        m.put('two', 2);
        System.debug(m.get('two') + m.keySet().size());
        System.debug(m);
        Integer w = 0;
        while (w < 10) { w++; if (w == 5) break; }
        System.debug(w);
        System.debug(String.join(new List<String>{'x', 'y'}, '-'));
    "#);
    assert!(o.success, "{o:?}");
    assert_eq!(
        debugs(&o),
        [
            "HELLO WORLD 11 true Hello",
            "(1, 2, 3, 4)",
            "11",
            "2 {a, b}",
            "4",
            "{one=1, two=2}",
            "5",
            "x-y"
        ]
    );
}

#[test]
fn compile_errors_have_line_and_column() {
    let o = run("System.debug('a');\nInteger x = ;");
    assert!(!o.compiled && !o.success);
    assert_eq!((o.line, o.column), (2, 13));
    assert_eq!(o.compile_problem.as_deref(), Some("Unexpected token ';'."));
    let o = run("System.debug(y);");
    assert_eq!(
        o.compile_problem.as_deref(),
        Some("Variable does not exist: y")
    );
    assert_eq!((o.line, o.column), (1, 14));
    let o = run("Integer x = 'a';");
    assert_eq!(
        o.compile_problem.as_deref(),
        Some("Illegal assignment from String to Integer")
    );
    let o = run("Foo f;");
    assert_eq!(o.compile_problem.as_deref(), Some("Invalid type: Foo"));
    let o = run("System.debg('x');");
    assert_eq!(
        o.compile_problem.as_deref(),
        Some(
            "Method does not exist or incorrect signature: void debg(String) from the type System"
        )
    );
    let o = run("System.debug('x')");
    assert_eq!(o.compile_problem.as_deref(), Some("Missing ';' at '<EOF>'"));
    let o = run("List<Foo__x> l = [SELECT Id FROM Nope];");
    assert!(!o.compiled);
}

#[test]
fn dml_then_soql_with_binds() {
    let mut org = org();
    let o = execute_anonymous(
        r#"
        Account a = new Account(Name = 'Acme', Industry = 'Tech');
        insert a;
        System.debug(a.Id != null);
        List<Account> more = new List<Account>{ new Account(Name = 'Beta'), new Account(Name = 'Gamma') };
        insert more;
        String ind = 'Tech';
        Account got = [SELECT Id, Name, CreatedBy.Name FROM Account WHERE Industry = :ind];
        System.debug(got.Name + ' by ' + got.CreatedBy.Name);
        List<Account> all = [SELECT Name FROM Account WHERE Id IN :more ORDER BY Name DESC];
        System.debug(all.size() + ' ' + all[0].Name);
        got.Name = 'Acme 2';
        update got;
        delete more[1];
        System.debug([SELECT COUNT() FROM Account]);
        System.debug(Limits.getQueries() + '/' + Limits.getLimitQueries() + ' ' + Limits.getDmlStatements());
        for (Account x : [SELECT Name FROM Account ORDER BY Name]) { System.debug(x.Name); }
    "#,
        &mut org,
        &user(),
    );
    assert!(o.success, "{o:?}");
    assert_eq!(
        debugs(&o),
        [
            "true",
            "Acme by Ada Admin",
            "2 Gamma",
            "2",
            "3/100 4",
            "Acme 2",
            "Beta"
        ]
    );
    let accounts = &org.records["Account"];
    assert_eq!(accounts.len(), 2);
    assert!(accounts.values().all(|r| r.id.starts_with("001")));
    assert!(
        o.events
            .iter()
            .any(|e| e.name == "DML_BEGIN" && e.detail.contains("Op:Insert|Type:Account|Rows:2"))
    );
    assert!(o.events.iter().any(|e| e.name == "SOQL_EXECUTE_BEGIN"));
}

#[test]
fn failed_transaction_rolls_back() {
    let mut org = org();
    let o = execute_anonymous(
        "insert new Account(Name = 'Kept?');\nAccount a = [SELECT Id FROM Account WHERE Name = 'missing'];",
        &mut org,
        &user(),
    );
    assert!(o.compiled && !o.success);
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.QueryException: List has no rows for assignment to SObject")
    );
    assert_eq!(
        o.exception_stack_trace.as_deref(),
        Some("AnonymousBlock: line 2, column 13")
    );
    assert!(org.records.get("Account").is_none_or(|t| t.is_empty()));
    assert!(o.events.iter().any(|e| e.name == "FATAL_ERROR"));
}

#[test]
fn exceptions_thrown_caught_and_dml_errors() {
    let o = run(r#"
        public class BadException extends Exception {}
        try {
            throw new BadException('boom');
        } catch (BadException e) {
            System.debug('caught ' + e.getMessage());
        } finally {
            System.debug('finally');
        }
        try { insert new Account(); } catch (DmlException e) { System.debug(e.getMessage()); }
        try { Integer z = 1 / 0; } catch (Exception e) { System.debug(e.getTypeName()); }
        List<Integer> l = new List<Integer>();
        try { l.get(3); } catch (ListException e) { System.debug(e.getMessage()); }
        throw new BadException('uncaught');
    "#);
    assert!(!o.success);
    assert_eq!(
        debugs(&o),
        [
            "caught boom",
            "finally",
            "Insert failed. First exception on row 0; first error: REQUIRED_FIELD_MISSING, Required fields are missing: [Name]: [Name]",
            "System.MathException",
            "List index out of bounds: 3",
        ]
    );
    assert_eq!(
        o.exception_message.as_deref(),
        Some("BadException: uncaught")
    );
    let o = run("System.assertEquals(1, 2);");
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.AssertException: Assertion Failed: Expected: 1, Actual: 2")
    );
    let o = run("String s; s.length();");
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.NullPointerException: Attempt to de-reference a null object")
    );
    let o = run("update new Account(Name = 'x');");
    assert!(
        o.exception_message
            .unwrap()
            .starts_with("System.DmlException: Update failed.")
    );
}

#[test]
fn custom_objects_and_runaway_loops() {
    let mut org = org();
    let o = execute_anonymous(
        "Invoice__c i = new Invoice__c(Amount__c = 12.5);\ninsert i;\nInvoice__c j = [SELECT Amount__c FROM Invoice__c WHERE Id = :i.Id];\nSystem.debug(j.Amount__c * 2);",
        &mut org,
        &user(),
    );
    assert!(o.success, "{o:?}");
    assert_eq!(debugs(&o), ["25"]);
    assert_eq!(org.records["Invoice__c"].len(), 1);
    let o = run("while (true) { }");
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.LimitException: Apex CPU time limit exceeded")
    );
}

fn org_with_invoice() -> Org {
    let mut o = org();
    let xml = "<CustomObject><fields><fullName>Amount__c</fullName><type>Currency</type></fields><label>Invoice</label></CustomObject>";
    let c: crate::model::Component = serde_json::from_value(json!({
        "id": crate::ids::make_id("01I", 1), "files": {"objects/Invoice__c.object": xml.as_bytes()},
        "created_by_id": user(), "created_by_name": "Ada Admin", "created_date": "2026-01-01T00:00:00.000Z",
        "last_modified_by_id": user(), "last_modified_by_name": "Ada Admin",
        "last_modified_date": "2026-01-01T00:00:00.000Z", "namespace_prefix": null
    }))
    .expect("component json");
    o.metadata.insert(
        crate::model::ComponentKey::new("CustomObject", "Invoice__c"),
        c,
    );
    o
}

#[test]
fn custom_fields_are_checked_against_metadata() {
    let mut o = org_with_invoice();
    let r = execute_anonymous(
        "Invoice__c i = new Invoice__c(Amout__c = 1);",
        &mut o,
        &user(),
    );
    assert_eq!(
        r.compile_problem.as_deref(),
        Some("Invalid field Amout__c for Invoice__c")
    );
    let r = execute_anonymous(
        "Invoice__c i = new Invoice__c();\ni.Totl__c = 2;",
        &mut o,
        &user(),
    );
    assert_eq!(
        r.compile_problem.as_deref(),
        Some("Invalid field Totl__c for Invoice__c")
    );
    assert_eq!(r.line, 2);
    let r = execute_anonymous(
        "List<Invoice__c> l = [SELECT Amout__c FROM Invoice__c];",
        &mut o,
        &user(),
    );
    assert!(
        r.compile_problem
            .unwrap()
            .starts_with("No such column 'Amout__c' on entity 'Invoice__c'")
    );
    let r = execute_anonymous(
        "insert new Invoice__c(Name = 'a', Amount__c = 3);\nSystem.debug([SELECT Amount__c FROM Invoice__c][0].Amount__c);",
        &mut o,
        &user(),
    );
    assert!(r.success, "{r:?}");
    assert_eq!(debugs(&r), ["3"]);
}

#[test]
fn derived_objects_are_queryable_not_writable() {
    let mut o = org();
    let r = execute_anonymous(
        "User u = [SELECT Id, Name FROM User WHERE Username = 'admin@t.org'];\nSystem.debug(u.Name);\nSystem.debug(UserInfo.getUserName());\nupdate u;",
        &mut o,
        &user(),
    );
    assert_eq!(debugs(&r), ["Ada Admin", "admin@t.org"]);
    assert_eq!(
        r.exception_message.as_deref(),
        Some("System.DmlException: DML operation Update not allowed on User")
    );
}

/// Runs like the Tooling layer does: on a thread with a 64 MB stack.
fn run_big(code: String) -> Outcome {
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || execute_anonymous(&code, &mut org(), &user()))
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn hostile_code_fails_cleanly() {
    let deep = format!("Integer x = {}1{};", "(".repeat(5000), ")".repeat(5000));
    let o = run_big(deep);
    assert_eq!(
        o.compile_problem.as_deref(),
        Some("Expression is too deeply nested.")
    );
    let chain = format!("Integer x = 1{};", " + 1".repeat(20_000));
    assert!(!run_big(chain).compiled);
    let ok_chain = format!("Integer x = 0{};\nSystem.debug(x);", " + 1".repeat(300));
    assert_eq!(debugs(&run_big(ok_chain)), ["300"]);
    let bangs = format!("Boolean b = {}true;", "!".repeat(100_000));
    assert!(!run_big(bangs).compiled);
    let o = run_big("List<Object> l = new List<Object>{1};\nl.add(l); l.add(l); l.add(l);\nSystem.debug(l.size());\nString s = String.valueOf(l);\nSystem.debug(l == l);\nl.sort();".into());
    assert!(o.success, "{o:?}");
    let o = run_big("Integer m = -9223372036854775807 - 1;\nSystem.debug(m / -1);\nSystem.debug(Math.abs(m));\nSystem.debug(Math.mod(m, -1));".into());
    assert!(o.success, "{o:?}");
    let o = run_big("String s = 'ab'.repeat(2000000000);".into());
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.LimitException: Apex heap size too large: 4000000000")
    );
    let o = run_big("String s = 'x';\nfor (Integer i = 0; i < 40; i++) { s = s + s; }".into());
    assert!(
        o.exception_message
            .unwrap()
            .starts_with("System.LimitException: Apex heap size too large")
    );
    let o = run_big(
        "String s = 'aaaa'.replace('', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');".into(),
    );
    assert!(o.success);
}

#[test]
fn debug_log_stops_at_its_size_limit() {
    let o = run_big(format!(
        "for (Integer i = 0; i < 200000; i++) {{ System.debug('{}'); }}\nSystem.debug('done');",
        "x".repeat(100)
    ));
    assert!(o.success, "{o:?}");
    assert!(o.usage.log_truncated);
    let bytes: usize = o.events.iter().map(|e| e.detail.len()).sum();
    assert!(bytes <= 20_000_000);
    assert_ne!(
        o.events.last().map(|e| e.detail.as_str()),
        Some("[2]|DEBUG|done")
    );
    let nanos: Vec<u64> = o.events.iter().map(|e| e.nanos).collect();
    assert!(
        nanos.windows(2).all(|w| w[0] < w[1]),
        "the log clock is monotonic"
    );
}

#[test]
fn reading_an_unqueried_field_throws() {
    let mut o = org();
    let r = execute_anonymous(
        "insert new Account(Name = 'Acme', Industry = 'Tech');",
        &mut o,
        &user(),
    );
    assert!(r.success);
    let r = execute_anonymous(
        "Account a = [SELECT Id, CreatedBy.Name FROM Account];\nSystem.debug(a.Id != null);\nSystem.debug(a.CreatedBy.Name);\na.Industry = 'Energy';\nSystem.debug(a.Industry);\nSystem.debug(a.Name);",
        &mut o,
        &user(),
    );
    assert_eq!(debugs(&r), ["true", "Ada Admin", "Energy"]);
    assert_eq!(
        r.exception_message.as_deref(),
        Some(
            "System.SObjectException: SObject row was retrieved via SOQL without querying the requested field: Account.Name"
        )
    );
    assert_eq!(r.line, 6);
    let r = execute_anonymous(
        "Account a = [SELECT Id, CreatedBy.Name FROM Account];\nSystem.debug(a.CreatedBy.Email);",
        &mut o,
        &user(),
    );
    assert_eq!(
        r.exception_message.as_deref(),
        Some(
            "System.SObjectException: SObject row was retrieved via SOQL without querying the requested field: User.Email"
        )
    );
}

#[test]
fn methods_declared_in_the_block() {
    let o = run_big(
        "Integer fact(Integer n) { if (n <= 1) { return 1; } return n * fact(n - 1); }\n\
         static void make(String name) { insert new Account(Name = name); }\n\
         System.debug(fact(10));\n\
         make('Acme');\n\
         System.debug([SELECT COUNT() FROM Account]);\n\
         public static Decimal half(Integer n) { return n; }\n\
         System.debug(half(3) / 2);"
            .into(),
    );
    assert!(o.success, "{o:?}");
    assert_eq!(debugs(&o), ["3628800", "1", "1.5"]);
    let o = run_big("Integer x = 1;\nvoid show() { System.debug(x); }\nshow();".into());
    assert_eq!(
        o.compile_problem.as_deref(),
        Some("Variable does not exist: x")
    );
    assert_eq!(o.line, 2);
    let o = run_big("void loop(Integer n) { loop(n + 1); }\nloop(0);".into());
    assert_eq!(
        o.exception_message.as_deref(),
        Some("System.LimitException: Maximum stack depth reached: 1001")
    );
    let o = run_big("void a() {}\nvoid a() {}".into());
    assert_eq!(
        o.compile_problem.as_deref(),
        Some("Method already defined: a")
    );
    let o =
        run_big("Integer twice(Integer n) { return n * 2; }\nSystem.debug(twice(1, 2));".into());
    assert!(
        o.compile_problem.unwrap().starts_with(
            "Method does not exist or incorrect signature: void twice(Integer, Integer)"
        )
    );
}

#[test]
fn dates_and_datetimes() {
    let mut o = org();
    let r = execute_anonymous(
        "Date d = Date.newInstance(2024, 1, 31);\n\
         System.debug(d.addMonths(1));\n\
         System.debug(d.addDays(1) + ' ' + d.year() + ' ' + d.daysBetween(Date.newInstance(2024, 3, 1)));\n\
         Datetime t = Datetime.newInstanceGmt(2024, 1, 31, 10, 5, 0);\n\
         System.debug(t.addHours(15));\n\
         System.debug(Date.today() > d && Datetime.now() > t);\n\
         insert new Opportunity(Name = 'Big', StageName = 'Prospecting', CloseDate = d);\n\
         Opportunity opp = [SELECT CloseDate, CreatedDate FROM Opportunity WHERE CloseDate = :d];\n\
         Date close = opp.CloseDate;\n\
         System.debug(close == d);\n\
         System.debug([SELECT COUNT() FROM Opportunity WHERE CloseDate < :Date.newInstance(2024, 2, 1)]);",
        &mut o,
        &user(),
    );
    assert!(r.success, "{r:?}");
    assert_eq!(
        debugs(&r),
        [
            "2024-02-29",
            "2024-02-01 2024 30",
            "2024-02-01 01:05:00",
            "true",
            "true",
            "1"
        ]
    );
    assert_eq!(
        o.records["Opportunity"].values().next().unwrap().fields["CloseDate"],
        "2024-01-31"
    );
    let r = execute_anonymous("Date d = Date.newInstance(2024, 2, 30);", &mut o, &user());
    assert!(
        r.exception_message
            .unwrap()
            .starts_with("System.TypeException: Invalid date/time")
    );
}
