// Journey: the app shell. Open the app, run a job from Activity and watch it reach 100%,
// switch theme in Settings, restart, and find the view and theme as they were left.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { join } from "node:path";
import { By, screenshot, screenshotDir, startDriver, until } from "./harness.mjs";

let driver;

before(async () => {
  driver = await startDriver();
});

after(() => driver?.stop());

test("a store check runs to 100% in Activity", async () => {
  const app = await driver.session();
  try {
    await app.findElement(By.xpath("//nav//button[contains(., 'Activity')]")).click();
    await app.wait(until.elementLocated(By.xpath("//h1[text()='Activity']")), 10_000);
    const start = await app.findElement(By.xpath("//header//button[contains(., 'Check store')]"));
    await start.click();
    const done = await app.wait(
      until.elementLocated(By.xpath("//article[.//span[@data-testid='job-status' and text()='Done']]")),
      60_000,
    );
    const progress = await done.findElement(By.css("[data-testid='job-progress']"));
    assert.equal(await progress.getAttribute("data-percent"), "100");
    assert.match(await done.getText(), /Healthy/);
    assert.match(await done.getText(), /6 of 6/);
    await screenshot(app, join(screenshotDir, "activity.png"));
  } finally {
    await app.quit();
  }
});

test("theme and last view survive a restart", async () => {
  const first = await driver.session();
  try {
    await first.findElement(By.xpath("//nav//button[contains(., 'Settings')]")).click();
    await first.wait(until.elementLocated(By.xpath("//h1[text()='Settings']")), 10_000);
    await first.findElement(By.xpath("//label[contains(., 'Dark')]")).click();
    await first.wait(
      async () =>
        (await first.executeScript("return document.documentElement.dataset.theme")) === "dark",
      5_000,
    );
  } finally {
    await first.quit();
  }
  const second = await driver.session();
  try {
    await second.wait(until.elementLocated(By.xpath("//h1[text()='Settings']")), 10_000);
    const theme = await second.executeScript("return document.documentElement.dataset.theme");
    assert.equal(theme, "dark");
    const checked = await second.findElement(By.css("input[value='dark']")).isSelected();
    assert.equal(checked, true);
    await screenshot(second, join(screenshotDir, "settings-dark.png"));
  } finally {
    await second.quit();
  }
});
