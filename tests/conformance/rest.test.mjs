// REST through jsforce (rest-tooling.md): versions, limits, query with autoFetch and manual
// queryMore across more records than one batch, sobject describe / describeGlobal, single
// record CRUD, and the documented error shapes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import jsforce from 'jsforce';

import { HOOK_TIMEOUT_MS, startOrgsim, SUITE_TIMEOUT_MS, USERS } from './harness.mjs';
import { jwtConnection } from './flows.mjs';

const SEEDED = 2345; // more than the default batch of 2000
let sim;
let conn;
let expectedNames;

before(async () => {
  sim = await startOrgsim();
  ({ conn } = await jwtConnection(sim, USERS.prod));
  expectedNames = Array.from({ length: SEEDED }, (_, i) => `Conformance ${String(i).padStart(5, '0')}`);
  // Seeded behind the client's back through the admin API, in shuffled order.
  const shuffled = [...expectedNames].sort((a, b) => (a.slice(-2) + a).localeCompare(b.slice(-2) + b));
  const res = await sim.admin(
    'POST',
    `/orgs/${sim.prod.id}/records/Account`,
    shuffled.map((Name) => ({ Name, AccountNumber: `AN-${Name.slice(-5)}` })),
  );
  assert.equal(res.ids.length, SEEDED);
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

const SOQL = "SELECT Id, Name FROM Account WHERE Name LIKE 'Conformance %' ORDER BY Name";

describe('query and queryMore', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('first page holds 2000 records and a nextRecordsUrl path', async () => {
    // On the wire (jsforce's conn.request returns the body as sent): a path, not a URL.
    const raw = await conn.request(`/services/data/v${conn.version}/query?q=${encodeURIComponent(SOQL)}`);
    assert.equal(raw.totalSize, SEEDED);
    assert.equal(raw.done, false);
    assert.equal(raw.records.length, 2000);
    assert.match(raw.nextRecordsUrl, new RegExp(`^/services/data/v${conn.version}/query/[^/]+-2000$`));
    assert.equal(raw.records[0].Name, expectedNames[0]);
    assert.equal(raw.records[0].attributes.type, 'Account');
    assert.equal(raw.records[0].attributes.url, `/services/data/v${conn.version}/sobjects/Account/${raw.records[0].Id}`);
    // jsforce's query(): same page, its locator rebuilt against the instance URL.
    const res = await conn.query(SOQL);
    assert.equal(res.records.length, 2000);
    assert.equal(res.done, false);
    assert.match(res.nextRecordsUrl, new RegExp(`^${conn.instanceUrl}/services/data/v${conn.version}/query/[^/]+-2000$`));
  });

  test('manual queryMore returns the rest, in order, without duplicates', async () => {
    const first = await conn.query(SOQL);
    const more = await conn.queryMore(first.nextRecordsUrl);
    assert.equal(more.done, true);
    assert.equal(more.totalSize, SEEDED);
    assert.equal(more.nextRecordsUrl, undefined);
    assert.equal(more.records.length, SEEDED - 2000);
    const names = [...first.records, ...more.records].map((r) => r.Name);
    assert.deepEqual(names, expectedNames);
    assert.equal(new Set([...first.records, ...more.records].map((r) => r.Id)).size, SEEDED);
  });

  test('autoFetch follows nextRecordsUrl to the end', async () => {
    const res = await conn.query(SOQL, { autoFetch: true, maxFetch: 10_000 });
    assert.equal(res.totalSize, SEEDED);
    assert.deepEqual(
      res.records.map((r) => r.Name),
      expectedNames,
    );
  });

  test('Sforce-Query-Options batchSize pages smaller and autoFetch collects every page', async () => {
    const pages = [];
    const query = conn.query(SOQL, { autoFetch: true, maxFetch: 10_000, headers: { 'Sforce-Query-Options': 'batchSize=500' } });
    query.on('fetch', () => pages.push(1));
    const res = await query;
    assert.equal(res.records.length, SEEDED);
    assert.equal(pages.length, Math.ceil(SEEDED / 500));
  });

  test('a record stream emits every record exactly once', async () => {
    const seen = [];
    await new Promise((resolve, reject) => {
      conn
        .query(SOQL)
        .on('record', (r) => seen.push(r.Name))
        .on('end', resolve)
        .on('error', reject)
        .run({ autoFetch: true, maxFetch: 10_000 });
    });
    assert.deepEqual(seen, expectedNames);
  });

  test('filters, ORDER BY DESC and LIMIT are applied', async () => {
    const res = await conn.query("SELECT Name, AccountNumber FROM Account WHERE Name LIKE 'Conformance 0000%' ORDER BY Name DESC LIMIT 3");
    assert.deepEqual(
      res.records.map((r) => r.Name),
      ['Conformance 00009', 'Conformance 00008', 'Conformance 00007'],
    );
    assert.equal(res.records[0].AccountNumber, 'AN-00009');
    const one = await conn.query("SELECT Name FROM Account WHERE AccountNumber = 'AN-01234'");
    assert.deepEqual(one.records.map((r) => r.Name), ['Conformance 01234']);
  });

  test('parent relationship fields resolve through the referenced User', async () => {
    const [seeder] = sim.prod.users; // admin API seeds are created by the org's first user
    const res = await conn.query(
      `SELECT Id, Owner.Name, CreatedBy.Name, CreatedBy.Username FROM Account WHERE Name = '${expectedNames[0]}'`,
    );
    const [row] = res.records;
    assert.equal(row.Owner.Name, seeder.name);
    assert.equal(row.CreatedBy.Name, seeder.name);
    assert.equal(row.CreatedBy.Username, seeder.username);
    assert.equal(row.CreatedBy.attributes.type, 'User');
  });

  test('COUNT() answers totalSize without records', async () => {
    const res = await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Conformance %'");
    assert.equal(res.totalSize, SEEDED);
    assert.deepEqual(res.records, []);
  });

  test('bad syntax is MALFORMED_QUERY with the position', async () => {
    await assert.rejects(conn.query('SELECT Id FROM'), (err) => {
      assert.equal(err.errorCode, 'MALFORMED_QUERY');
      assert.match(err.message, /ERROR at Row:1:Column:15/);
      return true;
    });
  });

  test('an unknown object in FROM is INVALID_TYPE', async () => {
    await assert.rejects(conn.query('SELECT Id FROM NoSuchObject__c'), (err) => {
      assert.equal(err.errorCode, 'INVALID_TYPE');
      assert.match(err.message, /sObject type 'NoSuchObject__c' is not supported/);
      return true;
    });
  });

  test('an unknown field is INVALID_FIELD', async () => {
    await assert.rejects(conn.query('SELECT Id, Nope__c FROM Account'), (err) => {
      assert.equal(err.errorCode, 'INVALID_FIELD');
      assert.match(err.message, /No such column 'Nope__c' on entity 'Account'/);
      return true;
    });
  });

  test('an unknown queryMore locator is INVALID_QUERY_LOCATOR', async () => {
    await assert.rejects(conn.queryMore(`/services/data/v${conn.version}/query/01gNOTALOCATOR-2000`), {
      errorCode: 'INVALID_QUERY_LOCATOR',
    });
  });
});

describe('describe', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('describeGlobal lists standard and generated custom objects', async () => {
    const res = await conn.describeGlobal();
    const names = res.sobjects.map((s) => s.name);
    for (const name of ['Account', 'Contact', 'User', 'Organization', 'ApexClass']) assert.ok(names.includes(name), name);
    const custom = res.sobjects.filter((s) => s.custom && s.name.endsWith('__c'));
    assert.ok(custom.length >= 2, `custom objects: ${custom.map((s) => s.name)}`);
    const account = res.sobjects.find((s) => s.name === 'Account');
    assert.equal(account.keyPrefix, '001');
    assert.equal(account.custom, false);
    assert.equal(account.urls.describe, `/services/data/v${conn.version}/sobjects/Account/describe`);
  });

  test('sobject describe of a custom object matches its CustomObject metadata', async () => {
    const global = await conn.describeGlobal();
    const name = global.sobjects.find((s) => s.custom && s.name.endsWith('__c')).name;
    const d = await conn.sobject(name).describe();
    assert.equal(d.name, name);
    assert.equal(d.custom, true);
    const byName = Object.fromEntries(d.fields.map((f) => [f.name, f]));
    assert.equal(byName.Id.type, 'id');
    assert.equal(byName.Name.nameField, true);
    assert.equal(byName.CreatedById.type, 'reference');
    assert.deepEqual(byName.CreatedById.referenceTo, ['User']);
    // Every custom field in the object's metadata is in the describe, with its type.
    const [meta] = [await conn.metadata.read('CustomObject', name)].flat();
    const metaFields = [meta.fields ?? []].flat();
    assert.ok(metaFields.length > 0);
    const typeMap = { Text: 'string', Number: 'double', Currency: 'currency', Date: 'date', DateTime: 'datetime',
      Checkbox: 'boolean', Picklist: 'picklist', Lookup: 'reference', MasterDetail: 'reference', Email: 'email',
      Phone: 'phone', Url: 'url', Percent: 'percent', TextArea: 'textarea', LongTextArea: 'textarea' };
    for (const f of metaFields) {
      const described = byName[f.fullName];
      assert.ok(described, `field ${f.fullName} missing from describe`);
      if (typeMap[f.type]) assert.equal(described.type, typeMap[f.type], `${f.fullName} (${f.type})`);
      if (f.type === 'Picklist') {
        const values = [f.valueSet?.valueSetDefinition?.value ?? []].flat().map((v) => v.fullName);
        assert.deepEqual(described.picklistValues.map((p) => p.value), values);
      }
    }
  });

  test('describing an unknown object is INVALID_TYPE', async () => {
    await assert.rejects(conn.sobject('NoSuchObject__c').describe(), {
      errorCode: 'INVALID_TYPE',
      message: "sObject type 'NoSuchObject__c' is not supported.",
    });
  });
});

describe('REST basics and CRUD', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('versions and limits', async () => {
    const versions = await conn.request('/services/data');
    assert.ok(versions.some((v) => v.version === conn.version), `no ${conn.version} in versions`);
    const limits = await conn.limits();
    assert.ok(limits.DailyApiRequests.Max > 0);
    assert.ok(limits.DailyApiRequests.Remaining <= limits.DailyApiRequests.Max);
  });

  test('jsforce reads API usage from the Sforce-Limit-Info header', async () => {
    await conn.query('SELECT Id FROM Organization');
    const first = conn.limitInfo.apiUsage;
    assert.ok(first && first.used > 0 && first.limit > 0, JSON.stringify(conn.limitInfo));
    await conn.query('SELECT Id FROM Organization');
    assert.ok(conn.limitInfo.apiUsage.used > first.used);
    const limits = await conn.limits();
    assert.equal(conn.limitInfo.apiUsage.limit, limits.DailyApiRequests.Max);
  });

  test('a spent daily budget answers REQUEST_LIMIT_EXCEEDED', async () => {
    const { conn: sb } = await jwtConnection(sim, USERS.sandbox, { aud: 'https://test.salesforce.com' });
    const usage = await sim.admin('GET', `/orgs/${sim.sandbox.id}/api-usage`);
    await sim.admin('PUT', `/orgs/${sim.sandbox.id}/api-usage`, { used: usage.max });
    try {
      await assert.rejects(sb.query('SELECT Id FROM Organization'), { errorCode: 'REQUEST_LIMIT_EXCEEDED' });
      await assert.rejects(sb.metadata.describe(), (err) => /REQUEST_LIMIT_EXCEEDED/.test(err.name));
    } finally {
      await sim.admin('PUT', `/orgs/${sim.sandbox.id}/api-usage`, { used: 0 });
    }
    const org = await sb.query('SELECT Id FROM Organization');
    assert.equal(org.records[0].Id, sim.sandbox.id);
  });

  test('200 concurrent jsforce clients are all served', async () => {
    const clients = Array.from({ length: 200 }, () => new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken: conn.accessToken }));
    const results = await Promise.all(
      clients.map((c, i) => c.query(`SELECT Name FROM Account WHERE Name = '${expectedNames[i]}'`)),
    );
    assert.deepEqual(
      results.map((r) => r.records[0]?.Name),
      expectedNames.slice(0, 200),
    );
  });

  test('create, retrieve, update and delete one record', async () => {
    const created = await conn.sobject('Account').create({ Name: 'CRUD Account', AccountNumber: 'CRUD-7' });
    assert.equal(created.success, true);
    assert.match(created.id, /^001[A-Za-z0-9]{15}$/);
    const got = await conn.sobject('Account').retrieve(created.id);
    assert.equal(got.Name, 'CRUD Account');
    assert.equal(got.AccountNumber, 'CRUD-7');
    const updated = await conn.sobject('Account').update({ Id: created.id, Name: 'CRUD Account 2' });
    assert.equal(updated.success, true);
    const q = await conn.query(`SELECT Name FROM Account WHERE Id = '${created.id}'`);
    assert.equal(q.records[0].Name, 'CRUD Account 2');
    const deleted = await conn.sobject('Account').destroy(created.id);
    assert.equal(deleted.success, true);
    await assert.rejects(conn.sobject('Account').retrieve(created.id), { errorCode: 'NOT_FOUND' });
  });

  test('a missing required field fails with REQUIRED_FIELD_MISSING', async () => {
    await assert.rejects(conn.sobject('Account').create({ AccountNumber: 'no-name' }), (err) => {
      assert.equal(err.errorCode, 'REQUIRED_FIELD_MISSING');
      assert.match(err.message, /Required fields are missing: \[Name\]/);
      return true;
    });
  });
});
