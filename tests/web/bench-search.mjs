// Browser benchmark (a harness that prints figures, not a pass/fail test): how long from
// a keystroke in the registry search box until the table shows the results for the new
// text, in headless Chromium against the real `leadguard serve` on a large registry.
//
// Usage: node tests/web/bench-search.mjs --bin target/debug/leadguard --ui ui/dist --data DIR [--queries 30]
// Each query is typed one character at a time (up to 4 characters of a real company
// name, after its city prefix); every keystroke is one sample. Times include Playwright's
// round trips to the browser, so they are an upper bound of what a user sees.
import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { launchChromium, startServer, CHROMIUM } from "./harness.mjs";

const { values: opt } = parseArgs({
  options: {
    bin: { type: "string" },
    ui: { type: "string" },
    data: { type: "string" },
    queries: { type: "string", default: "30" },
  },
});
assert.ok(opt.bin && opt.ui && opt.data, "--bin, --ui and --data are required");

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const server = await startServer({ bin: opt.bin, dataDir: opt.data, uiDir: opt.ui });
const chrome = await launchChromium();
try {
  const page = await (await chrome.browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
  await page.goto(server.url);
  const input = page.getByTestId("search-input");
  await input.waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=search-results][data-query=""]').waitFor({ state: "attached", timeout: 60_000 });

  const { total, companies } = await page.evaluate(async (token) => {
    const res = await fetch("/api/lead_list", {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadguard-token": token },
      body: JSON.stringify({ filter: "all", limit: 1000, offset: 5000 }),
    });
    const page = await res.json();
    return { total: page.total, companies: page.items.map((l) => l.fields.company).filter(Boolean) };
  }, server.token);

  const queries = [];
  for (let i = 0; queries.length < Number(opt.queries) && i < companies.length; i += 7) {
    // Skip the city prefix (上海市…, 北京…): reps type the distinctive part first.
    const name = companies[i].replace(/^.{1,3}?[市省]/, "").replace(/^(北京|上海|天津|重庆|深圳|广州|杭州|南京|成都|武汉|西安|苏州)/, "");
    if ([...name].length >= 4) queries.push([...name].slice(0, 4));
  }

  const samples = [];
  for (const chars of queries) {
    await input.fill("");
    await input.focus();
    await page.locator('[data-testid=search-results][data-query=""]').waitFor({ state: "attached" });
    let typed = "";
    for (const ch of chars) {
      typed += ch;
      const t0 = performance.now();
      // What an IME commit does: insert the character (press() knows only key names).
      await page.keyboard.insertText(ch);
      await page.locator(`[data-testid=search-results][data-query="${typed}"]`).waitFor({ state: "attached" });
      samples.push(performance.now() - t0);
    }
  }
  samples.sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`\n=== Browser search benchmark (${CHROMIUM}, headless) ===`);
  console.log(`registry: ${Number(total).toLocaleString("en-US")} leads in ${opt.data}`);
  console.log(`queries: ${queries.length} (e.g. ${queries.slice(0, 3).map((q) => q.join("")).join(", ")}), keystrokes: ${samples.length}`);
  console.log(`keystroke → results shown: p50 ${f(pct(samples, 50))}, p90 ${f(pct(samples, 90))}, p99 ${f(pct(samples, 99))}, max ${f(samples[samples.length - 1])}`);
} finally {
  await chrome.close();
  await server.stop();
}
