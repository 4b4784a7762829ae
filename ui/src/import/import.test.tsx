import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { fakeCore, SESSION } from "../test/fakeCore";
import { renderScreen } from "../test/renderScreen";
import { fileBase64, ImportScreen } from "./ImportScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const SUMMARY = {
  file_name: "客户名单.xlsx",
  sheet: "客户",
  header_row: 2,
  columns: [["客户名称", "company"], ["手机号码", "phone"]],
  ignored_columns: ["序号"],
  rows_read: 6,
  customers: 5,
  registered: [{ rows: [3, 5], company: "广州腾达电子有限公司", lead_id: null, owner: "lina" }],
  merged_in_file: [[3, 5]],
  already_known: [],
  matches: [{ rows: [6], company: "佛山南方家具厂", lead_id: "L1", owner_name: "王伟", protected_until: "2026-12-03T08:00:00Z", score: 0.97, registered: false }],
  broken: [{ row: 7, error: { code: "invalid_argument", reason: "field_required", params: { field: "company" }, message: "company is required" } }],
  dry_run: true,
};

/** Picks `label` in the antd Select of mapping row `i`. */
async function choose(i: number, label: string) {
  const select = screen.getByTestId(`import-map-${i}`);
  fireEvent.mouseDown(select.querySelector(".ant-select-selector") as Element);
  const options = await screen.findAllByTitle(label);
  fireEvent.click(options[options.length - 1]);
}

describe("import screen", () => {
  it("walks the wizard: file, detected columns (edited), preview, import with progress, report download", async () => {
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => (finish = r));
    const core = fakeCore({
      session: () => SESSION,
      import_file: async (a) => {
        const args = a as { dry_run: boolean };
        if (!args.dry_run) await done;
        return { ...SUMMARY, dry_run: args.dry_run };
      },
      import_progress: () => ({ progress: { done: 2, total: 5 } }),
      import_report: () => ({ file_name: "导入报告-客户名单.xlsx", mime: "application/octet-stream", content_base64: btoa("PK"), rows: 3 }),
    });
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const created: Blob[] = [];
    vi.stubGlobal("URL", { ...URL, createObjectURL: (b: Blob) => (created.push(b), "blob:x"), revokeObjectURL: () => {} });
    renderScreen(<ImportScreen />);
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    const file = new File(["公司名称,电话\n腾达,13800138000\n"], "客户名单.csv", { type: "text/csv" });
    fireEvent.change(input, { target: { files: [file] } });
    fireEvent.click(await screen.findByTestId("import-dry-run"));

    // Step 2: the columns as the core recognised them, 序号 left out; the user maps it.
    const mapping = await screen.findByTestId("import-mapping");
    expect(mapping).toHaveTextContent("客户名称");
    expect(mapping).toHaveTextContent("序号");
    const first = core.calls.find((c) => c.cmd === "import_file")?.args as Record<string, unknown>;
    expect(first).toMatchObject({ file_name: "客户名单.csv", dry_run: true, include_matches: false, columns: [] });
    expect(atob(String(first.content_base64))).toBe(atob(await fileBase64(file)));
    await choose(2, "备注");
    fireEvent.click(screen.getByTestId("import-preview"));

    // Step 3: the preview with counts and the dedup report, from a dry run with the mapping.
    await screen.findByTestId("import-report");
    const preview = core.calls.filter((c) => c.cmd === "import_file")[1].args as Record<string, unknown>;
    expect(preview.dry_run).toBe(true);
    expect(preview.columns).toEqual([
      { header: "客户名称", field: "company" },
      { header: "手机号码", field: "phone" },
      { header: "序号", field: "notes" },
    ]);
    expect(screen.getByText(/试运行：将登记 1 个客户/)).toBeInTheDocument();
    expect(screen.getByTestId("import-matches")).toHaveTextContent("由 王伟 跟进，保护期至");
    expect(screen.getByTestId("import-broken")).toHaveTextContent("第 7 行");
    expect(screen.getByTestId("import-broken").textContent).not.toContain("company is required");

    // Step 4: the import runs with its progress polled, then the report downloads.
    fireEvent.click(screen.getByTestId("import-run"));
    expect(await screen.findByText("2 / 5 个客户")).toBeInTheDocument();
    finish();
    fireEvent.click(await screen.findByTestId("import-report-download"));
    await waitFor(() => expect(created).toHaveLength(1));
    const real = core.calls.filter((c) => c.cmd === "import_file")[2].args as Record<string, unknown>;
    expect(real).toMatchObject({ dry_run: false, columns: preview.columns });
    expect(core.calls.find((c) => c.cmd === "import_report")?.args).toMatchObject({ file_name: "客户名单.xlsx", dry_run: false });
  });

  it("encodes any bytes, large files included", async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    const b64 = await fileBase64(new Blob([bytes]));
    const back = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    expect(back).toEqual(bytes);
  });

  it("nothing runs before a file is chosen", async () => {
    const core = fakeCore({ session: () => SESSION, import_file: () => SUMMARY });
    renderScreen(<ImportScreen />);
    await waitFor(() => expect(screen.getByTestId("import-dry-run")).toBeDisabled());
    expect(core.calls.some((c) => c.cmd === "import_file")).toBe(false);
  });
});

describe("import report", () => {
  it("lists who the branch's rules gave each unowned customer, and why (rule 11)", async () => {
    const { render } = await import("@testing-library/react");
    const { Report } = await import("./ImportReport");
    const { I18nProvider } = await import("../i18n");
    const s = {
      ...SUMMARY,
      dry_run: false,
      registered: [
        { rows: [3], company: "广州白云制药有限公司", lead_id: "L9", owner: "lina", explanation_zh: "规则 1（广州） → 李娜（持有 0 个客户，团队中最少）", explanation_en: "rule 1 (广州) → 李娜 (holding 0, the fewest in the team)" },
        { rows: [4], company: "东莞五金厂", lead_id: "L10", owner: "zhangwei" },
      ],
    };
    render(
      <I18nProvider locale="zh-CN">
        <Report s={s as unknown as import("../api/generated/ImportSummary").ImportSummary} />
      </I18nProvider>,
    );
    const table = screen.getByTestId("import-assigned");
    expect(table).toHaveTextContent("广州白云制药有限公司");
    expect(table).toHaveTextContent("规则 1（广州） → 李娜");
    expect(table).not.toHaveTextContent("东莞五金厂");
  });
});
