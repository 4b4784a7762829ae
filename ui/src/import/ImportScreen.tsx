/**
 * 导入客户: a team's spreadsheet (xlsx, xls, CSV in UTF-8 or GBK) into the registry.
 * The file is read here and sent as bytes (`import_file`): the core never opens a path
 * the window names. A dry run first shows what would happen; the report lists every
 * customer someone else works (with owner and protection end) and every row that could
 * not be read, by its row number in the spreadsheet.
 */
import { Alert, Button, Card, Checkbox, Descriptions, Select, Space, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import type { ImportSummary } from "../api/generated/ImportSummary";
import { useCommand, useWrite } from "../api/useCommand";
import { useSession } from "../app/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { useI18n } from "../i18n";

/** A file's bytes as base64, without the data-URL prefix (FileReader works in every
 * webview, where `Blob.arrayBuffer` may not). */
export function fileBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function Report({ s }: { s: ImportSummary }) {
  const { t, dateTime } = useI18n();
  const rows = (r: number[]) => r.join(", ");
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

export function ImportScreen() {
  const { t } = useI18n();
  const { session } = useSession();
  const manager = session?.rep.role === "manager";
  const reps = useCommand("rep_list", null, { enabled: manager });
  const run = useWrite("import_file");
  const [file, setFile] = useState<File | null>(null);
  const [owner, setOwner] = useState<string | null>(null);
  const [includeMatches, setIncludeMatches] = useState(false);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const go = async (dryRun: boolean) => {
    if (!file) return;
    setError(undefined);
    try {
      const content_base64 = await fileBase64(file);
      setSummary(
        await run.mutateAsync({ file_name: file.name, content_base64, sheet: null, owner, dry_run: dryRun, include_matches: includeMatches }),
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <PageHeader title={t("import.title")} />
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        <Card>
          <p className="lg-muted">{t("import.hint")}</p>
          <Space direction="vertical">
            <Upload
              accept=".xlsx,.xls,.csv"
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f);
                setSummary(null);
                return false;
              }}
              onRemove={() => setFile(null)}
            >
              <Button data-testid="import-file">{t("import.choose")}</Button>
            </Upload>
            {manager && (
              <Select
                allowClear
                style={{ width: 260 }}
                placeholder={t("import.ownerPlaceholder")}
                value={owner ?? undefined}
                onChange={(v) => setOwner(v ?? null)}
                options={(reps.data?.reps ?? []).filter((r) => r.active && r.role !== "distributor").map((r) => ({ value: r.id, label: r.name }))}
              />
            )}
            <Checkbox checked={includeMatches} onChange={(e) => setIncludeMatches(e.target.checked)}>
              {t("import.includeMatches")}
            </Checkbox>
            <Space>
              <Button onClick={() => go(true)} disabled={!file} loading={run.isPending} data-testid="import-dry-run">
                {t("import.dryRun")}
              </Button>
              <Button type="primary" onClick={() => go(false)} disabled={!file} loading={run.isPending} data-testid="import-run">
                {t("import.run")}
              </Button>
            </Space>
          </Space>
        </Card>
        {error !== undefined && <ErrorAlert error={error} />}
        {summary && <Report s={summary} />}
        {summary && (
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t("import.columns")}>{summary.columns.map(([h]) => h).join("、")}</Descriptions.Item>
          </Descriptions>
        )}
      </Space>
    </>
  );
}
