// Chromium end-to-end of 导入客户 and an export against the real core, on the demo
// registry whose user is 李娜: a team list (CSV) with a column the header names do not
// give away walks the wizard — columns recognised, the unknown one mapped by hand,
// preview with counts and the merged rows, the import, the report downloaded as .xlsx —
// then 我的客户 exports as CSV (UTF-8 with BOM) with the imported customer in it.
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { chooseOption } from "./harness.mjs";

const CSV = [
  "客户名称,联系人,对接手机,客户需求",
  "浙江云帆智能科技有限公司,周敏,13911112222,MES 系统",
  "宁波港湾冷链物流有限公司,吴刚,13922223333,冷库监控",
  "浙江云帆智能科技有限公司,周敏,13911112222,MES 二期",
].join("\n");

/** Steps of `t` on `page` (served by the real core at `server`); `shot` names a screenshot. */
export async function importAndExport({ t, page, server, shot, menu }) {
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

  await t.step("import wizard: the file's columns are recognised and one is mapped by hand", async () => {
    await menu("导入客户");
    await page.locator('input[type="file"]').setInputFiles({ name: "客户名单.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.getByTestId("import-dry-run").click();
    const mapping = page.getByTestId("import-mapping");
    await mapping.getByText("对接手机").waitFor();
    // 对接手机 is not a name the core knows: it starts as 不导入; the user makes it the phone.
    const row = mapping.locator("tr", { hasText: "对接手机" });
    await row.getByText("不导入").waitFor();
    await row.locator(".ant-select").click();
    await chooseOption(page, { title: "电话" });
    await shot("import-mapping.zh-CN");
  });

  await t.step("import wizard: the preview counts the customers and the rows merged in the file", async () => {
    await page.getByTestId("import-preview").click();
    await page.getByText(/试运行：将登记 2 个客户/).waitFor();
    await page.getByText(/文件内同一客户的行已合并：\(2, 4\)/).waitFor();
    const mine = await api("lead_list", { filter: "mine", search: "浙江云帆智能科技有限公司", limit: 10 });
    assert.equal(mine.items.length, 0, "a preview writes nothing");
    await shot("import-preview.zh-CN");
  });

  await t.step("import wizard: the import registers them, with the mapped phone; the report downloads as .xlsx", async () => {
    await page.getByTestId("import-run").click();
    await page.getByText(/^已登记 2 个客户/).waitFor();
    const mine = await api("lead_list", { filter: "mine", search: "浙江云帆智能科技有限公司", limit: 10 });
    assert.equal(mine.items.length, 1);
    assert.equal(mine.items[0].fields.phone, "13911112222", "the hand-mapped column filled the phone");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("import-report-download").click()]);
    assert.match(download.suggestedFilename(), /^导入报告-客户名单\.xlsx$/);
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.subarray(0, 2).toString("latin1"), "PK", "an .xlsx (zip) file");
    await shot("import-done.zh-CN");
  });

  await t.step("export: 我的客户 as CSV in UTF-8 with BOM, Chinese headers, the imported customer in it", async () => {
    await menu("我的客户");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-mine-csv").click()]);
    assert.match(download.suggestedFilename(), /^我的客户-\d{8}\.csv$/);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM for Excel");
    const text = bytes.toString("utf8");
    assert.ok(text.includes("客户编号,公司名称,联系人,电话"), text.slice(0, 200));
    assert.ok(text.includes("浙江云帆智能科技有限公司"));
    assert.ok(text.includes("13911112222"));
  });
}
