// Starts one orgsim process for a test file and stops it afterwards.
//
// It builds nothing: it runs the binary at <repo>/target/debug/orgsim (override with env
// ORGSIM_BIN), built beforehand with `cargo build -p orgsim`. It writes a temporary TOML
// config (a Production and a Sandbox org from the generator, a user with a known password
// in each, a connected app carrying this run's certificate for JWT and one carrying the bare
// public key), starts orgsim on
// port 0 with --status-file, waits (bounded) for the status file, and on stop sends SIGINT,
// then SIGKILL if it lingers. A process 'exit' hook kills the child if the runner dies first.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { deterministicRsaKey, selfSignedCertificate } from './keys.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ORGSIM_BIN = process.env.ORGSIM_BIN || path.join(REPO_ROOT, 'target', 'debug', 'orgsim');

/**
 * The connected app every test logs in through: a confidential client (has a secret) with
 * the run's self-signed certificate uploaded for JWT, as on Salesforce.
 */
export const APP = {
  clientId: 'orgfleet-conformance',
  clientSecret: 'conformance-secret-1f0c',
  redirectUri: 'http://localhost:1717/OauthRedirect',
};
/** A second app (JWT only) registered with the bare RSA public key instead of a certificate. */
export const KEY_APP = { clientId: 'orgfleet-conformance-key' };

/** Known users: one per org, added next to the generator's own users. */
export const USERS = {
  prod: { username: 'conformance@prod.orgsim.test', password: 'Conf0rmance-Prod!' },
  sandbox: { username: 'conformance@uat.orgsim.test', password: 'Conf0rmance-Uat!' },
};

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Timeout for the before/after hooks that start and stop orgsim (bounded start + stop). */
export const HOOK_TIMEOUT_MS = START_TIMEOUT_MS + 2 * STOP_TIMEOUT_MS + 30_000;
/** Timeout of one describe() block, so a hung request fails the run instead of stalling it. */
export const SUITE_TIMEOUT_MS = 180_000;

const toml = (s) => JSON.stringify(s); // a JSON string is a valid TOML basic string

function configText(certificateFile, publicKeyFile) {
  return `# written by tests/conformance/harness.mjs
token_lifetime_secs = 7200

[[connected_apps]]
client_id = ${toml(APP.clientId)}
client_secret = ${toml(APP.clientSecret)}
public_key_pem_file = ${toml(certificateFile)}
callback_urls = [${toml(APP.redirectUri)}]

[[connected_apps]]
client_id = ${toml(KEY_APP.clientId)}
public_key_pem_file = ${toml(publicKeyFile)}

[[orgs]]
alias = "conf-prod"
name = "Conformance Production"
kind = "production"
metadata = { generator = { seed = 4242, size = 150 } }
[[orgs.users]]
username = ${toml(USERS.prod.username)}
name = "Conformance Prod"
password = ${toml(USERS.prod.password)}

[[orgs]]
alias = "conf-uat"
name = "Conformance UAT"
kind = "sandbox"
metadata = { generator = { seed = 4343, size = 150 } }
[[orgs.users]]
username = ${toml(USERS.sandbox.username)}
name = "Conformance UAT"
password = ${toml(USERS.sandbox.password)}
`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let keyCache;
/** The run's RSA key, derived from a fixed seed (same key every run). */
export function testKey() {
  keyCache ??= deterministicRsaKey('orgfleet-conformance-jwt');
  return keyCache;
}

let certCache;
/** The self-signed certificate of testKey(), as uploaded to the connected app. */
export function testCertificate() {
  certCache ??= selfSignedCertificate(testKey());
  return certCache;
}

/**
 * Starts orgsim. Resolves to
 * { loginUrl, prod, sandbox, status, admin(method, path, body), stop() } where prod/sandbox
 * are the status file's org entries ({id, alias, instance_url, users, ...}).
 */
export async function startOrgsim() {
  if (!fs.existsSync(ORGSIM_BIN)) {
    throw new Error(
      `orgsim binary not found at ${ORGSIM_BIN}; run \`cargo build -p orgsim\` first or set ORGSIM_BIN`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgsim-conformance-'));
  fs.writeFileSync(path.join(dir, 'app.crt'), testCertificate());
  fs.writeFileSync(path.join(dir, 'app.pub.pem'), testKey().publicKeyPem);
  const configFile = path.join(dir, 'orgsim.toml');
  fs.writeFileSync(configFile, configText('app.crt', 'app.pub.pem'));
  const statusFile = path.join(dir, 'status.json');

  const child = spawn(
    ORGSIM_BIN,
    ['--config', configFile, '--port', '0', '--status-file', statusFile],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } },
  );
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  const killOnExit = () => {
    if (exited === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // The runner may be stopped by a signal (Ctrl-C, the test runner cancelling this file):
  // kill orgsim first, then die of the same signal as before.
  const onSignal = (signal) => {
    killOnExit();
    detach();
    process.kill(process.pid, signal);
  };
  const detach = () => {
    process.off('exit', killOnExit);
    for (const sig of SIGNALS) process.off(sig, onSignal);
  };
  process.on('exit', killOnExit);
  for (const sig of SIGNALS) process.once(sig, onSignal);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      child.kill('SIGINT');
      const done = await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS).then(() => null)]);
      if (done === null && exited === null) {
        child.kill('SIGKILL');
        await Promise.race([exitPromise, sleep(STOP_TIMEOUT_MS)]);
      }
    }
    detach();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  let status;
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited !== null) {
        throw new Error(`orgsim exited early (${JSON.stringify(exited)}):\n${output}`);
      }
      if (fs.existsSync(statusFile)) {
        status = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`orgsim wrote no status file within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await sleep(50);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const byAlias = Object.fromEntries(status.orgs.map((o) => [o.alias, o]));
  const loginUrl = status.login_url;

  /** Calls the admin API (/_orgsim/...) on the login host; throws on a non-2xx answer. */
  async function admin(method, apiPath, body) {
    const res = await fetch(`${loginUrl}/_orgsim${apiPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${method} ${apiPath} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  return {
    loginUrl,
    status,
    prod: byAlias['conf-prod'],
    sandbox: byAlias['conf-uat'],
    admin,
    stop,
    /** The last orgsim output (for assertion messages). */
    output: () => output,
  };
}

/** The user entry of `org` (from the status file) with the given username. */
export function userOf(org, username) {
  const user = org.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username} in org ${org.alias}`);
  return user;
}
