//! `export_file`: a list or the metrics as a file to hand on (`.xlsx` or CSV in UTF-8
//! with BOM), Chinese headers, dates in the user's language, and every customer as
//! the viewer sees it: the rows come from the same commands as the screens
//! (`lead_list`, `collisions_list`, `metrics`), so a rep exporting the pool or a list
//! gets the masked contacts the screen shows, and a rep cannot export the team.
//!
//! The bytes go back with the answer (base64): the webview downloads them as a Blob,
//! the CLI writes them where it was told. The core never writes to a path the webview
//! names.

use base64::Engine;
use chrono::{DateTime, Utc};
use leadguard_import::{Cell, Table};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::leads::{ListFilter, LeadListArgs};
use super::Context;
use crate::error::ApiError;
use crate::locale_text;
use crate::notifications::UiLocale;
use crate::visibility::LeadView;
use crate::Reason;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportWhat {
    /// My customers (protected or deal).
    Mine,
    /// The public pool (公海).
    Pool,
    /// The branch's customers (managers).
    Team,
    /// Collision cases (a rep: the cases naming them).
    #[serde(rename = "cases")]
    CollisionCases,
    /// The branch's health metrics (managers).
    Metrics,
    /// This month's clean-up report per rep (月度清查; a rep: their own line).
    Monthly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Xlsx,
    Csv,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportArgs {
    pub what: ExportWhat,
    #[serde(default)]
    pub format: ExportFormat,
}

/// A file for the user to save: its suggested name and its bytes in base64.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FileDownload {
    pub file_name: String,
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `text/csv`.
    pub mime: String,
    pub content_base64: String,
    /// Data rows written (all sheets).
    pub rows: u32,
}

/// The tables as a file in `format`; several tables in a CSV follow one another with
/// a blank line between.
pub(super) fn download(stem: &str, format: ExportFormat, tables: &[Table]) -> Result<FileDownload, ApiError> {
    let bytes = match format {
        ExportFormat::Xlsx => leadguard_import::to_xlsx(tables).map_err(|e| Reason::Storage { detail: e.to_string() })?,
        ExportFormat::Csv => {
            let mut out = Vec::new();
            for (i, t) in tables.iter().enumerate() {
                let csv = leadguard_import::to_csv(t);
                if i == 0 {
                    out.extend_from_slice(&csv);
                } else {
                    out.extend_from_slice(b"\r\n");
                    out.extend_from_slice(csv.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(&csv));
                }
            }
            out
        }
    };
    Ok(FileDownload {
        file_name: format!("{stem}.{}", format.extension()),
        mime: match format {
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            ExportFormat::Csv => "text/csv;charset=utf-8".into(),
        },
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        rows: tables.iter().map(|t| t.rows.len() as u32).sum(),
    })
}

/// The user's language on this device (zh-CN when there is no registry yet).
pub(super) fn locale(ctx: &mut Context) -> UiLocale {
    ctx.registry().ok().and_then(|r| r.ui_locale().ok()).unwrap_or_default()
}

fn when(locale: UiLocale, at: Option<DateTime<Utc>>) -> Cell {
    at.map_or(Cell::Empty, |t| Cell::Text(locale_text::date_time(locale, t)))
}

fn word(locale: UiLocale, key: &str, fallback: &str) -> String {
    locale_text::message(locale, key).unwrap_or(fallback).to_owned()
}

fn state_word(locale: UiLocale, lead: &LeadView) -> String {
    let state = serde_json::to_value(lead.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let key = match state.as_str() {
        "deal" => "bound",
        "incomplete" => "unclaimed",
        s => s,
    };
    word(locale, &format!("lead.status.{key}"), &state)
}

const LEAD_HEADERS: &[&str] = &[
    "客户编号", "公司名称", "联系人", "电话", "邮箱", "区域", "行业", "规模", "需求", "备注", "状态", "负责人", "保护截止", "登记时间", "更新时间", "联系方式",
];

fn lead_table(name: &str, locale: UiLocale, leads: &[LeadView]) -> Table {
    let mut t = Table::new(name, LEAD_HEADERS);
    for l in leads {
        let f = &l.fields;
        t.push(vec![
            l.id.as_str().into(),
            f.company.clone().into(),
            f.contact.clone().into(),
            f.phone.clone().into(),
            f.email.clone().into(),
            f.region.clone().into(),
            f.industry.clone().into(),
            f.size.clone().into(),
            f.need.clone().into(),
            f.notes.clone().into(),
            state_word(locale, l).into(),
            l.owner_name.clone().or_else(|| l.owner.clone()).into(),
            when(locale, l.protected_until),
            when(locale, l.registered_at),
            when(locale, l.updated_at),
            // Said in the file, so nobody takes a masked phone for a wrong one.
            if l.masked { "已隐藏（他人跟进）" } else { "可见" }.into(),
        ]);
    }
    t
}

/// Every page of a list, as `lead_list` answers it for the session's user.
fn all_leads(ctx: &mut Context, filter: ListFilter) -> Result<Vec<LeadView>, ApiError> {
    const PAGE: u32 = 1000;
    let mut out = Vec::new();
    loop {
        let args = LeadListArgs { filter: Some(filter), limit: Some(PAGE), offset: Some(out.len() as u64), ..Default::default() };
        let page = super::leads::lead_list(ctx, args)?;
        let n = page.items.len();
        out.extend(page.items);
        if n < PAGE as usize {
            return Ok(out);
        }
    }
}

fn cases_table(ctx: &mut Context, locale: UiLocale) -> Result<Table, ApiError> {
    let list = super::collisions::collisions_list(ctx, super::CollisionListArgs { mine: None })?;
    let reg = ctx.registry()?;
    let name = |id: &str| reg.rep(id).map_or_else(|| id.to_owned(), |r| r.name.clone());
    let mut t = Table::new("撞单案件", &["案件编号", "类型", "状态", "涉及销售", "线索", "发现时间", "处理期限", "已超期", "待答复申诉"]);
    for c in &list.cases {
        let kind = serde_json::to_value(c.case.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let state = serde_json::to_value(c.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        t.push(vec![
            c.case.id.as_str().into(),
            word(locale, &format!("collisions.kind.{kind}"), &kind).into(),
            word(locale, &format!("collisions.state.{state}"), &state).into(),
            c.case.reps.iter().map(|r| name(r)).collect::<Vec<_>>().join("、").into(),
            c.case.lead_ids.join("、").into(),
            when(locale, c.case.surfaced_at),
            when(locale, c.due_at),
            if c.overdue { "是" } else { "否" }.into(),
            c.open_appeals.into(),
        ]);
    }
    Ok(t)
}

fn metrics_tables(ctx: &mut Context, locale: UiLocale) -> Result<Vec<Table>, ApiError> {
    let m = super::metrics::metrics(ctx, super::MetricsArgs { days: None, heat_days: None })?;
    let reg = ctx.registry()?;
    let name = |id: &str| reg.rep(id).map_or_else(|| id.to_owned(), |r| r.name.clone());
    let mut summary = Table::new("汇总", &["指标", "数值"]);
    let opt = |x: Option<f64>| x.map_or(Cell::Empty, |v| Cell::Number((v * 10.0).round() / 10.0));
    for (label, value) in [
        ("统计开始", when(locale, Some(m.since))),
        ("统计截止", when(locale, Some(m.until))),
        ("认领的客户", m.claimed_leads.into()),
        ("涉及撞单的客户", m.leads_in_cases.into()),
        ("撞单率（%）", Cell::Number((m.duplicate_claim_rate * 1000.0).round() / 10.0)),
        ("撞单率目标（%）", Cell::Number((m.duplicate_claim_target * 1000.0).round() / 10.0)),
        ("保护期数", m.protection_periods.into()),
        ("已用保护期数", m.protection_periods_used.into()),
        ("保护期利用率（%）", opt(m.protection_utilisation.map(|u| u * 100.0))),
        ("案件数", m.turnaround.cases.into()),
        ("已裁决", m.turnaround.decided.into()),
        ("未解决", m.turnaround.unsettled.into()),
        ("裁决用时中位数（小时）", opt(m.turnaround.median_hours)),
        ("裁决用时最长（小时）", opt(m.turnaround.max_hours)),
        ("超过目标", m.turnaround.over_target.into()),
        ("目标（小时）", m.turnaround.target_hours.into()),
        ("申诉", m.turnaround.appeals.into()),
        ("已答复申诉", m.turnaround.appeals_answered.into()),
        ("逾期申诉", m.turnaround.appeals_overdue.into()),
    ] {
        summary.push(vec![label.into(), value]);
    }
    let mut per_rep = Table::new("每月撞单", &["销售", "月份", "撞单次数"]);
    for r in &m.per_rep_month {
        per_rep.push(vec![name(&r.rep).into(), r.month.as_str().into(), r.collisions.into()]);
    }
    let mut heat = Table::new("客户热度", &["客户编号", "公司名称", "日期", "接触次数", "销售人数"]);
    for h in &m.heat {
        heat.push(vec![h.lead_id.as_str().into(), h.company.as_str().into(), h.day.as_str().into(), h.touches.into(), h.reps.into()]);
    }
    Ok(vec![summary, per_rep, heat])
}

fn monthly_table(ctx: &mut Context) -> Result<Table, ApiError> {
    let r = super::metrics::monthly_report(ctx, super::MonthlyReportArgs::default())?;
    let mut t = Table::new(&format!("月度清查 {}", r.month), &["销售", "保有客户", "24小时内到期", "本月登记", "本月认领", "本月释放", "本月掉公海"]);
    for x in &r.reps {
        t.push(vec![x.name.as_str().into(), x.held.into(), x.expiring.into(), x.registered.into(), x.claimed.into(), x.released.into(), x.expired.into()]);
    }
    Ok(t)
}

pub(super) fn export_file(ctx: &mut Context, a: ExportArgs) -> Result<FileDownload, ApiError> {
    let locale = locale(ctx);
    let stamp = ctx.now().with_timezone(&chrono::Local).format("%Y%m%d").to_string();
    let (stem, tables) = match a.what {
        ExportWhat::Mine => ("我的客户", vec![lead_table("我的客户", locale, &all_leads(ctx, ListFilter::Mine)?)]),
        ExportWhat::Pool => ("公海", vec![lead_table("公海", locale, &all_leads(ctx, ListFilter::Pool)?)]),
        ExportWhat::Team => ("团队客户", vec![lead_table("团队客户", locale, &all_leads(ctx, ListFilter::Team)?)]),
        ExportWhat::CollisionCases => ("撞单案件", vec![cases_table(ctx, locale)?]),
        ExportWhat::Metrics => ("健康指标", metrics_tables(ctx, locale)?),
        ExportWhat::Monthly => ("月度清查", vec![monthly_table(ctx)?]),
    };
    download(&format!("{stem}-{stamp}"), a.format, &tables)
}
