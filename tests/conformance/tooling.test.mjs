// Tooling API through jsforce (rest-tooling.md): executeAnonymous (success, compile error,
// thrown exception, DML and inline SOQL on the record store) and Tooling queries.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { HOOK_TIMEOUT_MS, startOrgsim, SUITE_TIMEOUT_MS, USERS } from './harness.mjs';
import { jwtConnection } from './flows.mjs';

let sim;
let conn;
before(async () => {
  sim = await startOrgsim();
  ({ conn } = await jwtConnection(sim, USERS.prod));
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

describe('executeAnonymous', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('success: compiled and ran, line/column -1', async () => {
    const res = await conn.tooling.executeAnonymous("Integer x = 6 * 7;\nSystem.debug('answer ' + x);");
    assert.deepEqual(res, {
      line: -1,
      column: -1,
      compiled: true,
      success: true,
      compileProblem: null,
      exceptionMessage: null,
      exceptionStackTrace: null,
    });
  });

  test('compile error: compiled=false with line, column and problem', async () => {
    const res = await conn.tooling.executeAnonymous("System.debug('ok');\nInteger x = ;");
    assert.equal(res.compiled, false);
    assert.equal(res.success, false);
    assert.equal(res.line, 2);
    assert.equal(res.column, 13);
    assert.equal(res.compileProblem, "Unexpected token ';'.");
    assert.equal(res.exceptionMessage, null);
  });

  test('an unknown variable is a compile error too', async () => {
    const res = await conn.tooling.executeAnonymous('System.debug(undefinedThing);');
    assert.equal(res.compiled, false);
    assert.equal(res.line, 1);
    assert.match(res.compileProblem, /undefinedThing/);
  });

  test('an Apex type that does not exist is a compile error (Apex has no IllegalStateException)', async () => {
    const res = await conn.tooling.executeAnonymous("throw new IllegalStateException('x');");
    assert.equal(res.compiled, false);
    assert.equal(res.compileProblem, 'Invalid type: IllegalStateException');
    assert.equal(res.line, 1);
  });

  test('a thrown exception: compiled=true, success=false, message and stack trace', async () => {
    const res = await conn.tooling.executeAnonymous("Integer a = 1;\nthrow new IllegalArgumentException('boom');");
    assert.equal(res.compiled, true);
    assert.equal(res.success, false);
    assert.equal(res.compileProblem, null);
    assert.equal(res.exceptionMessage, 'System.IllegalArgumentException: boom');
    assert.equal(res.exceptionStackTrace, 'AnonymousBlock: line 2, column 1');
    assert.equal(res.line, 2);
  });

  test('DML and inline SOQL act on the org record store', async () => {
    const res = await conn.tooling.executeAnonymous(`
Account a = new Account(Name = 'Apex Made 1', AccountNumber = 'APEX-1');
insert a;
List<Account> found = [SELECT Id, Name FROM Account WHERE AccountNumber = 'APEX-1'];
System.assertEquals(1, found.size(), 'one account');
found[0].Name = 'Apex Made 2';
update found;
`);
    assert.equal(res.success, true, JSON.stringify(res));
    const q = await conn.query("SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber = 'APEX-1'");
    assert.equal(q.totalSize, 1);
    assert.equal(q.records[0].Name, 'Apex Made 2');

    const del = await conn.tooling.executeAnonymous("delete [SELECT Id FROM Account WHERE AccountNumber = 'APEX-1'];");
    assert.equal(del.success, true, JSON.stringify(del));
    assert.equal((await conn.query("SELECT Id FROM Account WHERE AccountNumber = 'APEX-1'")).totalSize, 0);
  });

  test('a failed DML surfaces as a DmlException', async () => {
    const res = await conn.tooling.executeAnonymous("insert new Account(AccountNumber = 'NO-NAME');");
    assert.equal(res.compiled, true);
    assert.equal(res.success, false);
    assert.match(res.exceptionMessage, /^System\.DmlException: Insert failed\. .*REQUIRED_FIELD_MISSING/);
  });
});

describe('tooling query', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('ApexClass rows carry the documented tooling fields', async () => {
    const res = await conn.tooling.query('SELECT Id, Name, ApiVersion, Status, Body FROM ApexClass ORDER BY Name');
    assert.ok(res.totalSize >= 3);
    assert.equal(res.records.length, res.totalSize);
    const names = res.records.map((r) => r.Name);
    assert.deepEqual(names, [...names].sort());
    for (const r of res.records) {
      assert.match(r.Id, /^01p[A-Za-z0-9]{15}$/);
      assert.equal(r.attributes.type, 'ApexClass');
      assert.equal(r.Status, 'Active');
      assert.equal(typeof r.ApiVersion, 'number');
      assert.match(r.Body, new RegExp(`\\b(class|interface|enum)\\s+${r.Name}\\b`, 'i'));
    }
  });

  test('raw response has size, entityTypeName and a null queryLocator', async () => {
    const raw = await conn.request(`/services/data/v${conn.version}/tooling/query?q=${encodeURIComponent('SELECT Id, Name FROM ApexClass')}`);
    assert.equal(raw.entityTypeName, 'ApexClass');
    assert.equal(raw.size, raw.totalSize);
    assert.equal(raw.queryLocator, null);
    assert.equal(raw.done, true);
  });

  test('WHERE on Name finds one class; ApexTrigger bodies name their object', async () => {
    const all = await conn.tooling.query('SELECT Name FROM ApexClass');
    const pick = all.records[1].Name;
    const one = await conn.tooling.query(`SELECT Id, Name FROM ApexClass WHERE Name = '${pick}'`);
    assert.deepEqual(one.records.map((r) => r.Name), [pick]);
    const triggers = await conn.tooling.query('SELECT Name, TableEnumOrId, Body FROM ApexTrigger');
    for (const t of triggers.records) {
      assert.match(t.Body, new RegExp(`trigger\\s+${t.Name}\\s+on\\s+${t.TableEnumOrId}\\b`, 'i'));
    }
  });

  test('an unknown field is INVALID_FIELD', async () => {
    await assert.rejects(conn.tooling.query('SELECT Id, NoSuchField FROM ApexClass'), (err) => {
      assert.equal(err.errorCode, 'INVALID_FIELD');
      assert.match(err.message, /No such column 'NoSuchField' on entity 'ApexClass'/);
      return true;
    });
  });
});

describe('debug logs (the sf CLI flow)', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('DebugLevel + TraceFlag, then executeAnonymous leaves an ApexLog with a Body', async () => {
    const level = await conn.tooling.sobject('DebugLevel').create({
      DeveloperName: 'Conformance_Level',
      MasterLabel: 'Conformance_Level',
      ApexCode: 'FINEST',
      Visualforce: 'FINER',
    });
    assert.equal(level.success, true);
    assert.match(level.id, /^7dl[A-Za-z0-9]{15}$/);
    const flag = await conn.tooling.sobject('TraceFlag').create({
      TracedEntityId: conn.userInfo.id,
      LogType: 'DEVELOPER_LOG',
      DebugLevelId: level.id,
      StartDate: Date.now(),
      ExpirationDate: new Date(Date.now() + 30 * 60_000).toUTCString(),
    });
    assert.equal(flag.success, true);
    assert.match(flag.id, /^7tf[A-Za-z0-9]{15}$/);
    const found = await conn.tooling.query(
      `SELECT Id, logtype, debuglevelid, debuglevel.apexcode FROM TraceFlag WHERE logtype='DEVELOPER_LOG' AND TracedEntityId='${conn.userInfo.id}' ORDER BY CreatedDate DESC LIMIT 1`,
    );
    assert.equal(found.records[0].Id, flag.id);
    assert.equal(found.records[0].DebugLevel.ApexCode, 'FINEST');

    const run = await conn.tooling.executeAnonymous("System.debug('conformance log line');");
    assert.equal(run.success, true);
    const logs = await conn.tooling.query(
      'SELECT Id, Application, DurationMilliseconds, Location, LogLength, LogUser.Name, Operation, Request, StartTime, Status FROM ApexLog ORDER BY StartTime DESC',
    );
    assert.ok(logs.totalSize >= 1);
    const log = logs.records[0];
    assert.match(log.Id, /^07L[A-Za-z0-9]{15}$/);
    assert.equal(log.Status, 'Success');
    assert.equal(log.Request, 'API');
    assert.equal(log.LogUser.Name, 'Conformance Prod');
    assert.match(log.Operation, /executeAnonymous/);
    const body = await conn.tooling.request(`/services/data/v${conn.version}/tooling/sobjects/ApexLog/${log.Id}/Body`);
    assert.equal(typeof body, 'string');
    assert.equal(Buffer.byteLength(body), log.LogLength);
    assert.match(body.split('\n')[0], /^\d+\.\d APEX_CODE,FINEST;.*VISUALFORCE,FINER/);
    assert.match(body, /\|USER_DEBUG\|\[1\]\|DEBUG\|conformance log line/);
  });
});
