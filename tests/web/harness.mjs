// Harness for the browser end-to-end tests: starts the real `leadguard serve` on a temp
// data dir and a headless system Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser) driven by playwright-core from ui/node_modules.
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Runs `leadguard --data DIR --json ARGS...` and returns its parsed JSON output. */
export function leadguardJson(bin, dataDir, args) {
  const out = execFileSync(bin, ["--data", dataDir, "--json", ...args], { encoding: "utf8" });
  return JSON.parse(out);
}

/** Starts `leadguard serve`; resolves with { url, origin, token, stop } once the URL is printed. */
export async function startServer({ bin, dataDir, uiDir }) {
  const child = spawn(bin, ["--data", dataDir, "serve", "--listen", "127.0.0.1:0", "--ui", uiDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const firstLine = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`leadguard serve printed no URL in 20 s\n${stderr}`)), 20_000);
    child.on("exit", (code) => reject(new Error(`leadguard serve exited (${code}) before printing its URL\n${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  const url = new URL(firstLine);
  return {
    url: firstLine,
    origin: url.origin,
    token: url.searchParams.get("token"),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

/** Headless Chromium; playwright gives every launch a fresh temporary profile. */
export async function launchChromium() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

/**
 * A browser context as the app's users get it (zh-CN, a laptop-sized window), with the
 * system's "reduce motion" setting on: the app then opens dialogs, drawers and menus
 * without animation, so a click never lands on a dialog still zooming in under load.
 */
export function appContext(chrome, options = {}) {
  return chrome.browser.newContext({ viewport: { width: 1360, height: 860 }, locale: "zh-CN", reducedMotion: "reduce", ...options });
}

/**
 * Picks an option of an antd Select: opens it, then `chooseOption`.
 * `option` is the option's text, or `{ title }` for an exact title.
 */
export async function pickOption(page, select, option) {
  await select.click();
  await chooseOption(page, option);
}

/** Clicks an option of the open antd Select menu, then waits for the select to settle. */
export async function chooseOption(page, option) {
  const options = page.locator(".ant-select-dropdown:visible .ant-select-item-option");
  await (typeof option === "string" ? options.filter({ hasText: option }) : options.and(page.locator(`[title="${option.title}"]`))).click();
  await selectSettled(page);
}

/**
 * Waits for the antd Select menus to close, then lets the page run its pending timers.
 * rc-select hands focus back to its own input in a zero-delay timer after a click in
 * its menu; a fill issued before that timer ran would type into the select instead of
 * the next field (seen as a decision submitted with an empty reason).
 */
export async function selectSettled(page) {
  await page.locator(".ant-select-dropdown:visible").first().waitFor({ state: "hidden" });
  await page.evaluate(() => new Promise((done) => setTimeout(() => requestAnimationFrame(() => done()), 0)));
}

/** A tiny test runner: named steps, printed as they pass, first failure aborts. */
export function runner(title, { onFail } = {}) {
  const started = Date.now();
  let n = 0;
  console.log(`\n=== ${title} ===`);
  return {
    async step(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
      } catch (e) {
        console.log(`  FAIL  ${name}`);
        if (onFail) await onFail(name).catch((err) => console.log(`  (could not save failure evidence: ${err})`));
        throw e;
      }
      n += 1;
      console.log(`  PASS  ${name} (${Date.now() - t0} ms)`);
    },
    done() {
      console.log(`=== ${title}: ${n} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
    },
  };
}

/**
 * Starts a real sync hub, `leadguard-hub --data DIR serve --listen 127.0.0.1:0`; resolves
 * with { url, enroll, stop } once it prints its URL. `enroll(rep, name, branch, role)`
 * returns a one-time device token from the hub's own CLI.
 */
export async function startHub({ hubBin, dataDir }) {
  const child = spawn(hubBin, ["--data", dataDir, "serve", "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`leadguard-hub printed no URL in 20 s\n${stderr}`)), 20_000);
    child.on("exit", (code) => reject(new Error(`leadguard-hub exited (${code}) before printing its URL\n${stderr}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  return {
    url,
    enroll: (rep, name, branch, role) =>
      execFileSync(hubBin, ["--data", dataDir, "enroll", "--rep", rep, "--name", name, "--branch", branch, "--role", role], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      })
        .trim()
        .split("\n")[0],
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}
