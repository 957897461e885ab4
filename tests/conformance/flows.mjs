// Login helpers shared by the test files: a test "browser" for the authorize page, JWT
// assertions and ready jsforce connections. Everything goes through jsforce's public API
// with the orgsim login URL as loginUrl, exactly as against login.salesforce.com.

import jsforce from 'jsforce';

import { APP, testKey, USERS } from './harness.mjs';
import { signJwt } from './keys.mjs';

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const unescapeHtml = (s) => s.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e) => ENTITIES[e]);

/** The attributes of each `<tag ...>` in `html`, as objects. */
function tags(html, tag) {
  const out = [];
  for (const m of html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))) {
    const attrs = {};
    for (const a of m[1].matchAll(/([a-zA-Z_:-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1].toLowerCase()] = unescapeHtml(a[2]);
    out.push(attrs);
  }
  return out;
}

/**
 * Plays a browser on the authorize page: GETs `authorizationUrl`, fills the login form
 * (username, password) and presses the button named `action` ("approve" or "deny"), then
 * reports where the server sent the browser. Redirects are not followed: the redirect_uri
 * is the app's loopback listener, which the test reads from the Location header.
 * Returns { page (HTML of the login page), status, location, html }.
 */
export async function playBrowser(authorizationUrl, { username, password, button = 'approve' }) {
  const pageRes = await fetch(authorizationUrl, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const page = await pageRes.text();
  if (pageRes.status !== 200) {
    return { page, status: pageRes.status, location: pageRes.headers.get('location'), html: page };
  }
  const [form] = tags(page, 'form');
  if (!form) throw new Error(`authorize page has no form:\n${page}`);
  const fields = new URLSearchParams();
  for (const input of tags(page, 'input')) {
    if (!input.name) continue;
    if (input.type === 'hidden') fields.append(input.name, input.value ?? '');
    else if (input.type === 'password') fields.append(input.name, password);
    else if (input.type === 'email' || input.type === 'text' || input.id === 'username') fields.append(input.name, username);
  }
  const buttons = tags(page, 'button').filter((b) => b.name);
  const pressed = buttons.find((b) => b.value === button);
  if (!pressed) throw new Error(`no "${button}" button on the authorize page`);
  fields.append(pressed.name, pressed.value);
  const target = new URL(form.action || authorizationUrl, authorizationUrl);
  const res = await fetch(target, {
    method: (form.method || 'post').toUpperCase(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  return { page, status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** A jsforce OAuth2 client for the conformance app on orgsim's login host. */
export function oauth2(sim, extra = {}) {
  return new jsforce.OAuth2({
    loginUrl: sim.loginUrl,
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    redirectUri: APP.redirectUri,
    ...extra,
  });
}

/** Runs the web-server flow (PKCE) for `user` and returns an authorized jsforce Connection. */
export async function webLogin(sim, user = USERS.prod) {
  const conn = new jsforce.Connection({ oauth2: oauth2(sim, { useVerifier: true }) });
  const state = `st${Date.now().toString(16)}`;
  const url = conn.oauth2.getAuthorizationUrl({ scope: 'refresh_token api web', state });
  const browser = await playBrowser(url, user);
  if (browser.status !== 302 || !browser.location) {
    throw new Error(`authorize did not redirect (${browser.status}):\n${browser.html}`);
  }
  const back = new URL(browser.location);
  if (back.searchParams.get('state') !== state) throw new Error(`state mismatch in ${browser.location}`);
  const userInfo = await conn.authorize(back.searchParams.get('code'));
  return { conn, userInfo };
}

/** A signed JWT bearer assertion for `username` (exp in seconds, 3 minutes ahead). */
export function jwtAssertion(sim, username, overrides = {}) {
  return signJwt(overrides.privateKey ?? testKey().privateKey, {
    iss: overrides.clientId ?? APP.clientId,
    sub: username,
    aud: sim.loginUrl,
    exp: Math.floor(Date.now() / 1000) + 180,
    ...overrides.claims,
  });
}

/** Logs in with the JWT bearer grant through jsforce and returns the Connection. */
export async function jwtConnection(sim, user = USERS.prod, claims = {}) {
  const conn = new jsforce.Connection({ oauth2: { loginUrl: sim.loginUrl } });
  const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion: jwtAssertion(sim, user.username, { claims }) });
  return { conn, userInfo };
}
