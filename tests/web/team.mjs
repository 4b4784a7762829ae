// Chromium end-to-end of the manager's day against the real core: on a demo registry
// whose user is the manager 张伟, a registration without contact details waits under
// 待补全 and completing it makes it his customer; he edits it from its drawer; the team
// customer list narrows by owner, state and expiry; he adds a member and hands 王强's
// customers over to 陈静 after a confirmation that names how many move (王强 is then
// marked as left).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { leadguardJson, startServer, appContext, pickOption } from "./harness.mjs";

const COMPANY = "佛山市顺联精密五金有限公司";

/**
 * Runs the scenario as steps of `t` (the e2e runner) in a new context of `chrome`;
 * returns the console errors seen (script errors, 5xx answers).
 */
export async function managerWorkflows({ t, chrome, bin, uiDir, shots, failPage }) {
  const root = mkdtempSync(join(tmpdir(), "lg-e2e-team-"));
  const consoleErrors = [];
  const handled4xx = /^Failed to load resource: the server responded with a status of 4\d\d /;
  let server;
  try {
    await t.step("the real CLI seeds a demo registry for the manager (leadguard demo --as zhangwei)", async () => {
      const summary = leadguardJson(bin, join(root, "data"), ["demo", "--leads", "200", "--as", "zhangwei"]);
      assert.equal(summary.session_rep, "zhangwei");
    });
    server = await startServer({ bin, dataDir: join(root, "data"), uiDir });
    const context = await appContext(chrome);
    const page = await context.newPage();
    failPage(page);
    page.setDefaultTimeout(15_000);
    page.on("console", (m) => m.type() === "error" && !handled4xx.test(m.text()) && consoleErrors.push(`team: ${m.text()}`));
    page.on("pageerror", (e) => consoleErrors.push(`team: ${e}`));
    const menu = (name) => page.getByRole("menuitem", { name }).click();
    const shot = (name) =>
      page.screenshot({ path: join(shots, `${name}.png`), animations: "disabled", style: ".ant-message { display: none !important; }" });
    const api = (cmd, body) =>
      page.evaluate(
        ({ token, cmd, body }) =>
          fetch(`/api/${cmd}`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-leadguard-token": token },
            body: JSON.stringify(body),
          }).then((r) => r.json()),
        { token: server.token, cmd, body },
      );
    // antd Select: the option shown as `label`.
    const pick = (testId, label) => pickOption(page, page.getByTestId(testId), { title: label });
    const rows = () => page.getByTestId("lead-row");
    await page.goto(server.url);
    await page.getByTestId("session").getByText("张伟").waitFor();

    await t.step("the manager's home screen: the team's expiring customers, the case to decide, the open appeal", async () => {
      await page.getByText("工作台 · 张伟").waitFor();
      await page.getByTestId("home-cases").getByTestId("home-case").filter({ hasText: "腾达" }).waitFor();
      await page.getByTestId("home-appeals").getByTestId("home-case").filter({ hasText: "恒信" }).waitFor();
      await page.getByTestId("home-reminder").getByText(/团队有 \d+ 个客户的保护期将在 24 小时内结束/).waitFor();
      await shot("home-manager.zh-CN");
    });

    await t.step("the demo's user switches in the header (demo registries only), and back", async () => {
      await pick("demo-user", "李娜");
      await page.getByTestId("session").getByText("李娜").waitFor();
      await page.getByText("工作台 · 李娜").waitFor();
      assert.equal(await page.getByRole("menuitem", { name: "团队管理" }).count(), 0, "李娜 is a rep");
      await pick("demo-user", "张伟（经理）");
      await page.getByTestId("session").getByText("张伟").waitFor();
      await page.getByRole("menuitem", { name: "团队管理" }).waitFor();
    });

    await t.step("a registration without contact details waits under 待补全; completing it makes it mine", async () => {
      await menu("新建线索");
      await page.getByTestId("lead-company").fill(COMPANY);
      await page.getByTestId("lead-need").fill("采购精密五金配件");
      await page.getByTestId("dup-status").getByText("未发现重复客户").waitFor();
      await page.getByTestId("lead-submit").click();
      await page.getByText(/尚未构成报备。缺少：联系人 或 电话/).waitFor();
      await page.getByTestId("tab-incomplete").getByText("待补全 (1)").waitFor();
      // 我的客户 is the manager's own: its expiring count is his, not the team's.
      const own = await api("lead_list", { filter: "expiring", owner: "zhangwei", limit: 1 });
      const team = await api("lead_list", { filter: "expiring", limit: 1 });
      assert.ok(team.total > own.total, `the demo team has expiring customers (${team.total}) beyond the manager's (${own.total})`);
      await page.getByText(`即将到期 (${own.total})`).waitFor();
      await page.getByTestId("tab-incomplete").click();
      const row = rows().filter({ hasText: COMPANY });
      await row.getByTestId("complete").click();
      await page.getByTestId("edit-missing").getByText(/尚缺：联系人 或 电话/).waitFor();
      await page.getByTestId("edit-phone").fill("13712345678");
      await shot("lead-complete.zh-CN");
      await page.getByTestId("edit-submit").click();
      await page.getByText(/资料已补全，报备成功，保护期至/).waitFor();
      await page.getByTestId("tab-incomplete").getByText("待补全 (0)").waitFor();
      await page.getByText("全部", { exact: true }).click();
      await rows().filter({ hasText: COMPANY }).getByText("保护中").waitFor();
      const list = await api("lead_list", { filter: "mine", search: COMPANY });
      assert.equal(list.items[0]?.owner, "zhangwei", "completing claimed the lead for the one who completed it");
    });

    await t.step("the owner edits the customer from its drawer", async () => {
      await rows().filter({ hasText: COMPANY }).getByText(COMPANY).click();
      const detail = page.getByTestId("lead-detail");
      await detail.waitFor();
      await page.getByTestId("lead-edit").click();
      await page.getByTestId("edit-contact").fill("刘洋");
      await page.getByTestId("edit-submit").click();
      await page.getByText("客户资料已更新").waitFor();
      await detail.getByText("刘洋", { exact: true }).waitFor();
      await detail.getByText("修改资料").first().waitFor();
      await shot("customer-edited.zh-CN");
      await page.keyboard.press("Escape");
      await detail.waitFor({ state: "detached" });
    });

    await t.step("the team customer list narrows by owner, state and expiry", async () => {
      await menu("团队管理");
      await rows().first().waitFor();
      await pick("team-owner", "王强");
      const wang = await api("lead_list", { filter: "team", owner: "wangqiang", limit: 1000 });
      assert.ok(wang.total > 0, "王强 owns customers in the demo");
      await page.waitForFunction(
        (n) => document.querySelectorAll("[data-testid=lead-row]").length === n,
        Math.min(wang.total, 50),
      );
      await page.getByTestId("list-total").getByText(`共 ${wang.total} 个客户`).waitFor();
      for (const text of await rows().allInnerTexts()) assert.ok(text.includes("王强"), `a row of 王强's list: ${text}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot("team-customers.zh-CN");
      await page.getByTestId("team-owner").hover();
      await page.getByTestId("team-owner").locator(".ant-select-clear").click();
      await pick("team-state", "公海");
      const pool = await api("lead_list", { filter: "team", state: "pool", limit: 1 });
      assert.ok(pool.total > 0, "the demo has pool customers");
      await page.waitForFunction(
        (n) => {
          const r = [...document.querySelectorAll("[data-testid=lead-row]")];
          return r.length === n && r.every((row) => row.textContent.includes("公海"));
        },
        Math.min(pool.total, 50),
      );
      await page.getByTestId("team-expiring").click();
      const expiring = await api("lead_list", { filter: "expiring", limit: 1000 });
      if (expiring.total === 0) await page.getByText("没有符合条件的客户").waitFor();
      else await page.waitForFunction((n) => document.querySelectorAll("[data-testid=lead-row]").length === n, Math.min(expiring.total, 50));
      await page.getByTestId("team-expiring").click();
    });

    await t.step("the heat map colours a customer by touches: three on one day is red", async () => {
      // The manager's own customer, touched three times today: registered, called, visited.
      const added = await api("lead_add", { fields: { company: "佛山市热力测试有限公司", contact: "黄敏", phone: "13922223333", need: "测试热力图" } });
      for (const kind of ["call", "visit"]) await api("followup_add", { id: added.lead.id, kind, note: "跟进" });
      await menu("指标");
      const canvas = page.getByTestId("heat-map").locator("canvas").first();
      await canvas.waitFor();
      // The ≥3 colour (#f5222d) is painted; cells of one rep are not left pale.
      await page.waitForFunction(() => {
        const c = document.querySelector("[data-testid=heat-map] canvas");
        if (!c) return false;
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.abs(d[i] - 245) < 6 && Math.abs(d[i + 1] - 34) < 6 && Math.abs(d[i + 2] - 45) < 6) return true;
        }
        return false;
      });
      await shot("metrics-heat.zh-CN");
      await menu("团队管理");
    });

    await t.step("a manager adds a member", async () => {
      await page.getByTestId("tab-reps").click();
      await page.getByTestId("rep-add").click();
      await page.getByTestId("rep-id").fill("zhaolei");
      await page.getByTestId("rep-name").fill("赵磊");
      await page.getByTestId("rep-region").fill("佛山");
      await page.getByTestId("rep-submit").click();
      await page.getByText("已添加：赵磊").waitFor();
      await page.getByTestId("rep-row").filter({ hasText: "zhaolei" }).waitFor();
      const reps = await api("rep_list", null);
      assert.ok(reps.reps.some((r) => r.id === "zhaolei" && r.name === "赵磊" && r.role === "rep"));
    });

    await t.step("离职交接: the confirmation names how many customers move; all of them do", async () => {
      const before = await api("lead_list", { filter: "team", owner: "wangqiang", limit: 1 });
      const chen = await api("lead_list", { filter: "team", owner: "chenjing", limit: 1 });
      await page.getByTestId("rep-row").filter({ hasText: "wangqiang" }).getByTestId("handover").click();
      const count = page.getByTestId("handover-count");
      await count.getByText(`【王强】名下共有 ${before.total} 个客户待交接。`).waitFor();
      await pick("handover-to", "陈静（chenjing）");
      await count.getByText(`将把【王强】名下的 ${before.total} 个客户（保护中及已成交）全部移交给【陈静】，由其继续跟进；【王强】的账号随后停用。`).waitFor();
      await shot("handover.zh-CN");
      await page.getByTestId("handover-confirm").click();
      await page.getByText(`已将 ${before.total} 个客户移交给 陈静，王强 的账号已停用`).waitFor();
      await page.getByTestId("rep-row").filter({ hasText: "wangqiang" }).getByText("已停用").waitFor();
      const after = await api("lead_list", { filter: "team", owner: "wangqiang", limit: 1 });
      const chenAfter = await api("lead_list", { filter: "team", owner: "chenjing", limit: 1 });
      assert.equal(after.total, 0);
      assert.equal(chenAfter.total, chen.total + before.total);
      await page.getByText("English", { exact: true }).first().click();
      await page.getByText("Team customers").click();
      await page.getByTestId("lead-row").first().waitFor();
      await shot("team-customers.en-US");
      await page.getByText("简体中文", { exact: true }).first().click();
      await page.getByRole("menuitem", { name: "团队管理" }).waitFor();
    });
    await context.close();
  } finally {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return consoleErrors;
}
