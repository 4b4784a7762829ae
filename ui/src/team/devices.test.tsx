import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import type { DeviceRecord } from "../api/generated/DeviceRecord";
import type { Rep } from "../api/generated/Rep";
import { ApiFailure, fakeCore } from "../test/fakeCore";
import { renderScreen } from "../test/renderScreen";
import { DevicesCard } from "./DevicesCard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const rep = (id: string, name: string): Rep => ({ id, name, branch: "华南", region: "华南", role: "rep", active: true });
const device = (over: Partial<DeviceRecord> & { id: string; rep: string; name: string }): DeviceRecord => ({
  role: "rep",
  state: "enrolled",
  created_at: "2026-11-01T08:00:00Z",
  enrolled_at: "2026-11-01T09:00:00Z",
  revoked_at: null,
  last_sync_at: "2026-11-30T08:00:00Z",
  this_device: false,
  ...over,
});

describe("members and devices", () => {
  it("lists the branch's laptops and revokes one after confirming; never this laptop", async () => {
    let devices = [device({ id: "dM", rep: "zhangwei", name: "张伟", role: "manager", this_device: true }), device({ id: "dL", rep: "lina", name: "李娜" })];
    const core = fakeCore({
      device_list: () => ({ devices }),
      rep_list: () => ({ reps: [rep("lina", "李娜")] }),
      device_revoke: (a) => {
        const { id } = a as { id: string };
        devices = devices.map((d) => (d.id === id ? { ...d, state: "revoked", revoked_at: "2026-11-30T09:00:00Z" } : d));
        return devices.find((d) => d.id === id);
      },
    });
    renderScreen(<DevicesCard />);
    const row = (id: string) => screen.getByTestId("devices-table").querySelector(`[data-device="${id}"]`) as HTMLElement;
    await screen.findByTestId("devices-table");
    expect(within(row("dM")).getByText("本机")).toBeInTheDocument();
    expect(within(row("dM")).queryByRole("button")).toBeNull();
    fireEvent.click(within(row("dL")).getByRole("button"));
    // The confirmation names the member before anything is revoked.
    await screen.findByText("吊销 李娜 的这台电脑？它将立即无法同步。");
    expect(core.calls.some((c) => c.cmd === "device_revoke")).toBe(false);
    fireEvent.click(document.querySelector(".ant-popconfirm .ant-btn-primary") as HTMLElement);
    await waitFor(() => expect(core.calls.some((c) => c.cmd === "device_revoke" && (c.args as { id: string }).id === "dL")).toBe(true));
    await waitFor(() => expect(within(row("dL")).getByText("已吊销")).toBeInTheDocument());
  });

  it("invites a laptop: the token, the command and a QR code, shown once", async () => {
    const core = fakeCore({
      device_list: () => ({ devices: [] }),
      rep_list: () => ({ reps: [rep("lina", "李娜")] }),
      device_invite: () => ({
        device_id: "dN",
        rep: "lina",
        name: "李娜",
        role: "rep",
        token: "lge_secret-token",
        expires_at: "2026-12-03T08:00:00Z",
        hub_url: "https://hub.example.com",
        enrol_link: "leadguard://enroll?hub=https%3A%2F%2Fhub.example.com&token=lge_secret-token",
      }),
    });
    renderScreen(<DevicesCard />);
    fireEvent.click(await screen.findByTestId("invite-device"));
    fireEvent.mouseDown(within(await screen.findByTestId("invite-rep")).getByRole("combobox"));
    fireEvent.click((await screen.findAllByTitle("李娜（lina）")).at(-1)!);
    fireEvent.click(screen.getByRole("button", { name: "生成邀请码" }));
    await screen.findByTestId("invitation");
    expect(core.calls.find((c) => c.cmd === "device_invite")?.args).toEqual({ rep: "lina", name: "李娜", role: "rep", ttl_hours: 72 });
    expect(screen.getByTestId("invitation-token")).toHaveTextContent("lge_secret-token");
    expect(screen.getByText(/leadguard enroll --hub https:\/\/hub.example.com --token lge_secret-token/)).toBeInTheDocument();
    const qr = await screen.findByTestId("enrol-qr");
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;utf8,%3Csvg/);
  });

  it("a laptop not joined to a hub says so and offers no invitation", async () => {
    fakeCore({
      device_list: () => {
        throw new ApiFailure(409, "sync", "this device is not enrolled with a hub");
      },
      rep_list: () => ({ reps: [] }),
    });
    renderScreen(<DevicesCard />);
    await waitFor(() => expect(screen.getByTestId("invite-device")).toBeDisabled());
    expect(screen.queryByTestId("devices-table")).toBeNull();
  });
});
