/**
 * Registry search: instant over the local index (lead_list with search text), showing
 * each customer's owner and protection status; others' customers are masked by the core.
 */
import { Card, Input } from "antd";
import { useCallback, useState } from "react";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";
import { LeadListView } from "../leads/LeadListView";
import { LeadDrawer } from "../leads/LeadDrawer";
import { usePagedList } from "../leads/usePagedList";

export function SearchScreen() {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const [text, setText] = useState("");
  const onOpen = useCallback((l: { id: string }) => setOpen(l.id), []);
  // No debounce: the local index answers in milliseconds, and useCommand drops answers
  // to superseded keystrokes, so results follow every keystroke.
  const q = text.trim();
  const { query: page, paging } = usePagedList({ filter: "all", search: q || undefined }, {}, 20);
  // Which query the table shows (the browser benchmark waits for it).
  const shown = page.dataKey ? ((JSON.parse(page.dataKey) as { search?: string }).search ?? "") : null;
  return (
    <>
      <PageHeader title={t("search.title")} hint={t("search.hint")} />
      <Card>
        <Input.Search
          size="large"
          allowClear
          autoFocus
          data-testid="search-input"
          placeholder={t("search.placeholder")}
          value={text}
          onChange={(e) => setText(e.target.value)}
          style={{ marginBottom: 16 }}
        />
        <div data-testid="search-results" data-query={shown ?? undefined} hidden />
        <LeadListView page={page} paging={paging} onOpen={onOpen} empty={t("search.empty")} />
      </Card>
      <LeadDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}
