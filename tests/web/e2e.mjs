// Chromium end-to-end test of the web build against the real core: `leadguard serve`
// on a temp registry, the built ui/dist, headless Debian Chromium. Asserts real
// behaviour and saves screenshots of the main screens (zh-CN and en) in --shots
// (default bench-out/screenshots; `make screenshots` points it at docs/screenshots/).
//
// Usage: node tests/web/e2e.mjs --bin PATH/leadguard --hub-bin PATH/leadguard-hub --ui ui/dist [--shots DIR]
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import assert from "node:assert/strict";
import { launchChromium, leadguardJson, runner, startServer, CHROMIUM, appContext } from "./harness.mjs";
import { collisionReview } from "./collisions.mjs";
import { directorQueue } from "./director.mjs";
import { managerWorkflows } from "./team.mjs";
import { importAndExport } from "./importing.mjs";
import { teamRules } from "./team_rules.mjs";

const { values: opt } = parseArgs({
  options: {
    bin: { type: "string" },
    ui: { type: "string" },
    shots: { type: "string", default: "bench-out/screenshots" },
    // leadguard-hub: the collision review phase syncs three laptops through a real hub.
    "hub-bin": { type: "string" },
  },
});
assert.ok(opt.bin && opt.ui && opt["hub-bin"], "--bin, --hub-bin and --ui are required");
const shots = resolve(opt.shots);
mkdirSync(shots, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), "lg-e2e-data-"));
const demoDir = join(mkdtempSync(join(tmpdir(), "lg-e2e-demo-")), "data");
let server;
let chrome;
let page;
// The last API calls of each watched page, printed on failure: they tell a click that
// never reached the core from a call that hung or failed.
const apiLog = new WeakMap();
function watch(p) {
  if (apiLog.has(p)) return;
  const log = [];
  apiLog.set(p, log);
  const started = Date.now();
  const keep = (line) => {
    log.push(`${((Date.now() - started) / 1000).toFixed(2)}s ${line}`);
    if (log.length > 40) log.shift();
  };
  const isApi = (url) => new URL(url).pathname.startsWith("/api/");
  p.on("request", (r) => isApi(r.url()) && keep(`→ ${r.method()} ${new URL(r.url()).pathname} ${(r.postData() ?? "").slice(0, 120)}`));
  p.on("response", (r) => isApi(r.url()) && keep(`← ${r.status()} ${new URL(r.url()).pathname}`));
  p.on("requestfailed", (r) => isApi(r.url()) && keep(`✗ ${new URL(r.url()).pathname} ${r.failure()?.errorText ?? ""}`));
}
const failPage = (p) => {
  page = p;
  watch(p);
};
// On failure, keep what the browser showed: a screenshot, the page text, the last API calls.
const failDir = resolve(process.env.CARGO_TARGET_DIR || tmpdir(), "web-e2e-failure");
const t = runner(`Chromium end-to-end (${CHROMIUM}, headless) against leadguard serve`, {
  onFail: async () => {
    if (!page) return;
    mkdirSync(failDir, { recursive: true });
    await page.screenshot({ path: join(failDir, "failure.png"), fullPage: true });
    console.log(`  page text at failure:\n${(await page.locator("body").innerText()).slice(0, 2000)}`);
    console.log(`  screenshot: ${join(failDir, "failure.png")}`);
    console.log(`  last API calls of this page:\n    ${(apiLog.get(page) ?? ["(not watched)"]).join("\n    ")}`);
  },
});
try {
  await t.step("the real CLI sees the empty data directory", async () => {
    const info = leadguardJson(opt.bin, dataDir, ["info"]);
    assert.equal(info.data_dir, dataDir);
  });
  server = await startServer({ bin: opt.bin, dataDir, uiDir: opt.ui });
  chrome = await launchChromium();
  const context = await appContext(chrome);
  failPage(await context.newPage());
  page.setDefaultTimeout(10_000);
  const consoleErrors = [];
  // Chromium logs every non-2xx fetch. 4xx answers are typed ApiErrors the UI handles
  // (e.g. `not_initialized` before set-up); 5xx answers and script errors fail the test.
  const handled4xx = /^Failed to load resource: the server responded with a status of 4\d\d /;
  page.on("console", (m) => m.type() === "error" && !handled4xx.test(m.text()) && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  // Toasts are transient: keep them out of the screenshots.
  const shot = (name) =>
    page.screenshot({ path: join(shots, `${name}.png`), animations: "disabled", style: ".ant-message { display: none !important; }" });
  const menu = (name) => page.getByRole("menuitem", { name }).click();

  await t.step("the app shell renders in zh-CN with the token taken from the URL", async () => {
    await page.goto(server.url);
    await page.getByText("撞单卫士", { exact: true }).waitFor();
    for (const label of ["工作台", "客户查询", "新建线索", "我的客户", "公海", "撞单处理", "同步", "指标", "设置"]) {
      await page.getByRole("menuitem", { name: label }).waitFor();
    }
    assert.equal(new URL(page.url()).searchParams.get("token"), null, "token must be removed from the address bar");
    // Not joined to a hub: the header says the data stays on this device.
    await page.getByTestId("online-state").getByText("仅本机").waitFor();
  });

  await t.step("an API call without the token is refused by the server", async () => {
    // A second tab of the same origin, so the expected 401 stays out of the app tab's console.
    const probe = await context.newPage();
    await probe.goto(`${server.origin}/favicon.svg`);
    const status = await probe.evaluate(async () => (await fetch("/api/app_info", { method: "POST", body: "null" })).status);
    assert.equal(status, 401);
    await probe.close();
  });

  await t.step("a fresh device is set up from the UI (init through the real core)", async () => {
    await page.getByText("初始化本机客户库").waitFor();
    await page.getByTestId("init-rep-id").fill("lina");
    await page.getByTestId("init-name").fill("李娜-华南");
    await page.getByTestId("init-branch").fill("华南");
    await page.getByTestId("init-submit").click();
    await page.getByTestId("session").getByText("李娜-华南").waitFor();
    // The first screen is the home screen (工作台), empty on a fresh device.
    await page.getByText("工作台 · 李娜-华南").waitFor();
    await page.getByTestId("home-expiring").getByText("24 小时内没有到期的客户").waitFor();
    assert.equal(await page.getByRole("menuitem", { name: "团队管理" }).count(), 0, "team management is a manager's menu");
  });

  await t.step("settings show the real core's data directory over the HTTP transport", async () => {
    await menu("设置");
    await page.getByTestId("data-dir").getByText(dataDir, { exact: true }).waitFor();
    await page.getByText("浏览器（本机回环 HTTP）").waitFor();
    await page.getByText("保护期（小时）").waitFor();
    await shot("settings.zh-CN");
  });

  const company = "深圳市腾达科技有限公司";
  await t.step("the core's validation stands beside the field: a phone without digits, a bad e-mail, a name too long", async () => {
    await menu("新建线索");
    const item = (testId) => page.locator(".ant-form-item").filter({ has: page.getByTestId(testId) });
    await page.getByTestId("lead-company").fill(company);
    await page.getByTestId("lead-contact").fill("王伟");
    await page.getByTestId("lead-need").fill("采购 200 台工控机");
    await page.getByTestId("lead-phone").fill("abc");
    await page.getByTestId("lead-submit").click();
    await item("lead-phone").getByText(/电话“abc”含有/).waitFor();
    await page.getByTestId("lead-phone").fill("139-1234-3333");
    await page.getByTestId("lead-email").fill("wangwei@");
    await page.getByTestId("lead-submit").click();
    await item("lead-email").getByText(/邮箱“wangwei@”不是有效地址/).waitFor();
    await page.getByTestId("lead-email").fill("");
    await page.getByTestId("lead-company").fill("腾".repeat(201));
    await page.getByTestId("lead-submit").click();
    await item("lead-company").locator(".ant-form-item-explain-error").waitFor();
    await shot("validation.zh-CN");
    // Nothing was registered by the refused attempts.
    const none = await page.evaluate(
      (token) =>
        fetch("/api/lead_list", { method: "POST", headers: { "content-type": "application/json", "x-leadguard-token": token }, body: JSON.stringify({ filter: "all" }) }).then((r) => r.json()),
      server.token,
    );
    assert.equal(none.total, 0, "a refused registration writes nothing");
  });

  await t.step("register a lead in the form; it is protected and listed under my customers", async () => {
    await menu("新建线索");
    await page.getByTestId("lead-company").fill(company);
    await page.getByTestId("lead-contact").fill("王伟");
    await page.getByTestId("lead-phone").fill("139-1234-3333");
    await page.getByTestId("lead-region").fill("深圳");
    await page.getByTestId("lead-need").fill("采购 200 台工控机");
    await page.getByTestId("dup-status").getByText("未发现重复客户").waitFor();
    await page.getByTestId("lead-submit").click();
    await page.getByText(`已登记：${company}`).waitFor();
    // Registration navigates to my customers.
    const row = page.getByTestId("lead-row").filter({ hasText: company });
    await row.waitFor();
    await row.getByText("保护中").waitFor();
    await row.getByTestId("countdown").getByText(/剩余 \d+ 天/).waitFor();
    await shot("my-customers.zh-CN");
  });

  await t.step("typing her own customer again warns at once, in the second person, with the protection end", async () => {
    await menu("新建线索");
    // Written differently: no 市, no 有限公司 — the dedup engine still knows it.
    await page.getByTestId("lead-company").fill("深圳腾达科技");
    const warning = page.getByTestId("duplicate-warning");
    await warning.getByText(/这是您自己的客户，保护期至 .+，无需重复登记/).waitFor();
    assert.equal(await warning.getByText(/【李娜-华南】/).count(), 0, "not 【李娜-华南】 in the third person");
    await warning.getByText("公司名称相同").waitFor();
    await page.getByTestId("lead-phone").fill("+86 139 1234 3333");
    await warning.getByText("电话相同").waitFor();
    await page.getByTestId("lead-submit").getByText("仍然登记").waitFor();
    await shot("new-lead-duplicate.zh-CN");
  });

  await t.step("registry search finds the customer with owner and protection status", async () => {
    await menu("客户查询");
    await page.getByTestId("search-input").fill("腾达");
    const row = page.getByTestId("lead-row").filter({ hasText: company });
    await row.getByText("李娜-华南").waitFor();
    await page.getByTestId("search-input").fill("不存在的公司名称");
    await page.getByText("没有匹配的客户").waitFor();
    await page.getByTestId("search-input").fill("腾达");
    await row.waitFor();
    await shot("search.zh-CN");
  });

  await t.step("a follow-up is recorded on my customer", async () => {
    await menu("我的客户");
    const row = page.getByTestId("lead-row").filter({ hasText: company });
    await row.getByTestId("followup").click();
    await page.getByTestId("followup-note").fill("上门拜访，确认需求");
    // Ant Design spaces out two-character button labels ("保 存").
    await page.locator(".ant-modal").getByRole("button", { name: /保\s*存/ }).click();
    // A visit extends protection, and the confirmation says until when.
    await page.getByText(/跟进已记录，保护期延长至/).waitFor();
    // The customer's record shows the registration and the follow-up, newest first.
    await row.getByText(company).click();
    const detail = page.getByTestId("lead-detail");
    await detail.getByText("上门拜访，确认需求").waitFor();
    await detail.getByText("跟进 · 拜访").waitFor();
    await detail.getByText("登记", { exact: true }).waitFor();
    await shot("customer-detail.zh-CN");
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });
  });

  await t.step("releasing the customer puts it in the public pool", async () => {
    const row = page.getByTestId("lead-row").filter({ hasText: company });
    await row.getByRole("button", { name: "放回公海" }).click();
    // The confirmation warns about the re-claim cooldown.
    await page.locator(".ant-popconfirm").getByText(/小时冷却期/).waitFor();
    await page.locator(".ant-popconfirm").getByRole("button", { name: "放回公海" }).click();
    await page.getByText("还没有客户").waitFor();
    await menu("公海");
    const pooled = page.getByTestId("lead-row").filter({ hasText: company });
    await pooled.getByText("公海").waitFor();
    await pooled.getByTestId("claim").waitFor();
    // The rep who released it is in the cooldown: the greyed button says until when.
    assert.match((await pooled.getByTestId("claim").getAttribute("aria-description")) ?? "", /才能再次认领/);
    await shot("pool.zh-CN");
  });

  await t.step("sync shows an honest state with no hub configured", async () => {
    await menu("同步");
    await page.getByTestId("sync-not-configured").waitFor();
    await shot("sync.zh-CN");
  });

  await t.step("switching to English re-renders every label", async () => {
    await page.getByText("English", { exact: true }).first().click();
    await page.getByRole("menuitem", { name: "Registry search" }).waitFor();
    await menu("Registry search");
    await page.getByTestId("search-input").fill("腾达");
    await page.getByTestId("lead-row").filter({ hasText: company }).getByText("Public pool").waitFor();
    await shot("search.en-US");
    await menu("New lead");
    await page.getByTestId("lead-company").fill("深圳腾达科技");
    await page.getByTestId("duplicate-warning").getByText("This customer is in the public pool and can be claimed").waitFor();
    await shot("new-lead-duplicate.en-US");
    await menu("Settings");
    await page.getByText("Browser (loopback HTTP)").waitFor();
    await shot("settings.en-US");
    await page.getByText("简体中文", { exact: true }).first().click();
    await page.getByRole("menuitem", { name: "客户查询" }).waitFor();
  });

  // Second device: a demo registry seeded by the real CLI, where other reps own
  // customers — the case the duplicate warning exists for.
  await t.step("the real CLI seeds a demo registry (leadguard demo --as lina)", async () => {
    const summary = leadguardJson(opt.bin, demoDir, ["demo", "--leads", "200", "--as", "lina"]);
    assert.equal(summary.created, true);
    assert.equal(summary.session_rep, "lina");
    assert.ok(summary.leads >= 100, `demo seeded ${summary.leads} leads`);
  });
  await server.stop();
  server = await startServer({ bin: opt.bin, dataDir: demoDir, uiDir: opt.ui });
  await page.goto(server.url);
  await page.getByTestId("session").getByText("李娜").waitFor();

  await t.step("the demo opens on 李娜's home screen: a reminder, the case naming her, her appeal, recent activity", async () => {
    await page.getByText("工作台 · 李娜").waitFor();
    await page.getByTestId("home-reminder").getByText(/您有 \d+ 个客户的保护期将在 24 小时内结束/).waitFor();
    await page.getByTestId("home-expiring").getByText("佛山市瑞丰家具有限公司").waitFor();
    await page.getByTestId("home-cases").getByTestId("home-case").filter({ hasText: "王强" }).waitFor();
    await page.getByTestId("home-appeals").getByTestId("home-case").filter({ hasText: "陈静" }).waitFor();
    await page.getByTestId("home-activity").getByText("保护期即将结束").first().waitFor();
    await shot("home.zh-CN");
    await page.getByText("English", { exact: true }).first().click();
    await page.getByText("Home · 李娜").waitFor();
    await shot("home.en-US");
    await page.getByText("简体中文", { exact: true }).first().click();
    await page.getByText("工作台 · 李娜").waitFor();
  });

  // A customer someone else protects, as the core reports it to this device.
  const all = await page.evaluate(async (token) => {
    const res = await fetch("/api/lead_list", {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadguard-token": token },
      body: JSON.stringify({ filter: "all", limit: 1000 }),
    });
    return res.json();
  }, server.token);
  const others = all.items.find((l) => l.state === "protected" && l.masked && l.owner_name && l.fields.company);
  assert.ok(others, "the demo registry has a customer protected by another rep");
  const theirs = others.fields.company;

  await t.step("search shows another rep's customer with its owner, contact details masked", async () => {
    await menu("客户查询");
    await page.getByTestId("search-input").fill(theirs);
    const row = page.getByTestId("lead-row").filter({ hasText: theirs }).first();
    await row.getByText(others.owner_name, { exact: true }).waitFor();
    await row.getByText("保护中").waitFor();
    assert.ok((await row.locator(".lg-masked").count()) > 0, "contact details are masked");
    await page.getByTestId("search-input").fill("");
    await page.getByTestId("lead-row").nth(10).waitFor();
    await shot("search.zh-CN");
  });

  await t.step("typing that customer in a new lead names its owner and protection end", async () => {
    await menu("新建线索");
    await page.getByTestId("lead-company").fill(theirs);
    const warning = page.getByTestId("duplicate-warning");
    await warning.getByText(new RegExp(`该客户正在由【${others.owner_name}】跟进，保护期至 .+`)).waitFor();
    await page.getByTestId("lead-need").fill("年度采购");
    await page.getByTestId("lead-submit").getByText("仍然登记").waitFor();
    await shot("new-lead-duplicate.zh-CN");
    await page.getByText("English", { exact: true }).first().click();
    await warning.getByText(new RegExp(`This customer is followed by 【${others.owner_name}】, protected until .+`)).waitFor();
    await shot("new-lead-duplicate.en-US");
    await page.getByText("简体中文", { exact: true }).first().click();
  });

  await t.step("仍然登记 asks first: whom it collides with, a reason, 查看该客户 / 申请协作; the new lead says a case is open", async () => {
    await menu("新建线索");
    await page.getByTestId("lead-company").fill(theirs);
    await page.getByTestId("lead-contact").fill("赵敏");
    await page.getByTestId("lead-phone").fill("137-0000-1234");
    await page.getByTestId("lead-need").fill("年度采购");
    await page.getByTestId("duplicate-warning").getByText(new RegExp(`该客户正在由【${others.owner_name}】跟进`)).waitFor();
    await page.getByTestId("lead-submit").getByText("仍然登记").click();
    // Not one click: a confirmation names the owner and the protection end, no contacts.
    const dialog = page.getByTestId("ack-dialog");
    await dialog.getByTestId("ack-match").filter({ hasText: theirs }).getByText(`负责人：${others.owner_name}`).waitFor();
    await dialog.getByText(/保护期至 .+/).first().waitFor();
    await dialog.getByText("他人客户的联系方式不显示").waitFor();
    await page.getByTestId("ack-view").waitFor();
    await page.getByTestId("ack-collaborate").waitFor();
    await page.getByTestId("ack-confirm").click();
    await page.getByText("请填写登记理由，经理裁决时会看到").waitFor();
    await page.getByTestId("ack-reason").fill("客户主动来电，指定由我对接");
    await shot("register-anyway.zh-CN");
    await page.getByTestId("ack-confirm").click();
    await page.getByText("已登记，撞单案件已提交经理裁决").waitFor();
    // The new lead opens: its page says a case is open and names the customer warned about.
    const detail = page.getByTestId("lead-detail");
    await detail.getByTestId("lead-case").getByText(new RegExp(`该客户有撞单案件待经理裁决（涉及 .*${others.owner_name}`)).waitFor();
    await detail.getByText("看到查重提醒后仍登记").waitFor();
    await detail.getByText("理由：客户主动来电，指定由我对接").waitFor();
    await detail.getByTestId("acknowledged-leads").getByText(new RegExp(`提醒涉及：${theirs}（${others.owner_name} 跟进）`)).waitFor();
    assert.equal(await detail.getByText(others.id).count(), 0, "no raw lead id in the history");
    await shot("lead-acknowledged.zh-CN");
    // The core stored it as evidence on the new lead: the lead warned about and the reason.
    const mine = await page.evaluate(async ({ token, company }) => {
      const post = (cmd, body) =>
        fetch(`/api/${cmd}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-leadguard-token": token },
          body: JSON.stringify(body),
        }).then((r) => r.json());
      const list = await post("lead_list", { filter: "mine", search: company, limit: 10 });
      return post("lead_get", { id: list.items[0].id });
    }, { token: server.token, company: theirs });
    const ack = mine.history.find((e) => e.kind === "duplicate_acknowledged");
    assert.ok(ack, `history of the new lead: ${mine.history.map((e) => e.kind)}`);
    assert.ok(ack.acknowledged.includes(others.id), `acknowledged ${ack.acknowledged}, warned about ${others.id}`);
    assert.equal(ack.note, "客户主动来电，指定由我对接");
    assert.equal(mine.cases.length, 1, "one collision case on the new lead");
    // 查看案件 opens the case page.
    await detail.getByTestId("lead-case-open").click();
    // The case page puts the reason on her side, where the manager reads it.
    await page.getByTestId("case-detail").getByTestId("case-acknowledged").getByText("理由：客户主动来电，指定由我对接").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("case-detail").waitFor({ state: "detached" });
  });

  await t.step("lists page through every customer with the total; the pool searches and filters by region", async () => {
    await menu("客户查询");
    await page.getByTestId("search-input").fill("");
    const all = await page.evaluate(
      (token) =>
        fetch("/api/lead_list", { method: "POST", headers: { "content-type": "application/json", "x-leadguard-token": token }, body: JSON.stringify({ limit: 1 }) }).then((r) => r.json()),
      server.token,
    );
    await page.getByTestId("list-total").getByText(`共 ${all.total} 个客户`).waitFor();
    const first = await page.getByTestId("lead-row").first().getAttribute("data-lead-id");
    // The next page: the next 20 customers, the same total.
    await page.getByTestId("list-pager").locator(".ant-pagination-next").click();
    await page.getByTestId("list-pager").locator(".ant-pagination-item-active.ant-pagination-item-2").waitFor();
    await page.waitForFunction(
      ([n, id]) => {
        const rows = [...document.querySelectorAll("[data-testid=lead-row]")];
        return rows.length === n && !rows.some((r) => r.getAttribute("data-lead-id") === id);
      },
      [Math.min(20, all.total - 20), first],
    );
    await page.getByTestId("list-total").getByText(`共 ${all.total} 个客户`).waitFor();
    await shot("search-paged.zh-CN");
    await menu("公海");
    const pool = await page.evaluate(
      (token) =>
        fetch("/api/lead_list", { method: "POST", headers: { "content-type": "application/json", "x-leadguard-token": token }, body: JSON.stringify({ filter: "pool", limit: 1 }) }).then((r) => r.json()),
      server.token,
    );
    await page.getByTestId("list-total").getByText(`共 ${pool.total} 个客户`).waitFor();
    // Who followed a pooled customer before, not a column of dashes.
    await page.getByText("原负责人").waitFor();
    const before = pool.items[0].previous_owner_name;
    assert.ok(before, "the demo's pooled customers had owners");
    await page.getByTestId("lead-row").first().getByText(before, { exact: true }).waitFor();
    await page.getByTestId("pool-region").fill("华南");
    const south = await page.evaluate(
      (token) =>
        fetch("/api/lead_list", { method: "POST", headers: { "content-type": "application/json", "x-leadguard-token": token }, body: JSON.stringify({ filter: "pool", region: "华南", limit: 1 }) }).then((r) => r.json()),
      server.token,
    );
    assert.ok(south.total < pool.total, `华南 narrows the pool (${south.total} of ${pool.total})`);
    if (south.total > 0) await page.getByTestId("list-total").getByText(`共 ${south.total} 个客户`).waitFor();
    else await page.getByText("没有符合条件的公海客户").waitFor();
    await shot("pool-filtered.zh-CN");
    await page.getByTestId("pool-region").fill("");
    await page.getByTestId("list-total").getByText(`共 ${pool.total} 个客户`).waitFor();
  });

  await t.step("my customers and the pool of the demo registry", async () => {
    await menu("我的客户");
    await page.getByTestId("lead-row").first().getByText("李娜").waitFor();
    await shot("my-customers.zh-CN");
    await menu("公海");
    await page.getByTestId("lead-row").first().getByText("公海").waitFor();
    await shot("pool.zh-CN");
    await page.getByText("English", { exact: true }).first().click();
    await page.getByTestId("lead-row").first().getByText("Public pool").waitFor();
    await shot("pool.en-US");
    await menu("My customers");
    await page.getByTestId("lead-row").first().waitFor();
    await shot("my-customers.en-US");
    await page.getByText("简体中文", { exact: true }).first().click();
  });

  // 导入客户 walked as a wizard, then an export (tests/web/importing.mjs).
  await importAndExport({ t, page, server, shot, menu });

  // A manager completes, edits, filters the team list, adds a member, hands over (tests/web/team.mjs).
  consoleErrors.push(...(await managerWorkflows({ t, chrome, bin: opt.bin, uiDir: opt.ui, shots, failPage })));

  // Team rules: relations between customers (tests/web/team_rules.mjs).
  consoleErrors.push(...(await teamRules({ t, chrome, bin: opt.bin, uiDir: opt.ui, shots, failPage })));

  // Collision review across three laptops and a real hub (tests/web/collisions.mjs).
  const collisionErrors = await collisionReview({
    t,
    chrome,
    bin: opt.bin,
    hubBin: opt["hub-bin"],
    uiDir: opt.ui,
    shots,
    failPage,
  });
  consoleErrors.push(...collisionErrors);

  // The director's cross-branch queue (跨分公司) with a real hub (tests/web/director.mjs).
  consoleErrors.push(
    ...(await directorQueue({ t, chrome, bin: opt.bin, hubBin: opt["hub-bin"], uiDir: opt.ui, shots, failPage })),
  );

  await t.step("no script errors or 5xx answers in the browser console", async () => {
    assert.deepEqual(consoleErrors, []);
  });
  t.done();
} finally {
  await chrome?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(demoDir, { recursive: true, force: true });
}
