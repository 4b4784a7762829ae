/**
 * What an import did (or, in a dry run, would do): counts, the customers someone else
 * works with owner and protection end, rows of one customer merged, and every row that
 * could not be read, by its row number, in words from the core's typed reasons.
 */
import { Alert, Card, Space, Tag, Typography } from "antd";
import type { ImportSummary } from "../api/generated/ImportSummary";
import { errorText } from "../components/errors";
import { useI18n } from "../i18n";

export function Report({ s }: { s: ImportSummary }) {
  const { t, dateTime, locale } = useI18n();
  const rows = (r: number[]) => r.join(", ");
  // 按规则分配 (rule 11): a manager's rows without an owner, each with who got it and why.
  const assigned = s.registered.filter((c) => c.explanation_zh);
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="import-report">
      <Alert
        type={s.dry_run ? "info" : "success"}
        showIcon
        message={t(s.dry_run ? "import.dryRunDone" : "import.done", {
          registered: s.registered.length,
          known: s.already_known.length,
          matches: s.matches.length,
          broken: s.broken.length,
        })}
        description={t("import.read", { file: s.file_name, sheet: s.sheet, rows: s.rows_read, customers: s.customers })}
      />
      {s.ignored_columns.length > 0 && <Typography.Text type="secondary">{t("import.ignored", { columns: s.ignored_columns.join("、") })}</Typography.Text>}
      {s.merged_in_file.length > 0 && (
        <Typography.Text type="secondary">{t("import.merged", { groups: s.merged_in_file.map((g) => `(${rows(g)})`).join(" ") })}</Typography.Text>
      )}
      {assigned.length > 0 && (
        <Card size="small" title={t("import.assigned")}>
          <table className="lg-table" data-testid="import-assigned">
            <tbody>
              {assigned.map((c) => (
                <tr key={rows(c.rows)}>
                  <td>{t("import.rows", { rows: rows(c.rows) })}</td>
                  <td>{c.company}</td>
                  <td>{locale === "zh-CN" ? c.explanation_zh : c.explanation_en}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {s.matches.length > 0 && (
        <Card size="small" title={t("import.matches")}>
          <table className="lg-table" data-testid="import-matches">
            <tbody>
              {s.matches.map((m) => (
                <tr key={`${m.lead_id}-${rows(m.rows)}`}>
                  <td>{t("import.rows", { rows: rows(m.rows) })}</td>
                  <td>{m.company}</td>
                  <td>
                    {m.protected_until
                      ? t("import.protectedBy", { owner: m.owner_name ?? "—", until: dateTime(m.protected_until) })
                      : t("import.knownBy", { owner: m.owner_name ?? "—" })}
                  </td>
                  <td>{m.registered ? <Tag color="orange">{t("import.registeredAnyway")}</Tag> : <Tag>{t("import.notRegistered")}</Tag>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      {s.broken.length > 0 && (
        <Card size="small" title={t("import.broken")}>
          <table className="lg-table" data-testid="import-broken">
            <tbody>
              {s.broken.map((b) => (
                <tr key={`${b.row}-${b.error.reason}`}>
                  <td>{t("import.rows", { rows: String(b.row) })}</td>
                  <td>{errorText(t, b.error)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </Space>
  );
}
