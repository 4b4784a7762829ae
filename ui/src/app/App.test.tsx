import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, fireEvent } from "@testing-library/react";
import { App } from "./App";

function stubApi(handler: (cmd: string, body: unknown) => { status: number; body: unknown }) {
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const cmd = url.replace("/api/", "");
    const { status, body } = handler(cmd, JSON.parse(String(init?.body ?? "null")));
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
  localStorage.clear();
});

describe("App shell", () => {
  it("shows the sidebar in Chinese by default", () => {
    stubApi(() => ({ status: 200, body: {} }));
    render(<App />);
    for (const label of ["客户查询", "新建线索", "我的客户", "公海", "撞单处理", "同步", "指标", "设置"]) {
      expect(screen.getAllByText(label).length).toBeGreaterThan(0);
    }
    expect(screen.getByTestId("online-state")).toHaveTextContent("在线");
  });

  it("switches to English and remembers the choice", () => {
    stubApi(() => ({ status: 200, body: {} }));
    render(<App />);
    fireEvent.click(screen.getAllByText("English")[0]);
    expect(screen.getAllByText("Registry search").length).toBeGreaterThan(0);
    expect(localStorage.getItem("leadguard.locale")).toBe("en-US");
  });

  it("settings show what the core reports", async () => {
    window.location.hash = "#/settings";
    const fetchMock = stubApi((cmd) =>
      cmd === "app_info"
        ? { status: 200, body: { name: "Leadguard", version: "9.9.9", data_dir: "/data/here" } }
        : { status: 404, body: { code: "unknown_command", message: cmd } },
    );
    render(<App />);
    expect(await screen.findByText("/data/here")).toBeInTheDocument();
    expect(screen.getByText(/9\.9\.9/)).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalled();
  });

  it("explains a missing access token in plain words", async () => {
    window.location.hash = "#/settings";
    stubApi(() => ({ status: 401, body: { code: "forbidden", message: "missing or wrong access token" } }));
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("访问令牌缺失或已失效");
  });
});
