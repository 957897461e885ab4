// orgsim's injected faults as a third-party client experiences them: jsforce's own retry of
// a transient 503, SOAP faults for 500/503, latency, dropped connections, a deploy failing
// on a chosen component, a retrieve that never finishes, and the request log.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import AdmZip from 'adm-zip';

import { HOOK_TIMEOUT_MS, startOrgsim, SUITE_TIMEOUT_MS, USERS } from './harness.mjs';
import { jwtConnection } from './flows.mjs';

const API = '60.0';
const NS = 'http://soap.sforce.com/2006/04/metadata';
let sim;
let conn; // sandbox: deploys there run no tests
before(async () => {
  sim = await startOrgsim();
  ({ conn } = await jwtConnection(sim, USERS.sandbox, { aud: 'https://test.salesforce.com' }));
  conn.metadata.pollInterval = 100;
  conn.metadata.pollTimeout = 60_000;
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });
afterEach(async () => {
  await sim.admin('DELETE', `/orgs/${sim.sandbox.id}/faults`);
});

const setFaults = (faults) => sim.admin('PUT', `/orgs/${sim.sandbox.id}/faults`, faults);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Request-log entries of the sandbox org after `seq`. */
async function logSince(seq) {
  const entries = await sim.admin('GET', `/requests?org=${sim.sandbox.id}`);
  return entries.filter((e) => e.seq > seq);
}
async function lastSeq() {
  const entries = await sim.admin('GET', '/requests?limit=1');
  return entries.at(-1)?.seq ?? 0;
}

describe('faults seen through jsforce', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('a transient 503 on a REST GET is retried by jsforce and then succeeds', async () => {
    const seq = await lastSeq();
    await setFaults({ error_rate: 1.0, error_status: 503 });
    // jsforce waits 500 ms before its first retry; the fault is gone by then.
    const pending = conn.query('SELECT Id FROM Organization');
    setTimeout(() => sim.admin('DELETE', `/orgs/${sim.sandbox.id}/faults`), 200);
    const res = await pending;
    assert.equal(res.records[0].Id, sim.sandbox.id);
    const queries = (await logSince(seq)).filter((e) => e.path.endsWith('/query') && e.method === 'GET');
    assert.deepEqual(
      queries.map((e) => e.status),
      [503, 200],
    );
  });

  test('SOAP calls (POST, not retried) fault with SERVER_UNAVAILABLE / UNKNOWN_EXCEPTION', async () => {
    await setFaults({ error_rate: 1.0, error_status: 503 });
    await assert.rejects(conn.metadata.describe(API), (err) => {
      assert.equal(err.name, 'sf:SERVER_UNAVAILABLE');
      return true;
    });
    await setFaults({ error_rate: 1.0, error_status: 500 });
    await assert.rejects(conn.metadata.describe(API), (err) => {
      assert.equal(err.name, 'sf:UNKNOWN_EXCEPTION');
      assert.match(err.message, /Please include this ErrorId if you contact support/);
      return true;
    });
  });

  test('latency delays every instance call', async () => {
    await setFaults({ latency_ms: 300 });
    const started = Date.now();
    await conn.query('SELECT Id FROM Organization');
    assert.ok(Date.now() - started >= 300);
  });

  test('a dropped connection surfaces as ECONNRESET', async () => {
    await setFaults({ drop_rate: 1.0 });
    await assert.rejects(conn.metadata.describe(API), (err) => {
      assert.match(`${err.code} ${err.message}`, /ECONNRESET|socket hang up/);
      return true;
    });
  });

  test('an exhausted API budget answers REQUEST_LIMIT_EXCEEDED', async () => {
    await setFaults({ api_budget_exhausted: true });
    await assert.rejects(conn.query('SELECT Id FROM Organization'), {
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
  });

  test('a deploy fails on the chosen component', async () => {
    await setFaults({ deploy_fail_component: 'ApexClass:ConformanceFragile' });
    const zip = new AdmZip();
    zip.addFile(
      'package.xml',
      Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${NS}"><types><members>ConformanceFragile</members><name>ApexClass</name></types><version>${API}</version></Package>\n`),
    );
    zip.addFile('classes/ConformanceFragile.cls', Buffer.from('public class ConformanceFragile {}\n'));
    zip.addFile(
      'classes/ConformanceFragile.cls-meta.xml',
      Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="${NS}"><apiVersion>${API}</apiVersion><status>Active</status></ApexClass>\n`),
    );
    const result = await conn.metadata.deploy(zip.toBuffer(), { singlePackage: true }).complete(true);
    assert.equal(result.status, 'Failed');
    const failures = [result.details.componentFailures].flat();
    assert.equal(failures.length, 1);
    assert.equal(failures[0].fullName, 'ConformanceFragile');
    assert.equal(failures[0].fileName, 'classes/ConformanceFragile.cls');
    assert.match(failures[0].problem, /^An unexpected error occurred\. Please include this ErrorId/);
  });

  test('a retrieve that never finishes makes jsforce time out polling', async () => {
    await setFaults({ retrieve_never_finishes: true });
    const locator = conn.metadata.retrieve({
      apiVersion: API,
      singlePackage: true,
      unpackaged: { types: [{ name: 'ApexClass', members: ['*'] }], version: API },
    });
    locator.on('error', () => {}); // jsforce also emits the rejection as an 'error' event
    const { id } = await locator;
    const saved = conn.metadata.pollTimeout;
    conn.metadata.pollTimeout = 1500;
    try {
      await assert.rejects(locator.complete(), { message: 'Polling time out. Retrieve operation is not completed.' });
    } finally {
      conn.metadata.pollTimeout = saved;
    }
    const status = await conn.metadata.checkRetrieveStatus(id);
    assert.equal(status.done, false);
    assert.equal(status.status, 'InProgress');
  });

  test('the request log records what jsforce sent', async () => {
    const seq = await lastSeq();
    await conn.query('SELECT Id FROM Organization');
    await conn.metadata.list([{ type: 'ApexClass' }], API);
    await sleep(50);
    const entries = await logSince(seq);
    assert.ok(entries.some((e) => e.method === 'GET' && e.path === `/services/data/v${conn.version}/query` && e.status === 200));
    assert.ok(entries.some((e) => e.method === 'POST' && e.path === `/services/Soap/m/${conn.version}` && e.status === 200));
    assert.ok(entries.every((e) => e.host === 'instance' && e.org_id === sim.sandbox.id));
  });
});
