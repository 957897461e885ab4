// Journey 2: the real window shows the drift between two demo orgs (UAT as it is now, snapshotted
// afresh, against production's snapshot), opens one change's semantic diff and its raw side-by-side
// view, ticks changes for "Deploy these", then scores the three orgs in the matrix.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By, orgfleet, screenshot, screenshotDir, startDriver, startOrgsim, until } from "./harness.mjs";

let orgsim;
let driver;

before(async () => {
  driver = await startDriver();
  const key = join(driver.home, "demo-jwt.pem");
  orgsim = await startOrgsim("", key);
  for (const org of ["prod", "uat", "dev"]) {
    orgfleet(driver.home, [
      "org", "login", "jwt", "--alias", `acme-${org}`, "--username", `admin@${org}.orgsim.test`,
      "--client-id", "orgfleet-demo", "--key-file", key, "--instance-url", orgsim.loginUrl,
    ]);
  }
  orgfleet(driver.home, ["snapshot", "take", "acme-prod", "acme-uat", "acme-dev"]);
});

after(() => {
  driver?.stop();
  orgsim?.stop();
});

const text = (element) => element.getAttribute("textContent");

test("review the drift between production and UAT, then the matrix of all three", async () => {
  const app = await driver.session();
  try {
    await app.findElement(By.xpath("//nav//button[contains(., 'Drift')]")).click();
    const right = await app.wait(until.elementLocated(By.css("select[aria-label='Right']")), 10_000);
    // UAT as it is now: a fresh snapshot is taken when the comparison starts.
    await right.findElement(By.xpath(".//option[contains(., 'acme-uat · take a fresh snapshot')]")).click();
    const left = await app.findElement(By.css("select[aria-label='Left']"));
    await left.findElement(By.xpath(".//option[contains(., 'acme-prod')]")).click();
    await app.findElement(By.xpath("//button[text()='Compare']")).click();

    // The UAT release: new classes and fields, layouts and profiles that grant them.
    // The summary of the default pair is replaced once the fresh snapshot is compared.
    const summary = await app.wait(async () => {
      try {
        for (const found of await app.findElements(By.css("section[aria-label='Summary']"))) {
          if (/acme-uat/.test(await text(found))) return found;
        }
      } catch {
        // Re-rendered while read: look again.
      }
      return null;
    }, 60_000);
    const summaryText = await text(summary);
    assert.match(summaryText, /acme-prod/);
    assert.match(summaryText, /\d+ added/);
    assert.match(summaryText, /\d+ differences in \d+ types; \d+ touch(es)? security/);
    const profile = await app.wait(
      until.elementLocated(By.css("button[aria-label='changed Profile Standard']")),
      10_000,
    );
    await profile.click();

    // Semantic view: the FLS edit with its readable path.
    const edits = await app.wait(until.elementLocated(By.css("ul[aria-label='Element changes']")), 10_000);
    await app.wait(
      async () => /fieldPermissions\[Account\.Annual_Contract_Value__c\]\.editable/.test(await text(edits)),
      10_000,
    );
    assert.match(await text(edits), /true/);
    const panel = await app.findElement(By.css(".diff-panel"));
    assert.match(await text(panel), /field-level security/);

    // Keyboard: k moves to the previous change (Standard is the last one).
    await app.actions().sendKeys("k").perform();
    await app.wait(async () => {
      const current = await app.findElements(By.css(".change-row-current"));
      return current.length === 1 && !/Standard/.test(await text(current[0]));
    }, 5_000);
    await app.findElement(By.css("button[aria-label='changed Profile Standard']")).click();

    // Select two changes and hand them to a deploy as a package.xml.
    await app.findElement(By.css("input[aria-label='Select Profile Standard']")).click();
    await app.findElement(By.css("input[aria-label='Select ApexClass IndustryClassifier']")).click();
    await app.findElement(By.xpath("//button[contains(., 'Deploy these')]")).click();
    const packageXml = await app.wait(until.elementLocated(By.css("[data-testid='package-xml']")), 10_000);
    await app.wait(async () => /<members>IndustryClassifier<\/members>/.test(await text(packageXml)), 10_000);
    assert.match(await text(packageXml), /<name>Profile<\/name>/);
    await app.findElement(By.xpath("//div[@role='dialog']//button[text()='Close']")).click();

    await screenshot(app, join(screenshotDir, "drift.png"));

    // Raw view: CodeMirror's merge view of the two profiles.
    await app.findElement(By.xpath("//button[@role='tab' and text()='Side by side']")).click();
    await app.wait(until.elementLocated(By.css("[data-testid='raw-merge'] .cm-mergeView")), 15_000);
    const changed = await app.findElements(By.css("[data-testid='raw-merge'] .cm-changedLine"));
    assert.ok(changed.length > 0, "the raw view marks the changed lines");
    await screenshot(app, join(screenshotDir, "drift-raw.png"));

    // The matrix: production as the baseline, UAT and Dev scored against it.
    await app.findElement(By.xpath("//button[@role='tab' and text()='Matrix']")).click();
    const baseline = await app.wait(until.elementLocated(By.css("select[aria-label='Baseline']")), 10_000);
    await baseline.findElement(By.xpath(".//option[contains(., 'acme-prod')]")).click();
    await app.findElement(By.xpath("//button[text()='Build matrix']")).click();
    const rows = await app.wait(until.elementLocated(By.css("[data-testid='matrix-rows'] .heatmap-row")), 15_000);
    assert.ok(rows);
    const heads = await app.findElements(By.css(".heatmap-head"));
    assert.equal(heads.length, 2, "one column per scored org");
    for (const head of heads) assert.match(await text(head), /\d+(\.\d)?%/);
    const cell = await app.findElement(By.css("[data-testid='matrix-rows'] .cell-different"));
    await cell.click();
    await app.wait(until.elementLocated(By.css(".matrix-drill ul[aria-label='Element changes']")), 10_000);
    await screenshot(app, join(screenshotDir, "drift-matrix.png"));
  } finally {
    await app.quit();
  }
});
