/**
 * Quarantine (managers, on the Sync screen): changes pulled from the hub that this
 * laptop refused because they break the schema — an unknown event kind, rewritten
 * history, a lead copied into another document, control characters. They were never
 * merged; the list says why and which device wrote them, so a manager can follow up.
 */
import { useCommand } from "../api/useCommand";
import { Alert, Card, Tag } from "antd";
import type { QuarantinedChange } from "../api/generated/QuarantinedChange";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n, type MessageKey } from "../i18n";

/** Reason codes with a description in the catalogs (`quarantine.reason.<code>`). */
export const REASONS = [
  "undecodable",
  "bad_doc_id",
  "wrong_scope",
  "not_event",
  "duplicate_key",
  "unknown_key",
  "unknown_kind",
  "malformed",
  "bad_text",
  "too_long",
  "bad_id",
  "not_append",
  "root_rewrite",
  "register_misplaced",
  "lead_elsewhere",
  "foreign_author",
  "manager_only",
  "directory_forbidden",
  "rename_forbidden",
  "bad_policy",
  "missing_dependency",
  "depends_on_quarantined",
] as const;

export function QuarantineCard() {
  const { t, dateTime } = useI18n();
  const list = useCommand("quarantine_list", null);
  const items: QuarantinedChange[] | null = list.data?.items ?? null;
  const error = list.error;
  const reason = (code: string) =>
    (REASONS as readonly string[]).includes(code) ? t(`quarantine.reason.${code}` as MessageKey) : code;
  return (
    <Card title={t("quarantine.title")} data-testid="quarantine">
      {error !== undefined && <ErrorAlert error={error} />}
      {items && items.length === 0 && <Alert type="success" showIcon message={t("quarantine.empty")} />}
      {items && items.length > 0 && (
        <>
          <p className="lg-muted">{t("quarantine.hint", { count: items.length })}</p>
          <table className="lg-table" data-testid="quarantine-table">
            <thead>
              <tr>
                <th>{t("quarantine.reason")}</th>
                <th>{t("quarantine.doc")}</th>
                <th>{t("quarantine.author")}</th>
                <th>{t("quarantine.received")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <tr key={q.hash} data-reason={q.reason}>
                  <td>
                    <Tag color="red">{q.reason}</Tag> {reason(q.reason)}
                    <div className="lg-muted">{q.message}</div>
                  </td>
                  <td>
                    <code>{q.doc_id}</code>
                  </td>
                  <td>
                    {q.rep ?? t("common.none")} <code className="lg-muted">{q.actor.slice(0, 12)}</code>
                  </td>
                  <td>{q.received_at ? dateTime(q.received_at) : t("common.none")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  );
}
