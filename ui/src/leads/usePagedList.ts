/**
 * A lead list shown page by page: the core counts the matches (`total`) and returns one
 * page (`limit`, `offset`); the page number goes back to 1 whenever the filters change.
 */
import { useState } from "react";
import type { LeadListArgs } from "../api/generated/LeadListArgs";
import { useCommand } from "../api/useCommand";

export const PAGE_SIZE = 50;

export interface Paging {
  page: number;
  pageSize: number;
  onChange: (page: number) => void;
}

export function usePagedList(args: LeadListArgs, opts: { enabled?: boolean } = {}, pageSize = PAGE_SIZE) {
  const key = JSON.stringify(args);
  const [at, setAt] = useState<{ key: string; page: number }>({ key, page: 1 });
  const page = at.key === key ? at.page : 1;
  // `offset` is a u64 in the core (bigint in the generated type); JSON carries a number.
  const offset = ((page - 1) * pageSize) as unknown as bigint;
  const query = useCommand("lead_list", { ...args, limit: pageSize, offset }, opts);
  const paging: Paging = { page, pageSize, onChange: (p) => setAt({ key, page: p }) };
  return { query, paging };
}
