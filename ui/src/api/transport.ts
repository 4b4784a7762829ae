/**
 * The UI's only way to reach the core.
 *
 * One function, `call(cmd, args)`, typed by the generated `Commands` map so a command's
 * arguments and result cannot drift from the Rust definitions. In the desktop app it goes
 * through Tauri `invoke("api", { cmd, args })`; in a browser (`leadguard serve`) it POSTs
 * JSON to `/api/<cmd>` on the same origin with the per-run access token. Either way a
 * failure rejects with a `CommandError` carrying a stable `code` the UI branches on.
 */
import { invoke } from "@tauri-apps/api/core";
import type { ApiError, CommandName, Commands } from "./generated/commands";
import type { ErrorCode } from "./generated/ErrorCode";
import { ERROR_CODES, REASONS, type ReasonName } from "./generated/reasons";

/** Error codes a call can fail with: the core's, plus `transport` when the core was not reached. */
export type CallErrorCode = ErrorCode | "transport";

/**
 * A failed call. `code` is stable; `reason` and `params` (when the core answered) say
 * why, for the UI's catalogs; `message` is the core's English sentence.
 */
export class CommandError extends Error {
  readonly code: CallErrorCode;
  readonly cmd: string;
  readonly reason?: ReasonName;
  readonly params: Record<string, unknown>;
  constructor(cmd: string, code: CallErrorCode, message: string, reason?: ReasonName, params: Record<string, unknown> = {}) {
    super(message);
    this.name = "CommandError";
    this.code = code;
    this.cmd = cmd;
    this.reason = reason;
    this.params = params;
  }
}

/** Header the web server expects the access token in (see crates/web). */
export const TOKEN_HEADER = "x-leadguard-token";
const TOKEN_KEY = "leadguard.token";

/** What a transport needs from its surroundings; injectable for tests. */
export interface TransportEnv {
  isTauri: () => boolean;
  invoke: (cmd: string, args: Record<string, unknown>) => Promise<unknown>;
  fetch: typeof fetch;
  token: () => string | null;
}

/** Narrows anything a backend rejected with to a `CommandError`. */
export function toCommandError(cmd: string, raw: unknown): CommandError {
  if (raw instanceof CommandError) return raw;
  if (raw && typeof raw === "object" && "code" in raw && "message" in raw) {
    const { code, message, reason, params } = raw as ApiError;
    const known = (ERROR_CODES as readonly string[]).includes(code) ? code : "internal";
    // A reason newer than this UI is dropped: the code and message still say enough.
    const why = typeof reason === "string" && Object.hasOwn(REASONS, reason) ? reason : undefined;
    const p = why && params && typeof params === "object" ? (params as Record<string, unknown>) : {};
    return new CommandError(cmd, known, String(message), why, p);
  }
  if (typeof raw === "string") {
    try {
      return toCommandError(cmd, JSON.parse(raw));
    } catch {
      return new CommandError(cmd, "internal", raw);
    }
  }
  return new CommandError(cmd, "transport", raw instanceof Error ? raw.message : String(raw));
}

async function callHttp(env: TransportEnv, cmd: string, args: unknown): Promise<unknown> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = env.token();
  if (token) headers[TOKEN_HEADER] = token;
  let res: Response;
  try {
    res = await env.fetch(`/api/${encodeURIComponent(cmd)}`, {
      method: "POST",
      headers,
      body: JSON.stringify(args ?? null),
      credentials: "same-origin",
    });
  } catch (e) {
    throw new CommandError(cmd, "transport", e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    throw new CommandError(cmd, res.ok ? "internal" : "transport", `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const err = toCommandError(cmd, body);
    throw err.code === "transport" ? new CommandError(cmd, "transport", `HTTP ${res.status}`) : err;
  }
  return body;
}

/** Builds a typed `call` over an environment. */
export function makeCall(env: TransportEnv) {
  return async function call<K extends CommandName>(
    cmd: K,
    args: Commands[K]["args"],
  ): Promise<Commands[K]["result"]> {
    if (env.isTauri()) {
      try {
        return (await env.invoke("api", { cmd, args: args ?? null })) as Commands[K]["result"];
      } catch (e) {
        throw toCommandError(cmd, e);
      }
    }
    return (await callHttp(env, cmd, args)) as Commands[K]["result"];
  };
}

/** True inside the Tauri webview. */
export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * Takes the access token from `?token=` (the URL `leadguard serve` prints), remembers it
 * for this origin and removes it from the address bar so it is not bookmarked or shared.
 */
export function captureToken(loc: Location = window.location, storage: Storage = window.localStorage): string | null {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get("token");
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    params.delete("token");
    const rest = params.toString();
    window.history.replaceState(null, "", `${loc.pathname}${rest ? `?${rest}` : ""}${loc.hash}`);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY);
}

const browserEnv: TransportEnv = {
  isTauri,
  invoke: (cmd, args) => invoke(cmd, args),
  fetch: (...a) => window.fetch(...a),
  token: () => window.localStorage.getItem(TOKEN_KEY),
};

/** Calls a core command. */
export const call = makeCall(browserEnv);
