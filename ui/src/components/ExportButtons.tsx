/**
 * 导出 on a list screen: the core writes what this user sees (masked where the screen
 * masks) as .xlsx or CSV (`export_file`) and the webview saves it.
 */
import { App, Button, Space } from "antd";
import { useState } from "react";
import type { ExportFormat } from "../api/generated/ExportFormat";
import type { ExportWhat } from "../api/generated/ExportWhat";
import { call } from "../api/transport";
import { useI18n } from "../i18n";
import { saveFile } from "./download";
import { errorText } from "./errors";

/** `bar`: on a line of its own, right-aligned (screens whose header holds other controls). */
export function ExportButtons({ what, bar = false }: { what: ExportWhat; bar?: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const run = async (format: ExportFormat) => {
    setBusy(format);
    try {
      const file = await call("export_file", { what, format });
      saveFile(file);
      message.success(t("export.done", { file: file.file_name, rows: file.rows }));
    } catch (e) {
      message.error(errorText(t, e));
    } finally {
      setBusy(null);
    }
  };
  const buttons = (
    <Space.Compact data-testid={`export-${what}`}>
      <Button onClick={() => run("xlsx")} loading={busy === "xlsx"} data-testid={`export-${what}-xlsx`}>
        {t("export.xlsx")}
      </Button>
      <Button onClick={() => run("csv")} loading={busy === "csv"} data-testid={`export-${what}-csv`}>
        CSV
      </Button>
    </Space.Compact>
  );
  return bar ? <div style={{ display: "flex", justifyContent: "flex-end", marginBottom: 12 }}>{buttons}</div> : buttons;
}
