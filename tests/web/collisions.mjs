// Chromium end-to-end of collision review across three laptops and a real hub
// (`leadguard-hub`): each laptop is its own `leadguard serve` on its own registry, in
// its own browser context. Rep 李娜 registers a customer (a second typing warns, naming
// her); rep 王伟, never synced, registers the same customer spelled differently with no
// warning; both sync; the collision appears in the manager's queue with both reps; the
// manager reads the evidence and decides; 王伟 sees the decision and appeals; the
// manager sees the open appeal. With the hub stopped, the queue and case page still
// work. Screenshots of the queue, the case page (zh-CN, en) and the metrics dashboard.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { leadguardJson, startHub, startServer, appContext, pickOption } from "./harness.mjs";

const BRANCH = "sh";
const LINA = { id: "li.na", name: "李娜", role: "rep" };
const WANG = { id: "wang.wei", name: "王伟", role: "rep" };
const BOSS = { id: "zhang.jing", name: "张经理", role: "manager" };
// A second manager on a CLI-only laptop, to decide differently while offline.
const LIU = { id: "liu.min", name: "刘敏", role: "manager" };
const COMPANY_A = "上海华强电子有限公司";
const COMPANY_B = "华强电子(上海)";

/**
 * Runs the scenario as steps of `t` (the e2e runner). `chrome` is the launched browser;
 * returns the console errors seen on its pages (script errors, 5xx answers).
 */
export async function collisionReview({ t, chrome, bin, hubBin, uiDir, shots, failPage }) {
  const root = mkdtempSync(join(tmpdir(), "lg-e2e-collisions-"));
  const consoleErrors = [];
  const handled4xx = /^Failed to load resource: the server responded with a status of 4\d\d /;
  const servers = [];
  let hub;
  try {
    hub = await startHub({ hubBin, dataDir: join(root, "hub") });
    // Three laptops: each its registry (set up by the real CLI), its server, its browser context.
    const laptop = async (who) => {
      const dir = join(root, who.id);
      leadguardJson(bin, dir, ["init", "--rep", who.id, "--name", who.name, "--branch", BRANCH, "--role", who.role]);
      const server = await startServer({ bin, dataDir: dir, uiDir });
      servers.push(server);
      const context = await appContext(chrome);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on("console", (m) => m.type() === "error" && !handled4xx.test(m.text()) && consoleErrors.push(`${who.id}: ${m.text()}`));
      page.on("pageerror", (e) => consoleErrors.push(`${who.id}: ${e}`));
      await page.goto(server.url);
      await page.getByTestId("session").getByText(who.name).waitFor();
      return { dir, server, page };
    };
    const lina = await laptop(LINA);
    const wang = await laptop(WANG);
    const boss = await laptop(BOSS);

    const menu = (page, name) => page.getByRole("menuitem", { name }).click();
    const shot = (page, name) =>
      page.screenshot({ path: join(shots, `${name}.png`), animations: "disabled", style: ".ant-message { display: none !important; }" });
    const english = (page) => page.getByText("English", { exact: true }).first().click();
    const chinese = (page) => page.getByText("简体中文", { exact: true }).first().click();
    const closeDrawer = async (page) => {
      await page.locator(".ant-drawer-open .ant-drawer-close").click();
      await page.getByTestId("case-detail").waitFor({ state: "detached" });
    };
    const syncNow = async (page) => {
      await menu(page, "同步");
      await page.getByTestId("sync-now").click();
      await page.getByTestId("sync-report").waitFor();
    };

    await t.step("collisions: a real hub runs; 李娜 and the manager enrol with the CLI", async () => {
      assert.match(hub.url, /^http:\/\/127\.0\.0\.1:\d+/);
      for (const [who, dev] of [
        [LINA, lina],
        [BOSS, boss],
      ]) {
        const r = leadguardJson(bin, dev.dir, ["enroll", "--hub", hub.url, "--token", hub.enroll(who.id, who.name, BRANCH, who.role)]);
        assert.equal(r.branch, BRANCH);
        // The UI reads the session once: reload to see the hub.
        await dev.page.reload();
        await dev.page.getByTestId("session").getByText(who.name).waitFor();
      }
    });

    await t.step("collisions: 李娜 registers the customer; typing it again warns her it is her own", async () => {
      const page = lina.page;
      failPage(page);
      await menu(page, "新建线索");
      await page.getByTestId("lead-company").fill(COMPANY_A);
      await page.getByTestId("lead-contact").fill("张伟");
      await page.getByTestId("lead-phone").fill("13800138000");
      await page.getByTestId("lead-region").fill("上海");
      await page.getByTestId("lead-need").fill("年度采购 500 台");
      await page.getByTestId("dup-status").getByText("未发现重复客户").waitFor();
      await page.getByTestId("lead-submit").click();
      await page.getByText(`已登记：${COMPANY_A}`).waitFor();
      await menu(page, "新建线索");
      await page.getByTestId("lead-company").fill("华强电子");
      await page.getByTestId("lead-phone").fill("+86 138 0013 8000");
      await page.getByTestId("duplicate-warning").getByText(/这是您自己的客户，保护期至 .+/).waitFor();
      await syncNow(page);
    });

    await t.step("collisions: 王伟, offline (never synced), registers the same customer with no warning", async () => {
      const page = wang.page;
      failPage(page);
      await menu(page, "新建线索");
      await page.getByTestId("lead-company").fill(COMPANY_B);
      await page.getByTestId("lead-contact").fill("张 伟");
      await page.getByTestId("lead-phone").fill("+86 138-0013-8000");
      await page.getByTestId("lead-region").fill("上海");
      await page.getByTestId("lead-need").fill("采购工控机");
      await page.getByTestId("dup-status").getByText("未发现重复客户").waitFor();
      await page.getByTestId("lead-submit").click();
      await page.getByText(`已登记：${COMPANY_B}`).waitFor();
    });

    await t.step("collisions: 王伟 joins the hub from the Sync screen and syncs; his queue shows the case", async () => {
      const page = wang.page;
      await menu(page, "同步");
      await page.getByTestId("hub-url").fill(hub.url);
      await page.getByTestId("hub-token").fill(hub.enroll(WANG.id, WANG.name, BRANCH, WANG.role));
      await page.getByRole("button", { name: /加\s*入/ }).click();
      await page.getByTestId("sync-now").waitFor();
      await page.getByTestId("sync-now").click();
      await page.getByTestId("sync-report").waitFor();
      await menu(page, "撞单处理");
      const row = page.getByTestId("case-row").first();
      await row.getByText("李娜、王伟").waitFor();
      await row.getByText("待裁决").waitFor();
      assert.equal(await page.getByTestId("case-row").count(), 1);
      await syncNow(lina.page);
    });

    let caseId;
    await t.step("collisions: after sync the case is in the manager's queue with both reps, customer and SLA", async () => {
      const page = boss.page;
      failPage(page);
      await syncNow(page);
      await menu(page, "撞单处理");
      const row = page.getByTestId("case-row");
      await row.first().waitFor();
      assert.equal(await row.count(), 1, "exactly one case");
      await row.getByTestId("case-reps").getByText("李娜、王伟").waitFor();
      await row.getByText("重复登记").waitFor();
      await row.getByText("待裁决").waitFor();
      await row.getByTestId("case-customer").getByText(/华强电子/).waitFor();
      await row.getByTestId("sla").getByText(/剩余 \d+ 小时/).waitFor();
      const listed = leadguardJson(bin, boss.dir, ["collisions", "list"]);
      assert.equal(listed.cases.length, 1);
      assert.deepEqual(listed.cases[0].reps, [LINA.id, WANG.id]);
      caseId = listed.cases[0].id;
      await shot(page, "collisions.zh-CN");
    });

    await t.step("collisions: the case page shows each side's hub-time evidence, device time for reference, the match and the proposal", async () => {
      const page = boss.page;
      await page.getByTestId("case-row").first().click();
      const detail = page.getByTestId("case-detail");
      await detail.waitFor();
      assert.ok(new URL(page.url()).hash.endsWith(`/collisions/${caseId}`), "the case is in the address");
      assert.equal(await detail.getByTestId("case-side").count(), 2);
      const linaSide = detail.getByTestId("case-side").filter({ hasText: "李娜" });
      await linaSide.getByTestId("claim-window").getByText(/证据时间窗（服务器时间）：.+ 至 .+/).waitFor();
      await linaSide.getByTestId("claim-device-time").getByText(/设备时间\(仅供参考\)：/).waitFor();
      await linaSide.getByText("已生效").waitFor();
      // 王伟 registered before his laptop joined the hub: his window opens at his
      // enrolment (hub time), not at whatever his clock said.
      const wangSide = detail.getByTestId("case-side").filter({ hasText: "王伟" });
      await wangSide.getByTestId("claim-window").getByText(/证据时间窗（服务器时间）：.+ 至 .+/).waitFor();
      assert.equal(await wangSide.getByText(/此前该设备从未同步/).count(), 0, "the window has a lower end");
      await detail.getByTestId("case-duplicates").getByText(/相似度 \d+%/).waitFor();
      // 李娜's laptop was enrolled when she registered, so her customer's phone is
      // sealed; 王伟 registered before enrolling, in plain. Every enrolled laptop
      // matches them on the keyed digest of the phone: the same number (rule 12).
      await detail.getByTestId("case-duplicates").getByText("电话相同").waitFor();
      const explanation = await detail.getByTestId("proposal-explanation").innerText();
      assert.ok(/[\u4e00-\u9fff]/.test(explanation), `the proposal is explained in Chinese: ${explanation}`);
      await detail.getByTestId("decision-form").waitFor();
      await shot(page, "collision-case.zh-CN");
    });

    await t.step("collisions: in English the queue and the case page re-render, the proposal explained in English", async () => {
      const page = boss.page;
      // The drawer covers the header: switch with it closed.
      await closeDrawer(page);
      await page.getByTestId("case-detail").waitFor({ state: "detached" });
      await english(page);
      await page.getByTestId("case-row").first().getByText("Duplicate registrations").waitFor();
      await page.getByTestId("case-row").first().getByText("Open").waitFor();
      await shot(page, "collisions.en-US");
      await page.getByTestId("case-row").first().click();
      const detail = page.getByTestId("case-detail");
      await detail.getByText(/Evidence window \(hub time\): .+ to .+/).first().waitFor();
      await detail.getByText(/Device time \(for reference only\)/).first().waitFor();
      const explanation = await detail.getByTestId("proposal-explanation").innerText();
      assert.ok(/[A-Za-z]{3,}/.test(explanation), `the proposal is explained in English: ${explanation}`);
      await shot(page, "collision-case.en-US");
      await closeDrawer(page);
      await detail.waitFor({ state: "detached" });
      await chinese(page);
      await page.getByRole("menuitem", { name: "撞单处理" }).waitFor();
    });

    const liuDir = join(root, LIU.id);
    await t.step("collisions: a second manager's laptop (CLI) syncs and knows the case too", async () => {
      leadguardJson(bin, liuDir, ["init", "--rep", LIU.id, "--name", LIU.name, "--branch", BRANCH, "--role", LIU.role]);
      leadguardJson(bin, liuDir, ["enroll", "--hub", hub.url, "--token", hub.enroll(LIU.id, LIU.name, BRANCH, LIU.role)]);
      leadguardJson(bin, liuDir, ["sync"]);
      assert.deepEqual(leadguardJson(bin, liuDir, ["collisions", "list"]).cases.map((c) => c.id), [caseId]);
    });

    await t.step("collisions: a decision needs a reason; the manager makes 李娜 the owner", async () => {
      const page = boss.page;
      await page.getByTestId("case-row").first().click();
      const form = page.getByTestId("decision-form");
      await form.waitFor();
      await form.getByText("指定归属").click();
      await form.getByTestId("decide-submit").click();
      await form.getByText("请填写裁决理由").waitFor();
      await pickOption(page, form.getByTestId("decide-owner"), "李娜");
      await form.getByTestId("decide-reason").fill("李娜先登记且资料完整，王伟离线重复登记");
      await form.getByTestId("decide-submit").click();
      await page.getByText("裁决已记录，同步后各方可见").waitFor();
      const decided = page.getByTestId("case-decision").first();
      await decided.getByText("归属：李娜").waitFor();
      await page.getByTestId("case-detail").getByTestId("case-state-decided").waitFor();
      // Decided: the form folds to 已裁决 · 修改裁决 instead of staying open pre-filled.
      const folded = page.getByTestId("case-decided");
      await folded.getByText("已裁决").waitFor();
      await folded.getByText(/当前裁决：归属：李娜/).waitFor();
      assert.equal(await page.getByTestId("decision-form").count(), 0, "the form is folded");
      await shot(page, "collision-decided.zh-CN");
      await closeDrawer(page);
      await page.getByTestId("case-row").first().getByText("已裁决").waitFor();
      await syncNow(page);
      const shown = leadguardJson(bin, boss.dir, ["collisions", "show", caseId]);
      assert.equal(shown.resolution.state, "decided");
    });

    await t.step("collisions: the manager changes his own decision twice (修改裁决, then the CLI without naming it): never a conflict with himself", async () => {
      const page = boss.page;
      await menu(page, "撞单处理");
      await page.getByTestId("case-row").first().click();
      await page.getByTestId("decide-change").click();
      const form = page.getByTestId("decision-form");
      await form.getByTestId("decide-reason").fill("复核：维持李娜，补充拜访记录");
      await form.getByTestId("decide-submit").click();
      await page.getByTestId("case-decided").waitFor();
      // Seconds later on the same laptop, a decision that does not name the earlier one.
      leadguardJson(bin, boss.dir, ["collisions", "resolve", caseId, "--owner", LINA.id, "--reason", "再次确认：李娜"]);
      const shown = leadguardJson(bin, boss.dir, ["collisions", "show", caseId]);
      assert.equal(shown.resolution.state, "decided", "a manager's later decision replaces his own");
      assert.equal(shown.resolution.decisions.filter((d) => !d.superseded).length, 1);
      await closeDrawer(page);
      await page.getByTestId("collisions-refresh").click();
      await page.getByTestId("case-row").first().getByText("已裁决").waitFor();
      await page.getByTestId("case-row").first().click();
      await page.getByTestId("case-detail").getByTestId("case-state-decided").waitFor();
      assert.equal(await page.getByTestId("case-conflict").count(), 0, "no self-conflict");
      assert.equal(await page.getByText(/两位经理/).count(), 0);
      await closeDrawer(page);
      await syncNow(page);
    });

    await t.step("collisions: 刘敏 decided differently offline; after sync the case shows the conflict, and the manager settles it", async () => {
      // 刘敏 has not synced since before 张经理's decision: he decides on what he has.
      leadguardJson(bin, liuDir, ["collisions", "resolve", caseId, "--to-pool", "--reason", "双方均无有效跟进，归公"]);
      leadguardJson(bin, liuDir, ["sync"]);
      const page = boss.page;
      await syncNow(page);
      await menu(page, "撞单处理");
      const row = page.getByTestId("case-row").first();
      await row.getByText("裁决冲突").waitFor();
      await row.click();
      const conflict = page.getByTestId("case-conflict");
      await conflict.getByText("归属：李娜").waitFor();
      await conflict.getByText(/归公（回到公海）/).waitFor();
      await conflict.getByText("刘敏").waitFor();
      await shot(page, "collision-conflict.zh-CN");
      // Settle: the same owner, replacing 刘敏's decision.
      const form = page.getByTestId("decision-form");
      await form.getByText("指定归属").click();
      await pickOption(page, form.getByTestId("decide-owner"), "李娜");
      await pickOption(page, form.getByTestId("decide-supersedes"), "刘敏");
      await form.getByTestId("decide-reason").fill("维持原裁决：李娜先登记且资料完整");
      await form.getByTestId("decide-submit").click();
      await page.getByTestId("case-detail").getByTestId("case-state-decided").waitFor();
      await page.getByTestId("case-conflict").waitFor({ state: "detached" });
      await page.getByTestId("case-decision").filter({ hasText: "双方均无有效跟进，归公" }).getByText("已被取代").waitFor();
      await closeDrawer(page);
      await syncNow(page);
      leadguardJson(bin, liuDir, ["sync"]);
      assert.equal(leadguardJson(bin, liuDir, ["collisions", "show", caseId]).resolution.state, "decided", "刘敏's laptop agrees");
    });

    await t.step("collisions: 王伟 syncs, sees the decision and its reason, and appeals within the window", async () => {
      const page = wang.page;
      failPage(page);
      await syncNow(page);
      await menu(page, "撞单处理");
      await page.getByTestId("case-row").first().getByText("已裁决").waitFor();
      await page.getByTestId("case-row").first().click();
      const detail = page.getByTestId("case-detail");
      await detail.getByTestId("case-decision").getByText("归属：李娜").first().waitFor();
      await detail.getByText("李娜先登记且资料完整，王伟离线重复登记").waitFor();
      await detail.getByText(/可在 .+ 前申诉/).waitFor();
      assert.equal(await detail.getByTestId("decision-form").count(), 0, "reps do not decide");
      await page.getByTestId("appeal-open").click();
      await page.getByTestId("appeal-note").fill("我 3 月 1 日已上门拜访，有照片");
      await page.getByTestId("appeal-submit").click();
      await page.getByText("申诉已记录，同步后经理可见").waitFor();
      await detail.getByTestId("case-appeal").getByText("我 3 月 1 日已上门拜访，有照片").waitFor();
      await closeDrawer(page);
      await syncNow(page);
    });

    await t.step("collisions: the manager syncs and sees the open appeal in the queue", async () => {
      const page = boss.page;
      failPage(page);
      await syncNow(page);
      await menu(page, "撞单处理");
      await page.getByTestId("case-row").first().getByText("1 条申诉待处理").waitFor();
    });

    await t.step("collisions: the metrics dashboard charts the branch (ECharts heat map)", async () => {
      const page = boss.page;
      await menu(page, "指标");
      await page.getByTestId("kpi-dup-rate").waitFor();
      await page.getByTestId("heat-map").locator("canvas").first().waitFor();
      await shot(page, "metrics.zh-CN");
      await english(page);
      await page.getByTestId("kpi-dup-rate").getByText("Duplicate-claim rate").waitFor();
      await shot(page, "metrics.en-US");
      await chinese(page);
    });

    await t.step("collisions: with the hub stopped, the queue and the case page still work", async () => {
      await hub.stop();
      const page = boss.page;
      await page.reload();
      await menu(page, "撞单处理");
      await page.getByTestId("case-row").first().click();
      await page.getByTestId("case-detail").getByTestId("case-appeal").waitFor();
      await closeDrawer(page);
      await page.getByTestId("case-row").first().getByText("1 条申诉待处理").waitFor();
    });
    return consoleErrors;
  } finally {
    for (const s of servers) await s.stop();
    await hub?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
