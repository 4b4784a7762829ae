//! `import_report`: an import's summary as a workbook to keep or pass on — 汇总 (the
//! counts), 已登记, 已有客户, 他人客户 (who works it and until when), 文件内合并 and
//! 无法读取 (row and reason in words). The summary is what `import_file` answered, so
//! the UI can offer the download after the import without a second one.

use std::collections::BTreeMap;

use leadguard_import::{Cell, Table};

use super::export::{download, locale, ExportFormat, FileDownload};
use super::import::{ImportSummary, ImportedCustomer};
use super::Context;
use crate::error::ApiError;
use crate::locale_text;

fn rows_text(rows: &[u32]) -> String {
    rows.iter().map(u32::to_string).collect::<Vec<_>>().join("、")
}

fn customers_table(name: &str, owner_name: &dyn Fn(&str) -> String, list: &[ImportedCustomer]) -> Table {
    // Customers the assignment rules gave out say why (分配说明, rule 11).
    let explained = list.iter().any(|c| c.explanation_zh.is_some());
    let headers: &[&str] = if explained { &["行号", "公司名称", "负责人", "客户编号", "分配说明"] } else { &["行号", "公司名称", "负责人", "客户编号"] };
    let mut t = Table::new(name, headers);
    for c in list {
        let mut row = vec![rows_text(&c.rows).into(), c.company.as_str().into(), owner_name(&c.owner).into(), c.lead_id.clone().into()];
        if explained {
            row.push(c.explanation_zh.clone().into());
        }
        t.push(row);
    }
    t
}

pub(super) fn import_report(ctx: &mut Context, s: ImportSummary) -> Result<FileDownload, ApiError> {
    let locale = locale(ctx);
    let names: BTreeMap<String, String> = match ctx.registry() {
        Ok(reg) => reg.reps().map(|r| (r.id.clone(), r.name.clone())).collect(),
        Err(_) => BTreeMap::new(),
    };
    let owner_name = |id: &str| names.get(id).map_or_else(|| id.to_owned(), |n| format!("{n}（{id}）"));

    let mut summary = Table::new("汇总", &["项目", "数值"]);
    let others_registered = s.matches.iter().filter(|m| m.registered).count() as u32;
    for (label, value) in [
        ("文件", Cell::from(s.file_name.as_str())),
        ("工作表", s.sheet.as_str().into()),
        ("表头所在行", s.header_row.into()),
        ("试运行（未写入）", if s.dry_run { "是" } else { "否" }.into()),
        ("读取行数", s.rows_read.into()),
        ("文件中的客户（合并后）", s.customers.into()),
        ("已登记", (s.registered.len() as u32).into()),
        ("已有客户（未重复登记）", (s.already_known.len() as u32).into()),
        ("他人客户（匹配）", (s.matches.len() as u32).into()),
        ("其中仍然登记", others_registered.into()),
        ("文件内合并", (s.merged_in_file.len() as u32).into()),
        ("无法读取的行", (s.broken.len() as u32).into()),
        ("忽略的列", s.ignored_columns.join("、").into()),
    ] {
        summary.push(vec![label.into(), value]);
    }

    let mut others = Table::new("他人客户", &["行号", "公司名称", "负责人", "保护截止", "相似度", "已有客户编号", "是否仍然登记"]);
    for m in &s.matches {
        others.push(vec![
            rows_text(&m.rows).into(),
            m.company.as_str().into(),
            m.owner_name.clone().into(),
            m.protected_until.map_or(Cell::Empty, |t| locale_text::date_time(locale, t).into()),
            Cell::Number((f64::from(m.score) * 100.0).round() / 100.0),
            m.lead_id.as_str().into(),
            if m.registered { "仍然登记" } else { "未登记" }.into(),
        ]);
    }

    // A merged group is named by the customer its first row became.
    let company_of: BTreeMap<u32, &str> = s
        .registered
        .iter()
        .chain(&s.already_known)
        .filter_map(|c| Some((*c.rows.first()?, c.company.as_str())))
        .chain(s.matches.iter().filter_map(|m| Some((*m.rows.first()?, m.company.as_str()))))
        .collect();
    let mut merged = Table::new("文件内合并", &["行号", "合并为", "公司名称"]);
    for group in &s.merged_in_file {
        let first = group.first().copied().unwrap_or_default();
        merged.push(vec![rows_text(group).into(), format!("第 {first} 行").into(), company_of.get(&first).map(|c| (*c).to_owned()).into()]);
    }

    let mut broken = Table::new("无法读取", &["行号", "原因"]);
    for b in &s.broken {
        broken.push(vec![b.row.into(), locale_text::sentence(locale, &b.error).into()]);
    }

    let tables = [
        summary,
        customers_table("已登记", &owner_name, &s.registered),
        customers_table("已有客户", &owner_name, &s.already_known),
        others,
        merged,
        broken,
    ];
    let stem = s.file_name.rsplit_once('.').map_or(s.file_name.as_str(), |(stem, _)| stem);
    download(&format!("导入报告-{stem}"), ExportFormat::Xlsx, &tables)
}
