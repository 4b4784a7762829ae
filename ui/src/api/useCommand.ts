/**
 * React hook around `call`: runs a command when its inputs change and exposes
 * `{ data, error, loading, reload }`. Late answers to superseded inputs are dropped, so a
 * fast typist never sees results for an older query.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { call } from "./transport";
import type { CommandName, Commands } from "./generated/commands";

export interface CommandState<T> {
  data: T | undefined;
  /** The JSON of the arguments `data` answers (it may lag behind the current ones). */
  dataKey: string | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useCommand<K extends CommandName>(
  cmd: K,
  args: Commands[K]["args"],
  opts: { enabled?: boolean } = {},
): CommandState<Commands[K]["result"]> {
  const enabled = opts.enabled ?? true;
  const key = JSON.stringify(args ?? null);
  const [state, setState] = useState<{ data?: Commands[K]["result"]; dataKey?: string; error: unknown; loading: boolean }>({
    error: undefined,
    loading: enabled,
  });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    call(cmd, JSON.parse(key) as Commands[K]["args"]).then(
      (data) => mine === seq.current && setState({ data, dataKey: key, error: undefined, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, [cmd, key, enabled, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, data: state.data, dataKey: state.dataKey, reload };
}
