//! Apex for generated orgs: per object a selector, a service, a trigger handler, an `@isTest`
//! test class and a trigger, plus a shared `TriggerHandler` base and Account classes. The code
//! references the object's real fields and picklist values so dependency analysis, coverage
//! and data-fix scripts have something true to work on.

use std::fmt::Write;

use super::API_VERSION;
use super::plan::{Kind, Obj, Plan};
use super::xml::XmlWriter;

/// Every class the plan produces: (name, is_test).
pub fn class_names(p: &Plan) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if p.trigger_base {
        out.push(("TriggerHandler".to_owned(), false));
    }
    if p.account_apex {
        out.push(("AccountSelector".to_owned(), false));
        out.push(("AccountService".to_owned(), false));
        out.push(("AccountServiceTest".to_owned(), true));
    }
    for o in p.objs.iter().filter(|o| o.apex) {
        let b = &o.class_base;
        out.push((format!("{b}Selector"), false));
        out.push((format!("{b}Service"), false));
        out.push((format!("{b}ServiceTest"), true));
        out.push((format!("{b}TriggerHandler"), false));
    }
    out
}

/// `<ApexClass>`/`<ApexTrigger>` meta file.
pub fn meta(root: &str) -> Vec<u8> {
    let mut w = XmlWriter::new(root);
    w.leaf("apiVersion", API_VERSION).leaf("status", "Active");
    w.finish(root)
}

/// All classes: (name, body).
pub fn classes(p: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if p.trigger_base {
        out.push(("TriggerHandler".to_owned(), TRIGGER_HANDLER.to_owned()));
    }
    if p.account_apex {
        out.push(("AccountSelector".into(), ACCOUNT_SELECTOR.into()));
        out.push(("AccountService".into(), ACCOUNT_SERVICE.into()));
        out.push(("AccountServiceTest".into(), ACCOUNT_SERVICE_TEST.into()));
    }
    for o in p.objs.iter().filter(|o| o.apex) {
        let b = &o.class_base;
        out.push((format!("{b}Selector"), selector(o)));
        out.push((format!("{b}Service"), service(o)));
        out.push((format!("{b}ServiceTest"), service_test(o, p)));
        out.push((format!("{b}TriggerHandler"), handler(o)));
    }
    out
}

/// All triggers: (name, body).
pub fn triggers(p: &Plan) -> Vec<(String, String)> {
    p.objs
        .iter()
        .filter(|o| o.apex)
        .map(|o| {
            let b = &o.class_base;
            (
                format!("{b}Trigger"),
                format!(
                    "trigger {b}Trigger on {}(before insert, before update, after insert, after update) {{\n    new {b}TriggerHandler().run();\n}}\n",
                    o.api
                ),
            )
        })
        .collect()
}

fn has(o: &Obj, f: &str) -> bool {
    o.field(f).is_some()
}

fn soql_fields(o: &Obj) -> String {
    let mut s = String::from("Id, Name");
    for f in o
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::LongText(_) | Kind::Multi(_)))
        .take(5)
    {
        s.push_str(", ");
        s.push_str(&f.api);
    }
    s
}

fn selector(o: &Obj) -> String {
    let (b, a) = (&o.class_base, &o.api);
    let fields = soql_fields(o);
    let mut s = format!(
        "/**\n * Queries for {a} records. All SOQL against {a} lives here.\n */\npublic inherited sharing class {b}Selector {{\n    public List<{a}> selectById(Set<Id> recordIds) {{\n        return [\n            SELECT {fields}\n            FROM {a}\n            WHERE Id IN :recordIds\n            WITH USER_MODE\n        ];\n    }}\n"
    );
    if has(o, "Account__c") {
        let _ = write!(
            s,
            "\n    public List<{a}> selectByAccountId(Set<Id> accountIds) {{\n        return [\n            SELECT {fields}\n            FROM {a}\n            WHERE Account__c IN :accountIds\n            WITH USER_MODE\n            ORDER BY Name\n            LIMIT 200\n        ];\n    }}\n"
        );
    }
    s.push_str("}\n");
    s
}

fn default_status(o: &Obj) -> Option<&str> {
    o.field("Status__c")
        .and_then(|f| f.values())
        .and_then(|v| v.first())
        .map(String::as_str)
}

fn service(o: &Obj) -> String {
    let (b, a) = (&o.class_base, &o.api);
    let mut s = format!(
        "/**\n * Business logic for {}.\n */\npublic with sharing class {b}Service {{\n",
        o.plural
    );
    if let Some(st) = default_status(o) {
        let _ = writeln!(
            s,
            "    public static final String DEFAULT_STATUS = '{st}';\n"
        );
    }
    let _ = writeln!(
        s,
        "    public static void applyDefaults(List<{a}> records) {{\n        for ({a} record : records) {{"
    );
    if default_status(o).is_some() {
        s.push_str("            if (String.isBlank(record.Status__c)) {\n                record.Status__c = DEFAULT_STATUS;\n            }\n");
    }
    if has(o, "Amount__c") {
        s.push_str("            if (record.Amount__c == null) {\n                record.Amount__c = 0;\n            }\n");
    }
    s.push_str("        }\n    }\n");
    if has(o, "Amount__c") {
        let _ = write!(
            s,
            "\n    public static Decimal totalAmount(List<{a}> records) {{\n        Decimal total = 0;\n        for ({a} record : records) {{\n            total += record.Amount__c == null ? 0 : record.Amount__c;\n        }}\n        return total;\n    }}\n"
        );
    }
    if has(o, "Account__c") {
        let _ = write!(
            s,
            "\n    public static List<{a}> forAccounts(Set<Id> accountIds) {{\n        return new {b}Selector().selectByAccountId(accountIds);\n    }}\n"
        );
    }
    s.push_str("}\n");
    s
}

fn handler(o: &Obj) -> String {
    let (b, a) = (&o.class_base, &o.api);
    format!(
        "public with sharing class {b}TriggerHandler extends TriggerHandler {{\n    private List<{a}> newRecords;\n\n    public {b}TriggerHandler() {{\n        this.newRecords = (List<{a}>) Trigger.new;\n    }}\n\n    public override void beforeInsert() {{\n        {b}Service.applyDefaults(this.newRecords);\n    }}\n\n    public override void beforeUpdate() {{\n        {b}Service.applyDefaults(this.newRecords);\n    }}\n}}\n"
    )
}

fn service_test(o: &Obj, p: &Plan) -> String {
    let (b, a) = (&o.class_base, &o.api);
    let mut s = format!(
        "@isTest\nprivate class {b}ServiceTest {{\n    @TestSetup\n    static void makeData() {{\n"
    );
    let mut assigns: Vec<String> = Vec::new();
    if o.detail_of.is_none() {
        assigns.push(format!("Name = 'Test {} ' + i", o.label));
    }
    if has(o, "Account__c") {
        s.push_str("        Account account = new Account(Name = 'Test Account');\n        insert account;\n");
        assigns.push("Account__c = account.Id".into());
    }
    for f in o.fields.iter() {
        if let Kind::MasterDetail { to, .. } = &f.kind {
            let parent_label = p.obj(to).map(|m| m.label.as_str()).unwrap_or("Parent");
            let _ = writeln!(
                s,
                "        {to} parent = new {to}(Name = 'Test {parent_label}');\n        insert parent;"
            );
            assigns.push(format!("{} = parent.Id", f.api));
        }
    }
    if has(o, "Amount__c") {
        assigns.push("Amount__c = 100 * i".into());
    }
    let _ = write!(
        s,
        "        List<{a}> records = new List<{a}>();\n        for (Integer i = 0; i < 5; i++) {{\n            records.add(new {a}({}));\n        }}\n        insert records;\n    }}\n",
        assigns.join(", ")
    );
    if default_status(o).is_some() {
        let _ = write!(
            s,
            "\n    @isTest\n    static void appliesDefaultStatusOnInsert() {{\n        for ({a} record : [SELECT Id, Status__c FROM {a}]) {{\n            Assert.areEqual({b}Service.DEFAULT_STATUS, record.Status__c, 'Default status expected');\n        }}\n    }}\n"
        );
    }
    let total = if has(o, "Amount__c") {
        format!(
            "\n        Assert.areEqual(1000, {b}Service.totalAmount(records), 'Sum of amounts');"
        )
    } else {
        String::new()
    };
    let _ = write!(
        s,
        "\n    @isTest\n    static void selectsById() {{\n        Set<Id> ids = new Map<Id, {a}>([SELECT Id FROM {a}]).keySet();\n        Test.startTest();\n        List<{a}> records = new {b}Selector().selectById(ids);\n        Test.stopTest();\n        Assert.areEqual(5, records.size(), 'All records selected');{total}\n    }}\n}}\n"
    );
    s
}

const TRIGGER_HANDLER: &str = r#"/**
 * Base class for trigger handlers: one handler per object, dispatching on the trigger context.
 */
public virtual class TriggerHandler {
    private static Set<String> bypassedHandlers = new Set<String>();

    public void run() {
        if (bypassedHandlers.contains(getHandlerName())) {
            return;
        }
        switch on Trigger.operationType {
            when BEFORE_INSERT {
                this.beforeInsert();
            }
            when BEFORE_UPDATE {
                this.beforeUpdate();
            }
            when AFTER_INSERT {
                this.afterInsert();
            }
            when AFTER_UPDATE {
                this.afterUpdate();
            }
        }
    }

    public static void bypass(String handlerName) {
        bypassedHandlers.add(handlerName);
    }

    public static void clearBypass(String handlerName) {
        bypassedHandlers.remove(handlerName);
    }

    private String getHandlerName() {
        return String.valueOf(this).substring(0, String.valueOf(this).indexOf(':'));
    }

    protected virtual void beforeInsert() {
    }
    protected virtual void beforeUpdate() {
    }
    protected virtual void afterInsert() {
    }
    protected virtual void afterUpdate() {
    }
}
"#;

const ACCOUNT_SELECTOR: &str = r#"/**
 * Queries for Account records used by the account services.
 */
public inherited sharing class AccountSelector {
    public List<Account> selectByIndustry(String industry) {
        return [
            SELECT Id, Name, Industry, Customer_Tier__c, Region__c, Annual_Contract_Value__c
            FROM Account
            WHERE Industry = :industry
            WITH USER_MODE
            ORDER BY Name
        ];
    }
}
"#;

const ACCOUNT_SERVICE: &str = r#"/**
 * Account tiering rules agreed with Sales Operations.
 */
public with sharing class AccountService {
    public static void assignTier(List<Account> accounts) {
        for (Account acc : accounts) {
            if (acc.Annual_Contract_Value__c == null) {
                continue;
            }
            if (acc.Annual_Contract_Value__c >= 1000000) {
                acc.Customer_Tier__c = 'Platinum';
            } else if (acc.Annual_Contract_Value__c >= 250000) {
                acc.Customer_Tier__c = 'Gold';
            } else if (acc.Annual_Contract_Value__c >= 50000) {
                acc.Customer_Tier__c = 'Silver';
            } else {
                acc.Customer_Tier__c = 'Bronze';
            }
        }
    }
}
"#;

const ACCOUNT_SERVICE_TEST: &str = r#"@isTest
private class AccountServiceTest {
    @isTest
    static void assignsTierFromContractValue() {
        List<Account> accounts = new List<Account>{
            new Account(Name = 'Small', Annual_Contract_Value__c = 1000),
            new Account(Name = 'Large', Annual_Contract_Value__c = 2000000)
        };
        Test.startTest();
        AccountService.assignTier(accounts);
        Test.stopTest();
        Assert.areEqual('Bronze', accounts[0].Customer_Tier__c, 'Small accounts are Bronze');
        Assert.areEqual('Platinum', accounts[1].Customer_Tier__c, 'Large accounts are Platinum');
    }

    @isTest
    static void selectsByIndustry() {
        insert new Account(Name = 'Acme Test', Industry = 'Technology');
        Assert.areEqual(1, new AccountSelector().selectByIndustry('Technology').size(), 'One technology account');
    }
}
"#;
