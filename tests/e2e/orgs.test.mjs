// Journey 1, "First five minutes": connect an org from the window. Orgs → Connect an org →
// My Domain (orgsim's login host) → alias → the browser login (a scripted browser, orgsim
// auto-approves) → the org is listed with its kind, colour and the production lock.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By, repo, screenshot, screenshotDir, startDriver, startOrgsim, until } from "./harness.mjs";

let orgsim;
let driver;

before(async () => {
  orgsim = await startOrgsim('auto_approve_username = "admin@prod.orgsim.test"\n');
  driver = await startDriver({
    ORGFLEET_BROWSER: join(repo, "tests/e2e/fake-browser.mjs"),
    ORGFLEET_OAUTH_PORT: "1717",
  });
});

after(() => {
  driver?.stop();
  orgsim?.stop();
});

test("connect a production org through the browser login", async () => {
  const app = await driver.session();
  try {
    await app.wait(until.elementLocated(By.xpath("//h2[text()='No orgs connected yet']")), 10_000);
    await app.findElement(By.xpath("//header//button[contains(., 'Connect an org')]")).click();
    const dialog = await app.wait(until.elementLocated(By.css("[role='dialog']")), 5_000);
    await dialog.findElement(By.xpath(".//label[contains(., 'My Domain')]")).click();
    await dialog.findElement(By.css("input[placeholder='https://acme.my.salesforce.com']")).sendKeys(orgsim.loginUrl);
    await dialog.findElement(By.css("input[placeholder='acme-prod']")).sendKeys("acme-prod");
    await dialog.findElement(By.css("input[placeholder='client-acme, uat']")).sendKeys("client-acme");
    await screenshot(app, join(screenshotDir, "connect-dialog.png"));
    await dialog.findElement(By.xpath(".//button[contains(., 'Log in with browser')]")).click();

    const row = await app.wait(until.elementLocated(By.css("li[aria-label='acme-prod']")), 30_000);
    await app.wait(async () => (await app.findElements(By.css("[role='dialog']"))).length === 0, 10_000);
    // textContent: WebKitWebDriver's getText leaves out text styled with an ellipsis.
    const text = await row.getAttribute("textContent");
    assert.match(text, /Acme Production/);
    assert.match(text, /PRODUCTION/i);
    assert.match(text, /admin@prod\.orgsim\.test/);
    assert.match(text, /client-acme/);
    assert.equal((await row.findElements(By.css(".org-lock"))).length, 1, "production shows the lock");

    await row.findElement(By.xpath(".//button[text()='Check']")).click();
    await app.wait(async () => (await row.getText()).includes("Check"), 10_000);
    assert.equal((await row.findElements(By.css("[role='alert']"))).length, 0, "the health check passes");
    assert.match(await row.getText(), /seen just now/);
    await screenshot(app, join(screenshotDir, "orgs.png"));
  } finally {
    await app.quit();
  }
});
