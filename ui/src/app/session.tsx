/**
 * Who uses this device (the core's `session`). Loaded once; screens that need a
 * registry wait for it, and a device without one is offered the set-up form. The
 * provider also holds the session's query cache (TanStack Query) for every screen.
 */
import { createContext, useContext, type ReactNode } from "react";
import type { SessionInfo } from "../api/generated/SessionInfo";
import { useCommand } from "../api/useCommand";
import { CommandError } from "../api/transport";
import { QueryProvider } from "../api/QueryProvider";

export interface SessionState {
  session: SessionInfo | undefined;
  error: unknown;
  loading: boolean;
  /** The data directory holds no registry yet. */
  uninitialised: boolean;
  reload: () => void;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  return (
    <QueryProvider>
      <Session>{children}</Session>
    </QueryProvider>
  );
}

function Session({ children }: { children: ReactNode }) {
  const s = useCommand("session", null);
  const uninitialised = s.error instanceof CommandError && s.error.code === "not_initialized";
  return (
    <Ctx.Provider value={{ session: s.data, error: s.error, loading: s.loading, uninitialised, reload: s.reload }}>
      {children}
    </Ctx.Provider>
  );
}

export function useSession(): SessionState {
  const v = useContext(Ctx);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
