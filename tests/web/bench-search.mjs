// Browser benchmark (a harness that prints figures, not a pass/fail test): how long from
// a keystroke in the registry search box until the table shows the results for the new
// text, in headless Chromium against the real `leadguard serve` on a large registry.
//
// Usage: node tests/web/bench-search.mjs --bin target/debug/leadguard --ui ui/dist --data DIR [--queries 30]
// Each query is typed one character at a time (up to 4 characters of a real company
// name, after its city prefix); every keystroke is one sample. Times include Playwright's
// round trips to the browser, so they are an upper bound of what a user sees; the
// in-page figure (input event → the next frame after the results are in the DOM) is
// what the user sees, measured by the page's own clock.
//
// The peer, in the same run: the same queries as bare `lead_list` calls from the page
// (fetch + JSON, no rendering), so the figure splits into core time and UI time.
import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { launchChromium, startServer, CHROMIUM } from "./harness.mjs";

const { values: opt } = parseArgs({
  options: {
    bin: { type: "string" },
    ui: { type: "string" },
    data: { type: "string" },
    queries: { type: "string", default: "30" },
    leads: { type: "string" },
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

  // In-page clock, without Playwright's round trips: from the input event to the frame
  // after the results for that text are in the DOM (what the user sees painted).
  await page.evaluate(() => {
    window.__lgBench = { typedAt: new Map(), shown: [] };
    document.addEventListener("input", (e) => window.__lgBench.typedAt.set(e.target.value.trim(), performance.now()), true);
    const target = document.querySelector("[data-testid=search-results]");
    new MutationObserver(() => {
      const q = target.getAttribute("data-query") ?? "";
      const t0 = window.__lgBench.typedAt.get(q);
      if (q === "" || t0 === undefined) return;
      window.__lgBench.typedAt.delete(q);
      requestAnimationFrame(() => setTimeout(() => window.__lgBench.shown.push(performance.now() - t0), 0));
    }).observe(target, { attributes: true, attributeFilter: ["data-query"] });
  });
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
  const inPage = (await page.evaluate(() => window.__lgBench.shown)).sort((a, b) => a - b);
  // Peer: the API alone, same prefixes, from inside the page.
  const prefixes = queries.flatMap((chars) => chars.map((_, i) => chars.slice(0, i + 1).join("")));
  const api = await page.evaluate(async ({ token, prefixes }) => {
    const out = [];
    for (const search of prefixes) {
      const t0 = performance.now();
      const res = await fetch("/api/lead_list", {
        method: "POST",
        headers: { "content-type": "application/json", "x-leadguard-token": token },
        body: JSON.stringify({ filter: "all", search, limit: 20 }),
      });
      await res.json();
      out.push([performance.now() - t0, search]);
    }
    return out;
  }, { token: server.token, prefixes });
  samples.sort((a, b) => a - b);
  const slowest = [...api].sort((a, b) => b[0] - a[0]).slice(0, 5);
  const apiMs = api.map(([ms]) => ms).sort((a, b) => a - b);
  const byChars = (n) => api.filter(([, q]) => [...q].length === n).map(([ms]) => ms).sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`\n=== Browser search benchmark (${CHROMIUM}, headless) ===`);
  const leads = opt.leads ? Number(opt.leads).toLocaleString("en-US") : `${Number(total).toLocaleString("en-US")}+`;
  console.log(`registry: ${leads} leads in ${opt.data}`);
  console.log(`queries: ${queries.length} (e.g. ${queries.slice(0, 3).map((q) => q.join("")).join(", ")}), keystrokes: ${samples.length}`);
  console.log(`keystroke → results shown: p50 ${f(pct(samples, 50))}, p90 ${f(pct(samples, 90))}, p99 ${f(pct(samples, 99))}, max ${f(samples[samples.length - 1])}`);
  console.log(`in-page (input event → next frame with the results): p50 ${f(pct(inPage, 50))}, p90 ${f(pct(inPage, 90))}, p99 ${f(pct(inPage, 99))}, max ${f(inPage[inPage.length - 1])} (${inPage.length} samples)`);
  console.log(`peer, lead_list API alone (fetch + JSON, no rendering): p50 ${f(pct(apiMs, 50))}, p90 ${f(pct(apiMs, 90))}, p99 ${f(pct(apiMs, 99))}, max ${f(apiMs[apiMs.length - 1])}`);
  for (const n of [1, 2, 3, 4]) {
    const s = byChars(n);
    if (s.length) console.log(`  ${n}-character queries (${s.length}): p50 ${f(pct(s, 50))}, p99 ${f(pct(s, 99))}`);
  }
  console.log(`  slowest: ${slowest.map(([ms, q]) => `${q} ${f(ms)}`).join(", ")}`);
} finally {
  await chrome.close();
  await server.stop();
}
