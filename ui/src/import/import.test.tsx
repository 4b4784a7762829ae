import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { fakeCore, SESSION } from "../test/fakeCore";
import { renderScreen } from "../test/renderScreen";
import { fileBase64, ImportScreen } from "./ImportScreen";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
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

describe("import screen", () => {
  it("reads the chosen file, sends its bytes for a dry run and reports every row's fate", async () => {
    const core = fakeCore({ session: () => SESSION, import_file: () => SUMMARY });
    renderScreen(<ImportScreen />);
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    const file = new File(["公司名称,电话\n腾达,13800138000\n"], "客户名单.csv", { type: "text/csv" });
    fireEvent.change(input, { target: { files: [file] } });
    fireEvent.click(await screen.findByTestId("import-dry-run"));
    await screen.findByTestId("import-report");
    const args = core.calls.find((c) => c.cmd === "import_file")?.args as Record<string, unknown>;
    expect(args).toMatchObject({ file_name: "客户名单.csv", dry_run: true, include_matches: false });
    expect(atob(String(args.content_base64))).toBe(atob(await fileBase64(file)));
    expect(screen.getByText(/试运行：将登记 1 个客户/)).toBeInTheDocument();
    expect(screen.getByTestId("import-matches")).toHaveTextContent("由 王伟 跟进，保护期至");
    // A broken row says why in words, from the core's typed reason.
    expect(screen.getByTestId("import-broken")).toHaveTextContent("第 7 行");
    expect(screen.getByTestId("import-broken").textContent).not.toContain("company is required");
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
    await waitFor(() => expect(screen.getByTestId("import-run")).toBeDisabled());
    expect(core.calls.some((c) => c.cmd === "import_file")).toBe(false);
  });
});
