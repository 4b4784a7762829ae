// Chromium end-to-end test of the web build against the real core: `leadguard serve`
// on a temp registry, the built ui/dist, headless Debian Chromium. Asserts real
// behaviour and saves screenshots of the main screens (zh-CN and en) in docs/screenshots/.
//
// Usage: node tests/web/e2e.mjs --bin target/debug/leadguard --ui ui/dist [--shots docs/screenshots]
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { launchChromium, leadguardJson, runner, startServer, CHROMIUM } from "./harness.mjs";

const { values: opt } = parseArgs({
  options: {
    bin: { type: "string" },
    ui: { type: "string" },
    shots: { type: "string", default: "docs/screenshots" },
  },
});
assert.ok(opt.bin && opt.ui, "--bin and --ui are required");
const shots = resolve(opt.shots);
mkdirSync(shots, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), "lg-e2e-data-"));
const t = runner(`Chromium end-to-end (${CHROMIUM}, headless) against leadguard serve`);
let server;
let chrome;
try {
  await t.step("initialise the registry with the real CLI", async () => {
    const info = leadguardJson(opt.bin, dataDir, ["info"]);
    assert.equal(info.data_dir, dataDir);
  });
  server = await startServer({ bin: opt.bin, dataDir, uiDir: opt.ui });
  chrome = await launchChromium();
  const context = await chrome.browser.newContext({ viewport: { width: 1360, height: 860 }, locale: "zh-CN" });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  await t.step("the app shell renders in zh-CN with the token taken from the URL", async () => {
    await page.goto(server.url);
    await page.getByText("撞单卫士", { exact: true }).waitFor();
    for (const label of ["客户查询", "新建线索", "我的客户", "公海", "撞单处理", "同步", "指标", "设置"]) {
      await page.getByRole("menuitem", { name: label }).waitFor();
    }
    assert.equal(new URL(page.url()).searchParams.get("token"), null, "token must be removed from the address bar");
    await page.getByTestId("online-state").waitFor();
  });

  await t.step("settings show the real core's data directory over the HTTP transport", async () => {
    await page.getByRole("menuitem", { name: "设置" }).click();
    await page.getByTestId("data-dir").getByText(dataDir, { exact: true }).waitFor();
    await page.getByText("浏览器（本机回环 HTTP）").waitFor();
    await page.screenshot({ path: join(shots, "settings.zh-CN.png"), fullPage: true });
  });

  await t.step("an API call without the token is refused by the server", async () => {
    // A second tab of the same origin, so the expected 401 stays out of the app tab's console.
    const probe = await context.newPage();
    await probe.goto(`${server.origin}/favicon.svg`);
    const status = await probe.evaluate(async () => (await fetch("/api/app_info", { method: "POST", body: "null" })).status);
    assert.equal(status, 401);
    await probe.close();
  });

  await t.step("switching to English re-renders every label", async () => {
    await page.getByText("English", { exact: true }).first().click();
    await page.getByRole("menuitem", { name: "Registry search" }).waitFor();
    await page.getByRole("menuitem", { name: "Settings" }).waitFor();
    await page.getByText("Browser (loopback HTTP)").waitFor();
    await page.screenshot({ path: join(shots, "settings.en-US.png"), fullPage: true });
    await page.getByText("简体中文", { exact: true }).first().click();
    await page.getByRole("menuitem", { name: "客户查询" }).waitFor();
  });

  await t.step("no errors in the browser console", async () => {
    assert.deepEqual(consoleErrors, []);
  });
  t.done();
} finally {
  await chrome?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
