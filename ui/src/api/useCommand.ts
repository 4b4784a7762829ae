/**
 * Loading data from the core with TanStack Query: every command and its arguments is one
 * query (key `[cmd, args]`), cached while a screen uses it, refetched when invalidated
 * after a write (`useWrite`) and, where a screen polls, every `refetchInterval` ms. The
 * query function is `call`, the one transport. While new arguments load (a typist's next
 * query), the previous answer stays on screen and `dataKey` says which arguments it answers.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
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

/** The query key of a command with its arguments. */
export function commandKey<K extends CommandName>(cmd: K, args: Commands[K]["args"]) {
  return [cmd, args ?? null] as const;
}

export function useCommand<K extends CommandName>(
  cmd: K,
  args: Commands[K]["args"],
  opts: { enabled?: boolean; refetchInterval?: number } = {},
): CommandState<Commands[K]["result"]> {
  const key = JSON.stringify(args ?? null);
  const q = useQuery({
    queryKey: commandKey(cmd, args),
    queryFn: () => call(cmd, args),
    enabled: opts.enabled ?? true,
    placeholderData: keepPreviousData,
    refetchInterval: opts.refetchInterval,
  });
  // The arguments of the last real (not placeholder) answer.
  const answered = useRef<string | undefined>(undefined);
  if (q.data !== undefined && !q.isPlaceholderData) answered.current = key;
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  return {
    data: q.data,
    dataKey: q.data === undefined ? undefined : answered.current,
    error: q.error ?? undefined,
    loading: q.isFetching,
    reload,
  };
}

/** Everything read from the registry may change after a write: refetch what is shown. */
export function invalidateAll(client: QueryClient) {
  return client.invalidateQueries();
}

/** A write command (`mutateAsync(args)`); on success every query is invalidated. */
export function useWrite<K extends CommandName>(cmd: K) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: Commands[K]["args"]) => call(cmd, args),
    onSuccess: () => invalidateAll(client),
  });
}
