#!/usr/bin/env node
// A scripted "browser" for e2e tests (ORGFLEET_BROWSER points here): opens the login URL and
// follows redirects, as a person would after orgsim's auto-approved login, ending at the
// app's loopback listener.
const url = process.argv[2];
if (!url) {
  console.error("usage: fake-browser.mjs <url>");
  process.exit(2);
}
const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30_000) });
console.error(`fake-browser: ${res.status} ${res.url}`);
process.exit(res.ok ? 0 : 1);
