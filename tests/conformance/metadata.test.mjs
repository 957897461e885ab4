// Metadata SOAP API through jsforce (metadata-soap.md): describeMetadata, listMetadata
// (folders too), readMetadata, retrieve + checkRetrieveStatus, deploy + checkDeployStatus
// (success, componentFailures, checkOnly), cancelDeploy, and SOAP faults.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import AdmZip from 'adm-zip';

import { HOOK_TIMEOUT_MS, startOrgsim, SUITE_TIMEOUT_MS, USERS } from './harness.mjs';
import { jwtConnection } from './flows.mjs';

const API = '60.0';
const NS = 'http://soap.sforce.com/2006/04/metadata';
const FOLDER = 'Conformance_Reports';
const REPORT = `${FOLDER}/Open_Accounts`;

let sim;
let conn; // production: read side
let sb; // sandbox: deploys (production deploys of Apex run tests and need 75% coverage)
before(async () => {
  sim = await startOrgsim();
  ({ conn } = await jwtConnection(sim, USERS.prod));
  ({ conn: sb } = await jwtConnection(sim, USERS.sandbox, { aud: 'https://test.salesforce.com' }));
  for (const c of [conn, sb]) {
    c.metadata.pollInterval = 100;
    c.metadata.pollTimeout = 60_000;
  }
  // A report folder and a report, created behind the client's back (admin API).
  const user = USERS.prod.username;
  await sim.admin('PUT', `/orgs/${sim.prod.id}/components/ReportFolder/${FOLDER}`, {
    user,
    files: {
      [`reports/${FOLDER}-meta.xml`]: `<?xml version="1.0" encoding="UTF-8"?>
<ReportFolder xmlns="${NS}">
    <accessType>Public</accessType>
    <name>Conformance Reports</name>
    <publicFolderAccess>ReadWrite</publicFolderAccess>
</ReportFolder>
`,
    },
  });
  await sim.admin('PUT', `/orgs/${sim.prod.id}/components/Report/${REPORT}`, {
    user,
    files: {
      [`reports/${REPORT}.report`]: `<?xml version="1.0" encoding="UTF-8"?>
<Report xmlns="${NS}">
    <format>Tabular</format>
    <name>Open Accounts</name>
    <reportType>AccountList</reportType>
    <scope>organization</scope>
    <showDetails>true</showDetails>
</Report>
`,
    },
  });
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

const arr = (x) => (x === undefined || x === null ? [] : [x].flat());

function packageXml(types) {
  const body = Object.entries(types)
    .map(([name, members]) => `    <types>\n${members.map((m) => `        <members>${m}</members>\n`).join('')}        <name>${name}</name>\n    </types>\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${NS}">\n${body}    <version>${API}</version>\n</Package>\n`;
}

const classMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="${NS}">
    <apiVersion>${API}</apiVersion>
    <status>Active</status>
</ApexClass>
`;

/** An mdapi zip (singlePackage layout) built with adm-zip. */
function zipOf(files) {
  const zip = new AdmZip();
  for (const [name, text] of Object.entries(files)) zip.addFile(name, Buffer.from(text, 'utf8'));
  return zip.toBuffer();
}

function classZip(names, body = (n) => `public with sharing class ${n} {\n    public static String hello() {\n        return 'hello from ${n}';\n    }\n}\n`) {
  const files = { 'package.xml': packageXml({ ApexClass: names }) };
  for (const n of names) {
    files[`classes/${n}.cls`] = body(n);
    files[`classes/${n}.cls-meta.xml`] = classMeta;
  }
  return zipOf(files);
}

async function classNames(c = conn) {
  return arr(await c.metadata.list([{ type: 'ApexClass' }], API)).map((p) => p.fullName);
}

describe('describe, list, read', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('describeMetadata lists types with directory, suffix and folder flags', async () => {
    const d = await conn.metadata.describe(API);
    const byName = Object.fromEntries(d.metadataObjects.map((o) => [o.xmlName, o]));
    assert.equal(byName.ApexClass.directoryName, 'classes');
    assert.equal(byName.ApexClass.suffix, 'cls');
    assert.equal(byName.ApexClass.metaFile, true);
    assert.equal(byName.Report.inFolder, true);
    assert.ok(arr(byName.CustomObject.childXmlNames).includes('CustomField'));
    assert.equal(d.organizationNamespace, '');
    assert.equal(d.testRequired, true, 'a production org requires tests');
  });

  test('sandbox describeMetadata does not require tests', async () => {
    const { conn: sb } = await jwtConnection(sim, USERS.sandbox, { aud: 'https://test.salesforce.com' });
    assert.equal((await sb.metadata.describe(API)).testRequired, false);
  });

  test('listMetadata returns FileProperties for several types in one call', async () => {
    const rows = arr(await conn.metadata.list([{ type: 'ApexClass' }, { type: 'CustomObject' }], API));
    const classes = rows.filter((r) => r.type === 'ApexClass');
    const objects = rows.filter((r) => r.type === 'CustomObject');
    assert.ok(classes.length >= 3 && objects.length >= 3, `${classes.length} classes, ${objects.length} objects`);
    for (const c of classes) {
      assert.equal(c.fileName, `classes/${c.fullName}.cls`);
      assert.match(c.id, /^01p[A-Za-z0-9]{15}$/);
      assert.match(c.lastModifiedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(c.createdByName && c.lastModifiedByName);
    }
    assert.ok(objects.some((o) => o.fullName === 'Account' && o.fileName === 'objects/Account.object'));
    // Same class set as the Tooling API sees.
    const tooling = await conn.tooling.query('SELECT Name FROM ApexClass');
    assert.deepEqual(classes.map((c) => c.fullName).sort(), tooling.records.map((r) => r.Name).sort());
  });

  test('folders: ReportFolder lists folders, Report needs the folder', async () => {
    const folders = arr(await conn.metadata.list([{ type: 'ReportFolder' }], API));
    const folder = folders.find((f) => f.fullName === FOLDER);
    assert.ok(folder, `folders: ${folders.map((f) => f.fullName)}`);
    assert.equal(folder.fileName, `reports/${FOLDER}`);
    const reports = arr(await conn.metadata.list([{ type: 'Report', folder: FOLDER }], API));
    assert.deepEqual(
      reports.map((r) => [r.fullName, r.fileName, r.type]),
      [[REPORT, `reports/${REPORT}.report`, 'Report']],
    );
    assert.deepEqual(arr(await conn.metadata.list([{ type: 'Report' }], API)), []);
  });

  test('an unknown type faults the call with INVALID_TYPE; more than 3 queries fault too', async () => {
    await assert.rejects(conn.metadata.list([{ type: 'ApexClass' }, { type: 'NoSuchType' }], API), (err) => {
      assert.equal(err.name, 'sf:INVALID_TYPE');
      assert.match(err.message, /NoSuchType/);
      return true;
    });
    const four = ['ApexClass', 'ApexTrigger', 'CustomObject', 'Layout'].map((type) => ({ type }));
    await assert.rejects(conn.metadata.list(four, API), (err) => err.name.startsWith('sf:'));
  });

  test('readMetadata returns CustomObject definitions with their fields', async () => {
    const objects = arr(await conn.metadata.list([{ type: 'CustomObject' }], API)).filter((o) => o.fullName.endsWith('__c'));
    const name = objects[0].fullName;
    const [account, custom] = await conn.metadata.read('CustomObject', ['Account', name]);
    assert.equal(account.fullName, 'Account');
    assert.equal(custom.fullName, name);
    assert.ok(custom.label);
    const fields = arr(custom.fields);
    assert.ok(fields.length > 0);
    for (const f of fields) assert.ok(f.fullName && f.type, JSON.stringify(f));
    // The same field set is what the REST describe reports as custom fields.
    const described = await conn.sobject(name).describe();
    const customDescribed = described.fields.filter((f) => f.custom).map((f) => f.name).sort();
    assert.deepEqual(fields.map((f) => f.fullName).sort(), customDescribed);
  });

  test('readMetadata drops (or leaves without fullName) a missing component', async () => {
    const records = await conn.metadata.read('CustomObject', ['Account', 'No_Such_Object__c']);
    assert.deepEqual(
      records.filter((r) => r.fullName).map((r) => r.fullName),
      ['Account'],
    );
  });
});

describe('retrieve', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('retrieve + checkRetrieveStatus: progress, then a zip with package.xml', async () => {
    const [cls] = await classNames();
    const locator = conn.metadata.retrieve({
      apiVersion: API,
      singlePackage: true,
      unpackaged: {
        types: [
          { name: 'ApexClass', members: [cls, 'No_Such_Class'] },
          { name: 'CustomObject', members: ['Account'] },
          { name: 'Report', members: [FOLDER, REPORT] },
        ],
        version: API,
      },
    });
    const asyncResult = await locator;
    assert.match(asyncResult.id, /^09S[A-Za-z0-9]{15}$/);
    // First explicit status check: not finished yet (orgsim's retrieve is asynchronous).
    const early = await conn.metadata.checkRetrieveStatus(asyncResult.id);
    assert.equal(early.done, false);
    assert.ok(['Pending', 'InProgress'].includes(early.status), early.status);

    const result = await locator.complete();
    assert.equal(result.done, true);
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.success, true);
    assert.deepEqual(
      arr(result.messages).map((m) => [m.fileName, m.problem]),
      [['package.xml', "Entity of type 'ApexClass' named 'No_Such_Class' cannot be found"]],
    );
    const props = arr(result.fileProperties);
    assert.ok(props.some((p) => p.type === 'Package' && p.fileName === 'package.xml'));
    assert.ok(props.some((p) => p.type === 'ApexClass' && p.fullName === cls));

    const zip = new AdmZip(Buffer.from(result.zipFile, 'base64'));
    const names = zip.getEntries().map((e) => e.entryName).sort();
    for (const expected of [
      'package.xml',
      `classes/${cls}.cls`,
      `classes/${cls}.cls-meta.xml`,
      'objects/Account.object',
      `reports/${FOLDER}-meta.xml`,
      `reports/${REPORT}.report`,
    ]) {
      assert.ok(names.includes(expected), `${expected} not in ${names}`);
    }
    const pkg = zip.readAsText('package.xml');
    assert.match(pkg, new RegExp(`<members>${cls}</members>`));
    assert.match(pkg, /<name>ApexClass<\/name>/);
    // The class body is the one the Tooling API reports.
    const tooling = await conn.tooling.query(`SELECT Body FROM ApexClass WHERE Name = '${cls}'`);
    assert.equal(zip.readAsText(`classes/${cls}.cls`), tooling.records[0].Body);
    assert.match(zip.readAsText(`reports/${REPORT}.report`), /<name>Open Accounts<\/name>/);
  });

  test('without singlePackage the zip holds unpackaged/package.xml', async () => {
    const [cls] = await classNames();
    const result = await conn.metadata
      .retrieve({ apiVersion: API, unpackaged: { types: [{ name: 'ApexClass', members: [cls] }], version: API } })
      .complete();
    const names = new AdmZip(Buffer.from(result.zipFile, 'base64')).getEntries().map((e) => e.entryName);
    assert.ok(names.includes('unpackaged/package.xml'), names.join(' '));
    assert.ok(names.includes(`unpackaged/classes/${cls}.cls`), names.join(' '));
  });

  test('checkRetrieveStatus with an unknown id faults', async () => {
    await assert.rejects(conn.metadata.checkRetrieveStatus('09S000000000000AAA'), (err) => err.name.startsWith('sf:'));
  });
});

describe('deploy (sandbox)', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('deploy + checkDeployStatus(includeDetails): a new class lands', async () => {
    const locator = sb.metadata.deploy(classZip(['ConformanceHello']), { singlePackage: true, rollbackOnError: true });
    const asyncResult = await locator;
    assert.match(asyncResult.id, /^0Af[A-Za-z0-9]{15}$/);
    assert.equal(asyncResult.done, false);
    const result = await locator.complete(true);
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.success, true);
    assert.equal(result.checkOnly, false);
    assert.equal(Number(result.numberComponentsTotal), 1);
    assert.equal(Number(result.numberComponentsDeployed), 1);
    assert.equal(Number(result.numberComponentErrors), 0);
    const successes = arr(result.details.componentSuccesses);
    const row = successes.find((s) => s.fullName === 'ConformanceHello');
    assert.ok(row, JSON.stringify(successes));
    assert.equal(row.componentType, 'ApexClass');
    assert.equal(row.fileName, 'classes/ConformanceHello.cls');
    assert.equal(row.created, true);
    assert.ok(successes.some((s) => s.fileName === 'package.xml'));
    assert.deepEqual(arr(result.details.componentFailures), []);

    assert.ok((await classNames(sb)).includes('ConformanceHello'));
    const tooling = await sb.tooling.query("SELECT Name, Body FROM ApexClass WHERE Name = 'ConformanceHello'");
    assert.match(tooling.records[0].Body, /hello from ConformanceHello/);
    // Deploys leave a SetupAuditTrail row.
    const audit = await sb.query('SELECT Action, Display FROM SetupAuditTrail ORDER BY CreatedDate DESC');
    assert.ok(audit.records.some((r) => /ConformanceHello/.test(r.Display ?? '')), JSON.stringify(audit.records.slice(0, 3)));
  });

  test('checkDeployStatus shows the job moving', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `ConformanceStep${i}`);
    const { id } = await sb.metadata.deploy(classZip(names), { singlePackage: true });
    const seen = [];
    for (let i = 0; i < 300; i++) {
      const r = await sb.metadata.checkDeployStatus(id);
      seen.push(r.status);
      if (r.done) {
        assert.equal(r.status, 'Succeeded');
        assert.equal(Number(r.numberComponentsDeployed), names.length);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(seen.at(-1), 'Succeeded');
    assert.ok(seen.some((s) => s === 'Pending' || s === 'InProgress'), seen.join(','));
  });

  test('checkOnly validates without changing the org', async () => {
    const result = await sb.metadata
      .deploy(classZip(['ConformanceCheckOnly']), { singlePackage: true, checkOnly: true })
      .complete(true);
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.checkOnly, true);
    assert.ok(!(await classNames(sb)).includes('ConformanceCheckOnly'));
  });

  test('a failing deploy reports componentFailures and rolls back', async () => {
    const zip = zipOf({
      'package.xml': packageXml({ ApexClass: ['ConformanceRolledBack'], CustomObject: ['Conformance_Broken__c'], PermissionSet: ['Conformance_Perms'] }),
      'classes/ConformanceRolledBack.cls': 'public class ConformanceRolledBack {}\n',
      'classes/ConformanceRolledBack.cls-meta.xml': classMeta,
      'objects/Conformance_Broken__c.object': `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n    <label>Broken</name>\n</CustomObject>\n`,
      'permissionsets/Conformance_Perms.permissionset': `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="${NS}">
    <fieldPermissions>
        <editable>true</editable>
        <field>Account.No_Such_Field__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Conformance Perms</label>
</PermissionSet>
`,
    });
    const result = await sb.metadata.deploy(zip, { singlePackage: true, rollbackOnError: true }).complete(true);
    assert.equal(result.status, 'Failed');
    assert.equal(result.success, false);
    assert.ok(Number(result.numberComponentErrors) >= 2);
    const failures = arr(result.details.componentFailures);
    const broken = failures.find((f) => f.fileName === 'objects/Conformance_Broken__c.object');
    assert.ok(broken, JSON.stringify(failures));
    assert.equal(broken.problemType, 'Error');
    assert.equal(broken.componentType, 'CustomObject');
    assert.equal(broken.success, false);
    assert.equal(broken.problem, 'Error parsing file: The element type "label" must be terminated by the matching end-tag "</label>".');
    assert.equal(Number(broken.lineNumber), 3);
    const perms = failures.find((f) => f.fileName === 'permissionsets/Conformance_Perms.permissionset');
    assert.ok(perms, JSON.stringify(failures));
    assert.equal(perms.problem, 'In field: field - no CustomField named Account.No_Such_Field__c found');
    // All or nothing: the valid class was not deployed.
    assert.ok(!(await classNames(sb)).includes('ConformanceRolledBack'));
  });

  test('an Apex class using an unknown type fails with its line', async () => {
    const zip = classZip(['ConformanceBadRef'], (n) => `public class ${n} {\n    public static void run() {\n        NoSuchType__x thing = null;\n    }\n}\n`);
    const result = await sb.metadata.deploy(zip, { singlePackage: true }).complete(true);
    assert.equal(result.status, 'Failed');
    const [failure] = arr(result.details.componentFailures);
    assert.equal(failure.fullName, 'ConformanceBadRef');
    assert.equal(failure.componentType, 'ApexClass');
    assert.equal(failure.problem, 'Invalid type: NoSuchType__x');
    assert.equal(Number(failure.lineNumber), 3);
  });

  test('cancelDeploy stops a running deploy', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `ConformanceCancel${i}`);
    const { id } = await sb.metadata.deploy(classZip(names), { singlePackage: true });
    const cancel = await sb.metadata.cancelDeploy(id);
    assert.equal(cancel.id, id);
    assert.ok(['true', 'false', true, false].includes(cancel.done), JSON.stringify(cancel));
    let final;
    for (let i = 0; i < 300; i++) {
      final = await sb.metadata.checkDeployStatus(id);
      if (final.done) break;
      assert.equal(final.status, 'Canceling');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(final.done, true);
    assert.equal(final.status, 'Canceled');
    assert.equal(final.success, false);
    assert.ok(final.canceledByName, JSON.stringify(final));
    const present = (await classNames(sb)).filter((n) => n.startsWith('ConformanceCancel'));
    assert.deepEqual(present, []);
    // A finished deploy cannot be canceled.
    await assert.rejects(sb.metadata.cancelDeploy(id), (err) => {
      assert.equal(err.name, 'sf:INVALID_ID_FIELD');
      return true;
    });
  });
});

describe('destructive changes (sandbox)', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('destructiveChanges.xml deletes a class', async () => {
    await sb.metadata.deploy(classZip(['ConformanceDoomed']), { singlePackage: true }).complete();
    assert.ok((await classNames(sb)).includes('ConformanceDoomed'));
    const zip = zipOf({
      'package.xml': packageXml({}),
      'destructiveChanges.xml': packageXml({ ApexClass: ['ConformanceDoomed'] }),
    });
    const result = await sb.metadata.deploy(zip, { singlePackage: true }).complete(true);
    assert.equal(result.status, 'Succeeded');
    const row = arr(result.details.componentSuccesses).find((s) => s.fullName === 'ConformanceDoomed');
    assert.ok(row, JSON.stringify(result.details));
    assert.equal(row.deleted, true);
    assert.equal(row.componentType, 'ApexClass');
    assert.ok(!(await classNames(sb)).includes('ConformanceDoomed'));
  });
});

describe('deploy (production)', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('Apex into production runs local tests and fails below 75% coverage', async () => {
    const result = await conn.metadata.deploy(classZip(['ConformanceUncovered']), { singlePackage: true }).complete(true);
    assert.equal(result.status, 'Failed');
    assert.equal(result.runTestsEnabled, true);
    assert.ok(Number(result.numberTestsTotal) > 0);
    assert.equal(Number(result.numberComponentErrors), 0);
    const rtr = result.details.runTestResult;
    assert.equal(Number(rtr.numTestsRun), Number(result.numberTestsCompleted));
    const warnings = arr(rtr.codeCoverageWarnings).map((w) => w.message);
    assert.ok(warnings.some((m) => /^Average test coverage across all Apex Classes and Triggers is \d+%, at least 75% test coverage is required\.$/.test(m)), warnings.join('|'));
    assert.ok(arr(rtr.codeCoverage).some((c) => c.name === 'ConformanceUncovered'));
    assert.ok(!(await classNames()).includes('ConformanceUncovered'));
  });

  test('NoTestRun is refused in production', async () => {
    await assert.rejects(
      conn.metadata.deploy(classZip(['ConformanceNoTests']), { singlePackage: true, testLevel: 'NoTestRun' }).complete(true),
      (err) => {
        assert.equal(err.name, 'sf:INVALID_OPERATION');
        assert.match(err.message, /NoTestRun cannot be used in production/);
        return true;
      },
    );
  });

  test('validate with RunSpecifiedTests, then deployRecentValidation (quick deploy)', async () => {
    const files = {
      'package.xml': packageXml({ ApexClass: ['ConformanceCalc', 'ConformanceCalcTest'] }),
      'classes/ConformanceCalc.cls': 'public class ConformanceCalc {\n    public static Integer add(Integer a, Integer b) {\n        return a + b;\n    }\n}\n',
      'classes/ConformanceCalc.cls-meta.xml': classMeta,
      'classes/ConformanceCalcTest.cls': '@isTest\nprivate class ConformanceCalcTest {\n    @isTest\n    static void adds() {\n        System.assertEquals(5, ConformanceCalc.add(2, 3));\n    }\n    @isTest\n    static void addsNegative() {\n        System.assertEquals(-1, ConformanceCalc.add(2, -3));\n    }\n}\n',
      'classes/ConformanceCalcTest.cls-meta.xml': classMeta,
    };
    const validation = await conn.metadata
      .deploy(zipOf(files), { singlePackage: true, checkOnly: true, testLevel: 'RunSpecifiedTests', runTests: ['ConformanceCalcTest'] })
      .complete(true);
    assert.equal(validation.status, 'Succeeded');
    assert.equal(validation.checkOnly, true);
    assert.equal(Number(validation.numberTestsCompleted), 2);
    const rtr = validation.details.runTestResult;
    assert.deepEqual(arr(rtr.successes).map((t) => `${t.name}.${t.methodName}`).sort(), ['ConformanceCalcTest.adds', 'ConformanceCalcTest.addsNegative']);
    const coverage = arr(rtr.codeCoverage).find((c) => c.name === 'ConformanceCalc');
    assert.equal(Number(coverage.numLocationsNotCovered), 0);
    assert.ok(!(await classNames()).includes('ConformanceCalc'), 'a validation changes nothing');

    const quickId = await conn.metadata.deployRecentValidation({ id: validation.id });
    assert.match(quickId, /^0Af[A-Za-z0-9]{15}$/);
    assert.notEqual(quickId, validation.id);
    let result;
    for (let i = 0; i < 300 && !result?.done; i++) {
      result = await conn.metadata.checkDeployStatus(quickId);
      if (!result.done) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.checkOnly, false);
    assert.equal(Number(result.numberComponentsDeployed), 2);
    const names = await classNames();
    assert.ok(names.includes('ConformanceCalc') && names.includes('ConformanceCalcTest'));
  });
});

describe('SOAP faults', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('a dead session is INVALID_SESSION_ID (HTTP 500 fault)', async () => {
    const res = await fetch(`${conn.instanceUrl}/services/Soap/m/${API}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', soapaction: '""' },
      body: `<?xml version="1.0" encoding="UTF-8"?><se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header><SessionHeader xmlns="${NS}"><sessionId>00Dbogus!bogus</sessionId></SessionHeader></se:Header><se:Body><describeMetadata xmlns="${NS}"><asOfVersion>${API}</asOfVersion></describeMetadata></se:Body></se:Envelope>`,
    });
    assert.equal(res.status, 500);
    const body = await res.text();
    assert.match(body, /<faultcode>sf:INVALID_SESSION_ID<\/faultcode>/);
  });
});
