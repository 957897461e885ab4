// JWT bearer login (oauth.md §4) through jsforce's Connection.authorize with the
// jwt-bearer grant, signed with this run's deterministic RSA key, whose public key is
// registered on the connected app in the orgsim config.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import jsforce from 'jsforce';

import crypto from 'node:crypto';

import { APP, HOOK_TIMEOUT_MS, KEY_APP, startOrgsim, SUITE_TIMEOUT_MS, testCertificate, testKey, userOf, USERS } from './harness.mjs';
import { JWT_GRANT, jwtAssertion, jwtConnection } from './flows.mjs';
import { deterministicRsaKey } from './keys.mjs';

let sim;
before(async () => {
  sim = await startOrgsim();
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

/** Posts an assertion through jsforce and returns the rejection (or fails if it succeeds). */
async function rejected(assertion) {
  const conn = new jsforce.Connection({ oauth2: { loginUrl: sim.loginUrl } });
  try {
    await conn.authorize({ grant_type: JWT_GRANT, assertion });
  } catch (err) {
    return err;
  }
  assert.fail('the JWT login should have been refused');
}

describe('JWT bearer', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('the same seed gives the same key (deterministic test key)', () => {
    assert.equal(deterministicRsaKey('orgfleet-conformance-jwt').publicKeyPem, testKey().publicKeyPem);
    assert.notEqual(deterministicRsaKey('other-seed', 1024).publicKeyPem, testKey().publicKeyPem);
  });

  test('the connected app holds a valid self-signed certificate of the signing key', () => {
    const cert = new crypto.X509Certificate(testCertificate());
    assert.equal(cert.subject, 'CN=orgfleet-conformance');
    assert.equal(cert.verify(testKey().publicKey), true);
    assert.equal(cert.publicKey.export({ type: 'spki', format: 'pem' }), testKey().publicKeyPem);
  });

  test('an app registered with a bare public key accepts the same signature', async () => {
    const client = new jsforce.OAuth2({ loginUrl: sim.loginUrl });
    const assertion = jwtAssertion(sim, USERS.prod.username, { clientId: KEY_APP.clientId });
    const res = await client.requestToken({ grant_type: JWT_GRANT, assertion });
    assert.equal(res.instance_url, sim.prod.instance_url);
  });

  test('production user: session on the production instance, no refresh token', async () => {
    const { conn, userInfo } = await jwtConnection(sim, USERS.prod);
    const user = userOf(sim.prod, USERS.prod.username);
    assert.equal(userInfo.organizationId, sim.prod.id);
    assert.equal(userInfo.id, user.id);
    assert.equal(conn.instanceUrl, sim.prod.instance_url);
    assert.equal(conn.refreshToken, undefined);
    const me = await conn.query(`SELECT Username FROM User WHERE Id = '${user.id}'`);
    assert.equal(me.records[0].Username, USERS.prod.username);
    const org = await conn.query('SELECT Id, Name, IsSandbox FROM Organization');
    assert.equal(org.records[0].Id, sim.prod.id);
    assert.equal(org.records[0].IsSandbox, false);
  });

  test('the raw token response has the documented fields', async () => {
    const client = new jsforce.OAuth2({ loginUrl: sim.loginUrl });
    const res = await client.requestToken({ grant_type: JWT_GRANT, assertion: jwtAssertion(sim, USERS.prod.username) });
    assert.equal(res.token_type, 'Bearer');
    assert.equal(res.instance_url, sim.prod.instance_url);
    assert.equal(res.id, `${sim.loginUrl}/id/${sim.prod.id}/${userOf(sim.prod, USERS.prod.username).id}`);
    assert.equal(res.refresh_token, undefined);
    assert.ok(res.scope.split(' ').includes('api'));
  });

  test('sandbox user with aud https://test.salesforce.com', async () => {
    const { conn, userInfo } = await jwtConnection(sim, USERS.sandbox, { aud: 'https://test.salesforce.com' });
    assert.equal(userInfo.organizationId, sim.sandbox.id);
    assert.equal(conn.instanceUrl, sim.sandbox.instance_url);
    const org = await conn.query('SELECT IsSandbox FROM Organization');
    assert.equal(org.records[0].IsSandbox, true);
  });

  test('production user with aud https://login.salesforce.com and exp as a numeric string', async () => {
    const exp = String(Math.floor(Date.now() / 1000) + 120);
    const { userInfo } = await jwtConnection(sim, USERS.prod, { aud: 'https://login.salesforce.com', exp });
    assert.equal(userInfo.organizationId, sim.prod.id);
  });

  test('exp in milliseconds, as sfdx-core sends it, is accepted', async () => {
    const { userInfo } = await jwtConnection(sim, USERS.prod, { exp: Date.now() + 300 * 1000 });
    assert.equal(userInfo.organizationId, sim.prod.id);
  });

  test('a production audience is refused for a sandbox user', async () => {
    const err = await rejected(jwtAssertion(sim, USERS.sandbox.username, { claims: { aud: 'https://login.salesforce.com' } }));
    assert.equal(err.name, 'invalid_grant');
  });

  test('an assertion signed with another key is refused', async () => {
    const other = deterministicRsaKey('not-the-registered-key', 1024);
    const err = await rejected(jwtAssertion(sim, USERS.prod.username, { privateKey: other.privateKey }));
    assert.equal(err.name, 'invalid_grant');
  });

  test('an expired assertion is refused', async () => {
    const err = await rejected(jwtAssertion(sim, USERS.prod.username, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } }));
    assert.equal(err.name, 'invalid_grant');
  });

  test('an unknown subject: "user hasn\'t approved this consumer"', async () => {
    const err = await rejected(jwtAssertion(sim, 'nobody@nowhere.example'));
    assert.equal(err.name, 'invalid_grant');
    assert.equal(err.message, "user hasn't approved this consumer");
  });

  test('an unknown issuer: invalid_client_id', async () => {
    const err = await rejected(jwtAssertion(sim, USERS.prod.username, { claims: { iss: 'unknown-app' } }));
    assert.equal(err.name, 'invalid_client_id');
    assert.equal(err.message, 'client identifier invalid');
  });

  test('a tampered payload fails the signature check', async () => {
    const good = jwtAssertion(sim, USERS.prod.username);
    const [head, , sig] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: APP.clientId, sub: USERS.sandbox.username, aud: sim.loginUrl, exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    const err = await rejected(`${head}.${forged}.${sig}`);
    assert.equal(err.name, 'invalid_grant');
  });
});
