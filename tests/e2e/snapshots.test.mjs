// Journey 2's first half: take a snapshot of an org from the window, watch it finish, and
// browse it by type and component down to the file content.
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
  orgfleet(driver.home, [
    "org", "login", "jwt", "--alias", "acme-prod", "--username", "admin@prod.orgsim.test",
    "--client-id", "orgfleet-demo", "--key-file", key, "--instance-url", orgsim.loginUrl,
  ]);
});

after(() => {
  driver?.stop();
  orgsim?.stop();
});

test("take a snapshot of an org and browse it", async () => {
  const app = await driver.session();
  try {
    await app.findElement(By.xpath("//nav//button[contains(., 'Snapshots')]")).click();
    await app.wait(until.elementLocated(By.xpath("//h2[text()='No snapshots yet — take one']")), 10_000);
    await app.findElement(By.xpath("//header//button[contains(., 'Take snapshot')]")).click();
    const dialog = await app.wait(until.elementLocated(By.css("[role='dialog']")), 5_000);
    await dialog.findElement(By.xpath(".//label[contains(., 'acme-prod')]//input")).click();
    await dialog.findElement(By.xpath(".//button[contains(., 'Snapshot 1 org')]")).click();

    const row = await app.wait(until.elementLocated(By.css("tr[aria-label^='acme-prod']")), 60_000);
    const components = Number((await row.findElement(By.css("td.num")).getText()).replace(/,/g, ""));
    assert.ok(components > 100, `a demo org has hundreds of components, got ${components}`);
    await screenshot(app, join(screenshotDir, "snapshots.png"));

    await row.findElement(By.xpath(".//button[text()='Browse']")).click();
    const types = await app.wait(until.elementLocated(By.css("ul[aria-label='Metadata types']")), 10_000);
    await types.findElement(By.xpath(".//button[contains(., 'ApexClass')]")).click();
    const first = await app.wait(until.elementLocated(By.css("[data-testid='component-list'] button")), 10_000);
    await first.click();
    const content = await app.wait(until.elementLocated(By.css("[data-testid='file-content']")), 10_000);
    assert.match(await content.getAttribute("textContent"), /class|ApexClass/);
    await screenshot(app, join(screenshotDir, "snapshot-browser.png"));
  } finally {
    await app.quit();
  }
});
