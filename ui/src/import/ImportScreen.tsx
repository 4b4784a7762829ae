/**
 * 导入客户, a wizard: choose a file → check the columns (auto-detected, editable) →
 * preview (a dry run: counts and the dedup report) → import with progress → download
 * the report (.xlsx). The file is read here and sent as bytes (`import_file`): the core
 * never opens a path the window names. While the import runs the screen polls
 * `import_progress`, which the host answers without waiting for the import.
 */
import { Button, Card, Checkbox, Progress, Select, Space, Steps, Upload } from "antd";
import { useEffect, useState } from "react";
import type { ImportColumn } from "../api/generated/ImportColumn";
import type { ImportProgress } from "../api/generated/ImportProgress";
import type { ImportSummary } from "../api/generated/ImportSummary";
import { call } from "../api/transport";
import { useCommand, useWrite } from "../api/useCommand";
import { useSession } from "../app/session";
import { saveFile } from "../components/download";
import { ErrorAlert } from "../components/ErrorAlert";
import { PageHeader } from "../components/PageHeader";
import { useI18n, type MessageKey } from "../i18n";
import { ColumnMapping, detectedColumns } from "./ColumnMapping";
import { Report } from "./ImportReport";

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

type Step = "file" | "columns" | "preview" | "done";
const STEPS: Step[] = ["file", "columns", "preview", "done"];

/** The running import's progress, polled while `running`. */
function useImportProgress(running: boolean): ImportProgress | null {
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  useEffect(() => {
    if (!running) return setProgress(null);
    let alive = true;
    const tick = async () => {
      try {
        const r = await call("import_progress", null);
        if (alive) setProgress(r.progress);
      } catch {
        // A missed reading only delays the bar.
      }
    };
    const timer = setInterval(tick, 300);
    void tick();
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [running]);
  return progress;
}

export function ImportScreen() {
  const { t } = useI18n();
  const { session } = useSession();
  const manager = session?.rep.role === "manager";
  const reps = useCommand("rep_list", null, { enabled: manager });
  const run = useWrite("import_file");
  const [step, setStep] = useState<Step>("file");
  const [file, setFile] = useState<File | null>(null);
  const [owner, setOwner] = useState<string | null>(null);
  const [includeMatches, setIncludeMatches] = useState(false);
  const [columns, setColumns] = useState<ImportColumn[]>([]);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const importing = run.isPending && step === "preview";
  const progress = useImportProgress(importing);

  const go = async (dryRun: boolean, mapping: ImportColumn[], next: Step) => {
    if (!file) return;
    setError(undefined);
    try {
      const content_base64 = await fileBase64(file);
      const s = await run.mutateAsync({
        file_name: file.name,
        content_base64,
        sheet: null,
        owner,
        dry_run: dryRun,
        include_matches: includeMatches,
        columns: mapping,
      });
      setSummary(s);
      if (next === "columns") setColumns(detectedColumns(s));
      setStep(next);
    } catch (e) {
      setError(e);
    }
  };
  const downloadReport = async () => {
    if (!summary) return;
    setSaving(true);
    try {
      saveFile(await call("import_report", summary));
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  const restart = () => {
    setStep("file");
    setSummary(null);
    setError(undefined);
  };

  return (
    <>
      <PageHeader title={t("import.title")} />
      <Space direction="vertical" size="large" style={{ width: "100%" }}>
        <Steps
          size="small"
          current={STEPS.indexOf(step)}
          items={STEPS.map((s) => ({ title: t(`import.step.${s}` as MessageKey) }))}
        />
        {step === "file" && (
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
              <Button type="primary" onClick={() => go(true, [], "columns")} disabled={!file} loading={run.isPending} data-testid="import-dry-run">
                {t("import.next")}
              </Button>
            </Space>
          </Card>
        )}
        {step === "columns" && summary && (
          <Card title={t("import.mapping.title", { file: summary.file_name, sheet: summary.sheet, row: summary.header_row })}>
            <Space direction="vertical" style={{ width: "100%" }}>
              <p className="lg-muted">{t("import.mapping.hint")}</p>
              <ColumnMapping columns={columns} onChange={setColumns} />
              <Space>
                <Button onClick={restart}>{t("import.back")}</Button>
                <Button type="primary" onClick={() => go(true, columns, "preview")} loading={run.isPending} data-testid="import-preview">
                  {t("import.preview")}
                </Button>
              </Space>
            </Space>
          </Card>
        )}
        {step === "preview" && summary && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Report s={summary} />
            {importing && (
              <Progress
                data-testid="import-progress"
                percent={progress && progress.total > 0 ? Math.floor((progress.done * 100) / progress.total) : 0}
                format={() => (progress ? t("import.progress", { done: progress.done, total: progress.total }) : "")}
              />
            )}
            <Space>
              <Button onClick={() => setStep("columns")} disabled={run.isPending}>
                {t("import.back")}
              </Button>
              <Button type="primary" onClick={() => go(false, columns, "done")} loading={run.isPending} data-testid="import-run">
                {t("import.run")}
              </Button>
            </Space>
          </Space>
        )}
        {step === "done" && summary && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Report s={summary} />
            <Space>
              <Button type="primary" onClick={downloadReport} loading={saving} data-testid="import-report-download">
                {t("import.downloadReport")}
              </Button>
              <Button onClick={restart}>{t("import.another")}</Button>
            </Space>
          </Space>
        )}
        {error !== undefined && <ErrorAlert error={error} />}
      </Space>
    </>
  );
}
