// Shared harness for real-window e2e tests: starts tauri-driver (which starts
// WebKitWebDriver, which starts the built app) with an isolated ORGFLEET_HOME, and hands
// out selenium sessions. Run under Xvfb: see tests/scripts/test.sh.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, until } from "selenium-webdriver";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const appBinary = process.env.ORGFLEET_APP ?? join(repo, "target/debug/orgfleet-desktop");
const driverBinary = process.env.TAURI_DRIVER ?? join(repo, ".tools/bin/tauri-driver");
const port = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

export { By, until };

/** Starts tauri-driver with a fresh data directory and `extraEnv` for the app; returns
 * { home, stop, session }. */
export async function startDriver(extraEnv = {}) {
  for (const [what, path] of [
    ["app binary", appBinary],
    ["tauri-driver", driverBinary],
  ]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}; run npm test (it builds both)`);
  }
  const home = mkdtempSync(join(tmpdir(), "orgfleet-e2e-"));
  const env = {
    ...process.env,
    ORGFLEET_HOME: home,
    XDG_DATA_HOME: join(home, "xdg-data"),
    XDG_CONFIG_HOME: join(home, "xdg-config"),
    NO_AT_BRIDGE: "1",
    ORGFLEET_SECRET_STORE: "file",
    ...extraEnv,
  };
  const driver = spawn(driverBinary, ["--port", String(port), "--native-port", String(port + 1)], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      driver.kill();
      throw new Error("tauri-driver did not come up within 20 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    home,
    async session() {
      const capabilities = {
        browserName: "wry",
        "tauri:options": { application: appBinary },
      };
      const session = await new Builder()
        .usingServer(`http://127.0.0.1:${port}`)
        .withCapabilities(capabilities)
        .build();
      await session.wait(until.elementLocated(By.css("nav[aria-label='Main']")), 20_000);
      return session;
    },
    stop() {
      driver.kill();
    },
  };
}

/** Saves a WebDriver screenshot of the window's content. */
export async function screenshot(session, file) {
  const png = await session.takeScreenshot();
  writeFileSync(file, Buffer.from(png, "base64"));
}

export const screenshotDir = join(here, "screenshots");

export const orgsimBinary = process.env.ORGSIM_BIN ?? join(repo, "target/debug/orgsim");

/** Starts orgsim with the demo orgs and `toml` as its config (and, with `jwtKey`, the
 * orgfleet-demo connected app for JWT logins); returns { loginUrl, stop }. */
export async function startOrgsim(toml, jwtKey) {
  if (!existsSync(orgsimBinary)) throw new Error(`orgsim not found at ${orgsimBinary}; run cargo build -p orgsim`);
  const dir = mkdtempSync(join(tmpdir(), "orgsim-e2e-"));
  const config = join(dir, "orgsim.toml");
  const status = join(dir, "status.json");
  writeFileSync(config, toml);
  const args = ["--config", config, "--demo", "--port", "0", "--status-file", status];
  if (jwtKey) args.push("--jwt-key", jwtKey);
  const child = spawn(orgsimBinary, args, {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 15_000;
  while (!existsSync(status)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error("orgsim did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const { login_url: loginUrl } = JSON.parse(readFileSync(status, "utf8"));
  return { loginUrl, stop: () => child.kill() };
}

export const cliBinary = join(repo, "target/debug/orgfleet");

/** Runs the orgfleet CLI against the app's data folder (`home`); throws on failure. */
export function orgfleet(home, args) {
  const result = spawnSync(cliBinary, args, {
    env: { ...process.env, ORGFLEET_HOME: home, ORGFLEET_SECRET_STORE: "file" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`orgfleet ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}
