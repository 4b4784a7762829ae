// Chromium end-to-end of the director's cross-branch queue (跨分公司, docs/RULES.md
// rule 17) with a real hub: rep 李娜 of branch south and rep 王伟 of branch east
// register one customer, each unaware of the other (CLI laptops); the director 宗建,
// enrolled on the hub with both branches, opens the app on its own registry and lands
// on the queue filtered to cases across branches, with both branches and 待总监裁决;
// it decides from the case page with the usual decision form; east's manager (CLI)
// syncs and holds the director's decision.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { leadguardJson, startHub, startServer, appContext, pickOption } from "./harness.mjs";

const DIRECTOR = { id: "zong.jian", name: "宗建" };

/** Runs the scenario as steps of `t`; returns the console errors seen on its page. */
export async function directorQueue({ t, chrome, bin, hubBin, uiDir, shots, failPage }) {
  const root = mkdtempSync(join(tmpdir(), "lg-e2e-director-"));
  const consoleErrors = [];
  const handled4xx = /^Failed to load resource: the server responded with a status of 4\d\d /;
  let hub;
  let server;
  try {
    hub = await startHub({ hubBin, dataDir: join(root, "hub") });
    const cli = (who, args) => leadguardJson(bin, join(root, who), args);
    const laptop = (id, name, branch, role) => {
      cli(id, ["init", "--rep", id, "--name", name, "--branch", branch, "--role", role]);
      cli(id, ["enroll", "--hub", hub.url, "--token", hub.enroll(id, name, branch, role)]);
    };
    let caseId;

    await t.step("director: two branches register one customer; the director joins with both branches", async () => {
      laptop("chen.gang", "陈刚", "east", "manager");
      cli("chen.gang", ["rep", "add", "--id", "wang.wei", "--name", "王伟"]);
      cli("chen.gang", ["sync"]);
      laptop("zhou.min", "周敏", "south", "manager");
      cli("zhou.min", ["rep", "add", "--id", "li.na", "--name", "李娜"]);
      cli("zhou.min", ["sync"]);
      laptop("li.na", "李娜", "south", "rep");
      laptop("wang.wei", "王伟", "east", "rep");
      const add = (who, company, contact, phone) =>
        cli(who, ["lead", "add", "--company", company, "--contact", contact, "--phone", phone, "--need", "茶叶采购"]);
      add("li.na", "杭州西湖茶业有限公司", "龙井王", "137-9999-0000");
      add("wang.wei", "西湖茶业（杭州）", "钱塘客", "+86 137 9999 0000");
      for (const who of ["li.na", "wang.wei", "li.na", "chen.gang"]) cli(who, ["sync"]);
      const east = cli("chen.gang", ["collisions", "list"]).cases.find((c) => c.branches.length === 2);
      assert.ok(east, "east's manager holds the cross-branch case");
      assert.equal(east.decider, "director");
      caseId = east.id;

      const dir = join(root, DIRECTOR.id);
      cli(DIRECTOR.id, ["init", "--rep", DIRECTOR.id, "--name", DIRECTOR.name, "--branch", "south", "--role", "director"]);
      const token = execFileSync(
        hubBin,
        ["--data", join(root, "hub"), "enroll", "--rep", DIRECTOR.id, "--name", DIRECTOR.name, "--branches", "south,east", "--role", "director"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
      ).trim();
      cli(DIRECTOR.id, ["enroll", "--hub", hub.url, "--token", token]);
      cli(DIRECTOR.id, ["sync"]);
      server = await startServer({ bin, dataDir: dir, uiDir });
    });

    const context = await appContext(chrome);
    const page = await context.newPage();
    failPage(page);
    page.setDefaultTimeout(15_000);
    page.on("console", (m) => m.type() === "error" && !handled4xx.test(m.text()) && consoleErrors.push(`director: ${m.text()}`));
    page.on("pageerror", (e) => consoleErrors.push(`director: ${e}`));

    await t.step("director: the app opens on the 跨分公司 queue with both branches and 待总监裁决", async () => {
      await page.goto(server.url);
      await page.getByTestId("session").getByText(DIRECTOR.name).waitFor();
      const row = page.getByTestId("case-row");
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      await row.getByTestId("case-branches").getByText("east · south").waitFor();
      await row.getByText("待总监裁决").waitFor();
      await page.getByTestId("collisions-filter").getByText("跨分公司").waitFor();
      await page.screenshot({ path: join(shots, "director-queue.zh-CN.png"), animations: "disabled" });
    });

    await t.step("director: decides the case from its page with the decision form", async () => {
      await page.getByTestId("case-row").first().click();
      const form = page.getByTestId("decision-form");
      await form.waitFor();
      assert.equal(await page.getByTestId("case-awaiting-director").count(), 0, "the director is the decider");
      await form.getByText("指定归属").click();
      await pickOption(page, form.getByTestId("decide-owner"), "李娜");
      await form.getByTestId("decide-reason").fill("李娜先登记并已拜访，王伟的登记在后");
      await form.getByTestId("decide-submit").click();
      await page.getByText("裁决已记录，同步后各方可见").waitFor();
      await page.getByTestId("case-detail").getByTestId("case-state-decided").waitFor();
      await page.locator(".ant-drawer-open .ant-drawer-close").click();
      await page.getByRole("menuitem", { name: "同步" }).click();
      await page.getByTestId("sync-now").click();
      await page.getByTestId("sync-report").waitFor();
    });

    await t.step("director: east's manager syncs and holds the director's decision", async () => {
      cli("chen.gang", ["sync"]);
      const shown = cli("chen.gang", ["collisions", "show", caseId]);
      assert.equal(shown.resolution.state, "decided");
      assert.equal(shown.resolution.decisions[0].by, DIRECTOR.id);
    });
    await context.close();
    return consoleErrors;
  } finally {
    await server?.stop();
    await hub?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
