/**
 * Names of the branch's people (`rep_list`), for showing reps by name rather than id.
 * An unknown id (a rep not yet synced into the directory) is shown as the id itself.
 */
import { useMemo } from "react";
import { useCommand } from "../api/useCommand";

export type RepName = (id: string) => string;

export function useRepNames(): RepName {
  const reps = useCommand("rep_list", null);
  return useMemo(() => {
    const byId = new Map((reps.data?.reps ?? []).map((r) => [r.id, r.name]));
    return (id: string) => byId.get(id) ?? id;
  }, [reps.data]);
}
