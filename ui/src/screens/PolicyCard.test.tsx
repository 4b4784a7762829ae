import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App as AntApp } from "antd";
import { I18nProvider } from "../i18n";
import { SessionProvider } from "../app/session";
import { fakeCore, SESSION } from "../test/fakeCore";
import { PolicyCard } from "./PolicyCard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("PolicyCard", () => {
  it("lets a manager set the duplicate warning threshold of the branch", async () => {
    const manager = { ...SESSION, rep: { ...SESSION.rep, role: "manager" as const } };
    const core = fakeCore({ session: () => manager, policy_set: (args) => args });
    render(
      <I18nProvider locale="zh-CN">
        <SessionProvider>
          <AntApp>
            <PolicyCard />
          </AntApp>
        </SessionProvider>
      </I18nProvider>,
    );
    const input = (await screen.findByTestId("policy-dup-threshold")) as HTMLInputElement;
    expect(screen.getByText(/查重提醒阈值/)).toBeInTheDocument();
    expect(input.value).toBe("85");
    fireEvent.change(input, { target: { value: "90" } });
    fireEvent.click(screen.getByRole("button", { name: /保\s*存/ }));
    await waitFor(() => expect(core.calls.some((c) => c.cmd === "policy_set")).toBe(true));
    const sent = core.calls.find((c) => c.cmd === "policy_set")?.args as { dup_threshold_percent: number };
    expect(sent.dup_threshold_percent).toBe(90);
  });
});
