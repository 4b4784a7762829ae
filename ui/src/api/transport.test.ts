import { describe, expect, it, vi } from "vitest";
import { CommandError, TOKEN_HEADER, captureToken, makeCall, toCommandError, type TransportEnv } from "./transport";

function jsonResponse(status: number, body: unknown): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function httpEnv(fetchImpl: TransportEnv["fetch"], token: string | null = "tok-123"): TransportEnv {
  return { isTauri: () => false, invoke: vi.fn(), fetch: fetchImpl, token: () => token };
}

const INFO = { name: "Leadguard", version: "0.1.0", data_dir: "/d" };

describe("HTTP transport", () => {
  it("POSTs the JSON args to /api/<cmd> with the token header and returns the result", async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, INFO));
    const call = makeCall(httpEnv(fetchMock));
    await expect(call("app_info", null)).resolves.toEqual(INFO);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/app_info");
    expect(init.method).toBe("POST");
    expect(init.body).toBe("null");
    expect((init.headers as Record<string, string>)[TOKEN_HEADER]).toBe("tok-123");
  });

  it("omits the token header when there is no token", async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, INFO));
    await makeCall(httpEnv(fetchMock, null))("app_info", null);
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(Object.keys(init.headers as object)).not.toContain(TOKEN_HEADER);
  });

  it("rejects with the server's typed error code", async () => {
    const call = makeCall(httpEnv(async () => jsonResponse(409, { code: "conflict", message: "protected" })));
    const err = await call("app_info", null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: "conflict", message: "protected", cmd: "app_info" });
  });

  it("maps a non-JSON error page to a transport error", async () => {
    const call = makeCall(httpEnv(async () => new Response("<html>Bad gateway</html>", { status: 502 })));
    await expect(call("app_info", null)).rejects.toMatchObject({ code: "transport" });
  });

  it("maps a network failure to a transport error", async () => {
    const call = makeCall(
      httpEnv(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    await expect(call("app_info", null)).rejects.toMatchObject({ code: "transport", message: "Failed to fetch" });
  });
});

describe("Tauri transport", () => {
  it("invokes the single `api` command with the command name and args", async () => {
    const invoke = vi.fn(async () => INFO);
    const fetchMock = vi.fn();
    const call = makeCall({ isTauri: () => true, invoke, fetch: fetchMock, token: () => null });
    await expect(call("app_info", null)).resolves.toEqual(INFO);
    expect(invoke).toHaveBeenCalledWith("api", { cmd: "app_info", args: null });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("rejects with the ApiError the shell returned", async () => {
    const invoke = vi.fn(async () => {
      throw { code: "not_initialized", message: "run init" };
    });
    const call = makeCall({ isTauri: () => true, invoke, fetch: vi.fn(), token: () => null });
    await expect(call("app_info", null)).rejects.toMatchObject({ code: "not_initialized", message: "run init" });
  });
});

describe("toCommandError", () => {
  it("parses an ApiError serialised as a string", () => {
    expect(toCommandError("x", '{"code":"forbidden","message":"no"}')).toMatchObject({ code: "forbidden" });
  });
  it("keeps a plain string as an internal error", () => {
    expect(toCommandError("x", "command api not found")).toMatchObject({ code: "internal" });
  });
  it("treats an unknown code as internal rather than trusting it", () => {
    expect(toCommandError("x", { code: "weird", message: "m" })).toMatchObject({ code: "internal", message: "m" });
  });
});

describe("captureToken", () => {
  it("stores the token from the URL and removes it from the address bar", () => {
    window.history.replaceState(null, "", "/?token=abc123&x=1#/pool");
    localStorage.clear();
    expect(captureToken()).toBe("abc123");
    expect(localStorage.getItem("leadguard.token")).toBe("abc123");
    expect(window.location.search).toBe("?x=1");
    expect(window.location.hash).toBe("#/pool");
  });
  it("falls back to the stored token", () => {
    window.history.replaceState(null, "", "/");
    localStorage.setItem("leadguard.token", "saved");
    expect(captureToken()).toBe("saved");
  });
});
