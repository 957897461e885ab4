// OAuth 2.0 through jsforce against orgsim: the web-server flow with PKCE (login page played
// with fetch), refresh_token (explicit and automatic on an expired session), revoke, and the
// documented error shapes (oauth.md §2, §3, §6, §8).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import jsforce from 'jsforce';

import { APP, HOOK_TIMEOUT_MS, startOrgsim, SUITE_TIMEOUT_MS, userOf, USERS } from './harness.mjs';
import { oauth2, playBrowser, webLogin } from './flows.mjs';

let sim;
before(async () => {
  sim = await startOrgsim();
}, { timeout: HOOK_TIMEOUT_MS });
after(async () => {
  await sim?.stop();
}, { timeout: HOOK_TIMEOUT_MS });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Access-token lifetime (s) for the expiry tests: short, but long enough for a refresh + retry. */
const LIFETIME_S = 2;

/** The username the session's user has, read through REST (proves the token works). */
async function whoAmI(conn) {
  const res = await conn.query(`SELECT Id, Username FROM User WHERE Id = '${conn.userInfo.id}'`);
  assert.equal(res.totalSize, 1);
  return res.records[0].Username;
}

describe('web-server flow with PKCE', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('login page, code, token exchange with code_verifier', async () => {
    const client = oauth2(sim, { useVerifier: true });
    // jsforce's verifier: base64url of 128 random bytes, longer than RFC 7636's 128 chars.
    assert.ok(client.codeVerifier.length > 128);
    const url = new URL(client.getAuthorizationUrl({ scope: 'refresh_token api web', state: 'abc123' }));
    assert.equal(url.origin + url.pathname, `${sim.loginUrl}/services/oauth2/authorize`);
    assert.match(url.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);

    const browser = await playBrowser(url.href, USERS.prod);
    assert.match(browser.page, /<form[^>]*action="\/services\/oauth2\/authorize"/);
    assert.equal(browser.status, 302);
    const back = new URL(browser.location);
    assert.equal(`${back.origin}${back.pathname}`, APP.redirectUri);
    assert.equal(back.searchParams.get('state'), 'abc123');
    const code = back.searchParams.get('code');
    assert.ok(code && code.length > 20);

    const res = await client.requestToken(code);
    const user = userOf(sim.prod, USERS.prod.username);
    assert.equal(res.instance_url, sim.prod.instance_url);
    assert.equal(res.id, `${sim.loginUrl}/id/${sim.prod.id}/${user.id}`);
    assert.equal(res.token_type, 'Bearer');
    assert.match(res.issued_at, /^\d{13}$/, 'issued_at is a string of milliseconds');
    assert.ok(Math.abs(Number(res.issued_at) - Date.now()) < 60_000);
    assert.ok(res.access_token.startsWith(`${sim.prod.id.slice(0, 15)}!`), res.access_token);
    assert.ok(res.refresh_token, 'refresh_token scope was requested');
    assert.deepEqual(res.scope.split(' ').sort(), ['api', 'refresh_token', 'web']);
    assert.ok(res.signature);

    // The code is single use.
    await assert.rejects(client.requestToken(code), { name: 'invalid_grant' });
  });

  test('Connection.authorize(code) establishes a session on the instance URL', async () => {
    const { conn, userInfo } = await webLogin(sim, USERS.prod);
    const user = userOf(sim.prod, USERS.prod.username);
    assert.equal(userInfo.organizationId, sim.prod.id);
    assert.equal(userInfo.id, user.id);
    assert.equal(conn.instanceUrl, sim.prod.instance_url);
    assert.ok(conn.refreshToken);
    assert.equal(await whoAmI(conn), USERS.prod.username);
    const identity = await conn.identity();
    assert.equal(identity.username, USERS.prod.username);
    assert.equal(identity.organization_id, sim.prod.id);
    assert.equal(identity.user_id, user.id);
    // What sfdx-core reads right after a login (oauth.md §2.5), on the instance host.
    const info = await conn.request('/services/oauth2/userinfo');
    assert.equal(info.user_id, user.id);
    assert.equal(info.organization_id, sim.prod.id);
    assert.equal(info.preferred_username, USERS.prod.username);
    const me = await conn.sobject('User').retrieve(user.id);
    assert.equal(me.Username, USERS.prod.username);
  });

  test('a sandbox user lands on the sandbox instance', async () => {
    const { conn, userInfo } = await webLogin(sim, USERS.sandbox);
    assert.equal(userInfo.organizationId, sim.sandbox.id);
    assert.equal(conn.instanceUrl, sim.sandbox.instance_url);
    const org = await conn.query('SELECT Id, IsSandbox FROM Organization');
    assert.equal(org.records[0].IsSandbox, true);
  });

  test('a wrong code_verifier is invalid_request; a missing one is invalid_grant', async () => {
    const honest = oauth2(sim, { useVerifier: true });
    const url = honest.getAuthorizationUrl({ state: 's1' });
    const code = new URL((await playBrowser(url, USERS.prod)).location).searchParams.get('code');
    const other = oauth2(sim, { useVerifier: true }); // a different verifier
    await assert.rejects(other.requestToken(code), { name: 'invalid_request', message: 'invalid code verifier' });

    const url2 = honest.getAuthorizationUrl({ state: 's2' });
    const code2 = new URL((await playBrowser(url2, USERS.prod)).location).searchParams.get('code');
    const noVerifier = oauth2(sim); // no PKCE on the token call
    await assert.rejects(noVerifier.requestToken(code2), { name: 'invalid_grant' });
  });

  test('a plain code flow without PKCE works too', async () => {
    const conn = new jsforce.Connection({ oauth2: oauth2(sim) });
    const url = conn.oauth2.getAuthorizationUrl({ state: 'plain' });
    assert.equal(new URL(url).searchParams.get('code_challenge'), null);
    const browser = await playBrowser(url, USERS.prod);
    await conn.authorize(new URL(browser.location).searchParams.get('code'));
    assert.equal(await whoAmI(conn), USERS.prod.username);
  });

  test('a wrong password shows the login page again with an error, no redirect', async () => {
    const url = oauth2(sim, { useVerifier: true }).getAuthorizationUrl({ state: 'bad' });
    const browser = await playBrowser(url, { username: USERS.prod.username, password: 'wrong' });
    assert.equal(browser.status, 200);
    assert.equal(browser.location, null);
    assert.match(browser.html, /Please check your username and password/);
    assert.match(browser.html, /name="state" value="bad"/);
  });

  test('Deny redirects with error=access_denied and the state', async () => {
    const url = oauth2(sim).getAuthorizationUrl({ state: 'deny-me' });
    const browser = await playBrowser(url, { ...USERS.prod, button: 'deny' });
    assert.equal(browser.status, 302);
    const back = new URL(browser.location);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'deny-me');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('an unknown client or an unregistered redirect_uri is not redirected', async () => {
    const unknown = new jsforce.OAuth2({ loginUrl: sim.loginUrl, clientId: 'nope', redirectUri: APP.redirectUri });
    const res = await fetch(unknown.getAuthorizationUrl({}), { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /invalid_client_id/);
    const evil = oauth2(sim, { redirectUri: 'http://evil.example/cb' });
    const res2 = await fetch(evil.getAuthorizationUrl({}), { redirect: 'manual' });
    assert.equal(res2.status, 400);
    assert.equal(res2.headers.get('location'), null);
    assert.match(await res2.text(), /redirect_uri_mismatch/);
  });

  test('token errors carry error/error_description (jsforce error name/message)', async () => {
    await assert.rejects(oauth2(sim).requestToken('not-a-code'), { name: 'invalid_grant' });
    const wrongSecret = oauth2(sim, { clientSecret: 'wrong' });
    await assert.rejects(wrongSecret.requestToken('whatever'), {
      name: 'invalid_client',
      message: 'invalid client credentials',
    });
    const unknown = new jsforce.OAuth2({ loginUrl: sim.loginUrl, clientId: 'nope', redirectUri: APP.redirectUri });
    await assert.rejects(unknown.requestToken('x'), { name: 'invalid_client_id', message: 'client identifier invalid' });
  });
});

describe('username-password flow (jsforce Connection.login with a client secret)', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('login(username, password) uses the password grant', async () => {
    const conn = new jsforce.Connection({ oauth2: { loginUrl: sim.loginUrl, clientId: APP.clientId, clientSecret: APP.clientSecret } });
    const userInfo = await conn.login(USERS.sandbox.username, USERS.sandbox.password);
    assert.equal(userInfo.organizationId, sim.sandbox.id);
    assert.equal(conn.instanceUrl, sim.sandbox.instance_url);
    assert.equal(conn.refreshToken, undefined, 'no refresh token from the password grant');
    assert.equal(await whoAmI(conn), USERS.sandbox.username);
  });

  test('a wrong password is invalid_grant / authentication failure', async () => {
    const conn = new jsforce.Connection({ oauth2: { loginUrl: sim.loginUrl, clientId: APP.clientId, clientSecret: APP.clientSecret } });
    await assert.rejects(conn.login(USERS.sandbox.username, 'nope'), { name: 'invalid_grant', message: 'authentication failure' });
  });
});

describe('refresh token', { timeout: SUITE_TIMEOUT_MS }, () => {
  test('oauth2.refreshToken mints a new working access token and no new refresh token', async () => {
    const { conn } = await webLogin(sim, USERS.prod);
    const before = conn.accessToken;
    const res = await conn.oauth2.refreshToken(conn.refreshToken);
    assert.notEqual(res.access_token, before);
    assert.equal(res.refresh_token, undefined);
    assert.equal(res.instance_url, sim.prod.instance_url);
    assert.match(res.issued_at, /^\d{13}$/);
    const fresh = new jsforce.Connection({ instanceUrl: res.instance_url, accessToken: res.access_token });
    const org = await fresh.query('SELECT Id FROM Organization');
    assert.equal(org.records[0].Id, sim.prod.id);
  });

  test('an expired session is refreshed automatically (refresh event) and the call retried', async () => {
    const settings = await sim.admin('GET', '/settings');
    await sim.admin('PUT', '/settings', { token_lifetime_secs: LIFETIME_S });
    let conn;
    try {
      ({ conn } = await webLogin(sim, USERS.prod));
    } finally {
      await sim.admin('PUT', '/settings', { token_lifetime_secs: settings.token_lifetime_secs });
    }
    const refreshed = [];
    conn.on('refresh', (token) => refreshed.push(token));
    const first = conn.accessToken;
    await sleep(LIFETIME_S * 1000 + 700);
    // The old token is dead on the wire...
    const dead = new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken: first });
    await assert.rejects(dead.query('SELECT Id FROM Organization'), { errorCode: 'INVALID_SESSION_ID' });
    // ...and jsforce refreshes on the 401 and retries, transparently.
    assert.equal(await whoAmI(conn), USERS.prod.username);
    assert.equal(refreshed.length, 1);
    assert.notEqual(conn.accessToken, first);
    assert.equal(refreshed[0], conn.accessToken);
  });

  test('expiring all org sessions (admin) also kills refresh tokens: refresh fails', async () => {
    const { conn } = await webLogin(sim, USERS.prod);
    const expired = await sim.admin('POST', `/orgs/${sim.prod.id}/expire-tokens`);
    assert.ok(expired.expired >= 1);
    await assert.rejects(conn.query('SELECT Id FROM Organization'), {
      message: 'Unable to refresh session due to: expired access/refresh token',
    });
  });

  test('a short token lifetime expires sessions; SOAP calls refresh too', async () => {
    const settings = await sim.admin('GET', '/settings');
    await sim.admin('PUT', '/settings', { token_lifetime_secs: LIFETIME_S });
    try {
      const { conn } = await webLogin(sim, USERS.prod);
      const first = conn.accessToken;
      await sleep(LIFETIME_S * 1000 + 700);
      // Metadata API (SOAP): INVALID_SESSION_ID fault, refresh, retry.
      const types = await conn.metadata.describe();
      assert.ok(types.metadataObjects.some((t) => t.xmlName === 'ApexClass'));
      assert.notEqual(conn.accessToken, first);
      const second = conn.accessToken;
      await sleep(LIFETIME_S * 1000 + 700);
      // REST: 401, refresh, retry.
      assert.equal(await whoAmI(conn), USERS.prod.username);
      assert.notEqual(conn.accessToken, second);
    } finally {
      await sim.admin('PUT', '/settings', { token_lifetime_secs: settings.token_lifetime_secs });
    }
  });

  test('without a refresh token an expired session fails with INVALID_SESSION_ID', async () => {
    const { conn } = await webLogin(sim, USERS.prod);
    const bare = new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken: conn.accessToken });
    await sim.admin('POST', `/orgs/${sim.prod.id}/expire-tokens`);
    await assert.rejects(bare.query('SELECT Id FROM Organization'), (err) => {
      assert.equal(err.errorCode, 'INVALID_SESSION_ID');
      assert.equal(err.message, 'Session expired or invalid');
      return true;
    });
  });

  test('revoking the refresh token kills it and its access tokens', async () => {
    const { conn } = await webLogin(sim, USERS.prod);
    const { refreshToken, accessToken } = conn;
    assert.equal(await whoAmI(conn), USERS.prod.username);
    await conn.oauth2.revokeToken(refreshToken);
    await assert.rejects(conn.oauth2.refreshToken(refreshToken), {
      name: 'invalid_grant',
      message: 'expired access/refresh token',
    });
    const bare = new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken });
    await assert.rejects(bare.query('SELECT Id FROM Organization'), { errorCode: 'INVALID_SESSION_ID' });
  });

  test('logout revokes the access token', async () => {
    const { conn } = await webLogin(sim, USERS.sandbox);
    const bare = new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken: conn.accessToken });
    await conn.logout(); // revokes the access token
    await assert.rejects(bare.query('SELECT Id FROM Organization'), { errorCode: 'INVALID_SESSION_ID' });
  });
});
