/**
 * 团队客户: a manager's view of the branch's customers, narrowed by owner, state, or
 * "expiring within 24 h", with search. The core applies the filters (states as of now,
 * expired protection counted as the pool); the screen only chooses them.
 */
import { Input, Select, Space, Switch, Typography } from "antd";
import { useState } from "react";
import type { LeadListArgs } from "../api/generated/LeadListArgs";
import type { LeadState } from "../api/generated/LeadState";
import type { Rep } from "../api/generated/Rep";
import { useDebounced } from "../app/useDebounced";
import { useI18n, type MessageKey } from "../i18n";
import { LeadDrawer } from "../leads/LeadDrawer";
import { LeadListView } from "../leads/LeadListView";
import { usePagedList } from "../leads/usePagedList";

const STATES: { value: LeadState; label: MessageKey }[] = [
  { value: "protected", label: "lead.status.protected" },
  { value: "deal", label: "lead.status.bound" },
  { value: "pool", label: "lead.status.pool" },
  { value: "incomplete", label: "team.state.incomplete" },
];

/** The `lead_list` arguments for the chosen filters. */
export function teamListArgs(f: { owner: string | null; state: LeadState | null; expiring: boolean; search: string }): LeadListArgs {
  const base = { owner: f.owner ?? undefined, search: f.search.trim() || undefined };
  return f.expiring ? { ...base, filter: "expiring" } : { ...base, filter: "team", state: f.state ?? undefined };
}

export function TeamCustomers({ reps }: { reps: Rep[] }) {
  const { t } = useI18n();
  const [owner, setOwner] = useState<string | null>(null);
  const [state, setState] = useState<LeadState | null>(null);
  const [expiring, setExpiring] = useState(false);
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 250);
  const { query: page, paging } = usePagedList(teamListArgs({ owner, state, expiring, search: q }));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select<string>
          style={{ width: 180 }}
          allowClear
          placeholder={t("team.filter.allOwners")}
          value={owner ?? undefined}
          onChange={(v) => setOwner(v ?? null)}
          data-testid="team-owner"
          options={reps.map((r) => ({ value: r.id, label: r.active ? r.name : `${r.name}（${t("reps.inactive")}）` }))}
        />
        <Select<LeadState>
          style={{ width: 200 }}
          allowClear
          placeholder={t("team.filter.allStates")}
          value={expiring ? "protected" : (state ?? undefined)}
          disabled={expiring}
          onChange={(v) => setState(v ?? null)}
          data-testid="team-state"
          options={STATES.map((s) => ({ value: s.value, label: t(s.label) }))}
        />
        <Space>
          <Switch checked={expiring} onChange={setExpiring} data-testid="team-expiring" />
          <Typography.Text>{t("team.filter.expiring")}</Typography.Text>
        </Space>
        <Input.Search
          allowClear
          style={{ width: 260 }}
          placeholder={t("team.filter.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="team-search"
        />
      </Space>
      <LeadListView page={page} paging={paging} onOpen={(l) => setOpen(l.id)} empty={t("team.empty")} />
      <LeadDrawer id={open} onClose={() => setOpen(null)} onChanged={page.reload} />
    </>
  );
}
