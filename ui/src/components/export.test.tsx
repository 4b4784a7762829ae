import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { fakeCore, SESSION } from "../test/fakeCore";
import { renderScreen } from "../test/renderScreen";
import { fileBase64 } from "../import/ImportScreen";
import { fileBlob } from "./download";
import { ExportButtons } from "./ExportButtons";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("export buttons", () => {
  it("ask the core for the list as the user sees it and save the bytes it returns", async () => {
    const core = fakeCore({
      session: () => SESSION,
      export_file: () => ({ file_name: "公海-20261130.csv", mime: "text/csv;charset=utf-8", content_base64: btoa("\xEF\xBB\xBFa,b\r\n"), rows: 1 }),
    });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const saved: Blob[] = [];
    vi.stubGlobal("URL", { ...URL, createObjectURL: (b: Blob) => (saved.push(b), "blob:x"), revokeObjectURL: () => {} });
    renderScreen(<ExportButtons what="pool" />);
    fireEvent.click(screen.getByTestId("export-pool-csv"));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(clicked).toHaveBeenCalledTimes(1);
    expect(core.calls.find((c) => c.cmd === "export_file")?.args).toEqual({ what: "pool", format: "csv" });
    expect(atob(await fileBase64(saved[0])).slice(0, 3)).toBe("\xEF\xBB\xBF");
    expect(await screen.findByText("已导出 1 行：公海-20261130.csv")).toBeInTheDocument();
  });

  it("turn base64 into the exact bytes", async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const b = fileBlob({ file_name: "x", mime: "application/octet-stream", content_base64: btoa(String.fromCharCode(...bytes)), rows: 0 });
    expect(Uint8Array.from(atob(await fileBase64(b)), (c) => c.charCodeAt(0))).toEqual(bytes);
  });
});
