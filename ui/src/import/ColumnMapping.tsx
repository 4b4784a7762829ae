/**
 * The wizard's mapping step: every column of the file with the lead field the core
 * recognised for it, editable (a column the names did not give away, or one to leave
 * out). The choices go to `import_file` as `columns` and win over the recognised names.
 */
import { Select } from "antd";
import type { ImportColumn } from "../api/generated/ImportColumn";
import type { ImportSummary } from "../api/generated/ImportSummary";
import { useI18n, type MessageKey } from "../i18n";

export const IMPORT_FIELDS = ["company", "contact", "phone", "email", "region", "industry", "size", "need", "notes", "address", "owner"] as const;

/** The columns as the core read them: recognised ones with their field, the rest left out. */
export function detectedColumns(s: ImportSummary): ImportColumn[] {
  return [
    ...s.columns.map(([header, field]) => ({ header, field })),
    ...s.ignored_columns.map((header) => ({ header, field: null })),
  ];
}

export function ColumnMapping({ columns, onChange }: { columns: ImportColumn[]; onChange: (c: ImportColumn[]) => void }) {
  const { t } = useI18n();
  const options = [
    { value: "", label: t("import.field.none") },
    ...IMPORT_FIELDS.map((f) => ({ value: f, label: t(`import.field.${f}` as MessageKey) })),
  ];
  const taken = (field: string | null, header: string) => field !== null && columns.some((c) => c.header !== header && c.field === field);
  return (
    <table className="lg-table" data-testid="import-mapping">
      <thead>
        <tr>
          <th>{t("import.mapping.column")}</th>
          <th>{t("import.mapping.field")}</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c, i) => (
          <tr key={c.header}>
            <td>{c.header}</td>
            <td>
              <Select
                style={{ width: 200 }}
                value={c.field ?? ""}
                status={taken(c.field, c.header) ? "warning" : undefined}
                data-testid={`import-map-${i}`}
                aria-label={c.header}
                options={options}
                onChange={(v: string) => onChange(columns.map((x) => (x.header === c.header ? { ...x, field: v === "" ? null : v } : x)))}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
