//! Notifications (docs/RULES.md rule 6: "both reps and their manager are told"): a new
//! case, a decision, a conflict between decisions, an appeal; and a reminder to the
//! owner 24 h before a customer's protection ends. Derived from the cases and leads
//! the session's user can see, so every device tells its user about what it has
//! merged, offline or not; only "seen" and "shown on the desktop" are stored, per
//! device.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::collisions::resolution::CaseState;
use crate::error::Result;
use crate::model::{Outcome, Role};
use crate::registry::Registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    CaseOpened,
    Decision,
    Conflict,
    Appeal,
    AppealOverdue,
    /// One of my customers' protection ends within 24 h.
    ProtectionEnding,
}

/// How long before protection ends the owner is reminded.
pub const PROTECTION_REMINDER_HOURS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Notification {
    /// Stable: the same event gives the same id on every call.
    pub id: String,
    pub kind: NotificationKind,
    /// The case it is about (empty for a protection reminder).
    pub case_id: String,
    /// The customer a protection reminder is about.
    pub lead_id: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub seen: bool,
    pub delivered: bool,
}

fn outcome_text(o: &Outcome, name: &dyn Fn(&str) -> String) -> (String, String) {
    match o {
        Outcome::Owner { rep } => (format!("归属 {}", name(rep)), format!("owner {}", name(rep))),
        Outcome::Split { shares } => {
            let zh: Vec<String> = shares.iter().map(|s| format!("{} {}%", name(&s.rep), s.pct)).collect();
            (format!("分佣 {}", zh.join(" / ")), format!("split {}", zh.join(" / ")))
        }
        Outcome::Pool => ("归公（进入公海）".into(), "to the company pool".into()),
        Outcome::Merge { owner, .. } => (format!("合并重复线索，归属 {}", name(owner)), format!("merged, owner {}", name(owner))),
        Outcome::Undo => ("撤销裁决".into(), "decision withdrawn".into()),
    }
}

impl Registry {
    /// Notifications for the session's user at `now`, newest first.
    pub fn notifications(&mut self, now: DateTime<Utc>) -> Result<Vec<Notification>> {
        let me = self.session()?.clone();
        let mine = (me.role != Role::Manager).then_some(me.id.as_str());
        let cases = self.collision_cases(mine)?;
        let mut out = Vec::new();
        for case in cases {
            let r = self.case_resolution(&case, now)?;
            let names: Vec<String> = case.reps.iter().map(|id| self.rep(id).map(|r| r.name.clone()).unwrap_or(id.clone())).collect();
            let who = names.join("、");
            let name = |id: &str| self.rep(id).map(|r| r.name.clone()).unwrap_or_else(|| id.to_string());
            let company = case
                .lead_ids
                .first()
                .and_then(|l| self.row(l).ok())
                .map(|r| r.company)
                .unwrap_or_default();
            let mut push = |id: String, kind, at, tz: String, te: String, bz: String, be: String| {
                out.push(Notification {
                    id,
                    kind,
                    case_id: case.id.clone(),
                    lead_id: None,
                    at,
                    title_zh: tz,
                    title_en: te,
                    body_zh: bz,
                    body_en: be,
                    seen: false,
                    delivered: false,
                })
            };
            push(
                format!("case:{}", case.id),
                NotificationKind::CaseOpened,
                case.surfaced_at,
                "撞单提醒".into(),
                "Collision".into(),
                format!("【{company}】被 {who} 同时跟进，等待经理裁决"),
                format!("{company}: claimed by {who}; awaiting a manager's decision"),
            );
            for d in &r.decisions {
                let (oz, oe) = outcome_text(&d.outcome, &name);
                push(
                    format!("decision:{}", d.decision),
                    NotificationKind::Decision,
                    Some(d.received_at.unwrap_or(d.device_time)),
                    "撞单裁决".into(),
                    "Decision".into(),
                    format!("【{company}】{}：{oz}。理由：{}", name(&d.by), d.reason),
                    format!("{company}: {} decided {oe}. Reason: {}", name(&d.by), d.reason),
                );
            }
            if r.state == CaseState::Conflict {
                let ids: Vec<&str> = r.decisions.iter().filter(|d| !d.superseded).map(|d| d.decision.as_str()).collect();
                push(
                    format!("conflict:{}:{}", case.id, ids.join(",")),
                    NotificationKind::Conflict,
                    r.decisions.iter().map(|d| d.received_at.unwrap_or(d.device_time)).max(),
                    "裁决冲突".into(),
                    "Conflicting decisions".into(),
                    format!("【{company}】两位经理的裁决不一致，请协商后重新裁决"),
                    format!("{company}: managers decided differently; decide again to settle it"),
                );
            }
            for a in &r.appeals {
                push(
                    format!("appeal:{}", a.appeal),
                    NotificationKind::Appeal,
                    Some(a.received_at.unwrap_or(a.device_time)),
                    "申诉".into(),
                    "Appeal".into(),
                    format!("【{company}】{} 提出申诉：{}", name(&a.by), a.note),
                    format!("{company}: {} appealed: {}", name(&a.by), a.note),
                );
                if a.overdue {
                    push(
                        format!("overdue:{}", a.appeal),
                        NotificationKind::AppealOverdue,
                        Some(a.due_at),
                        "申诉超时".into(),
                        "Appeal overdue".into(),
                        format!("【{company}】的申诉已超过 24 小时未处理"),
                        format!("{company}: the appeal is past its 24 h target"),
                    );
                }
            }
        }
        out.extend(self.protection_reminders(&me.id, now)?);
        let mut stmt = self.conn.prepare_cached("SELECT seen, delivered FROM notification_state WHERE id = ?1")?;
        for n in &mut out {
            if let Some((seen, delivered)) =
                rusqlite::OptionalExtension::optional(stmt.query_row([&n.id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))))?
            {
                n.seen = seen != 0;
                n.delivered = delivered != 0;
            }
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// A reminder per customer of `me` whose protection ends within
    /// [`PROTECTION_REMINDER_HOURS`]; its id carries the end, so a follow-up that extends
    /// the protection earns a new reminder before the new end.
    fn protection_reminders(&self, me: &str, now: DateTime<Utc>) -> Result<Vec<Notification>> {
        let filter = crate::lead_index::Filter::Expiring { hours: PROTECTION_REMINDER_HOURS, owner: Some(me.to_string()) };
        let page = self.list(&filter, None, now, 200, 0)?;
        Ok(page
            .rows
            .into_iter()
            .filter_map(|row| {
                let until = row.protected_until?;
                let company = row.company;
                Some(Notification {
                    id: format!("expiring:{}:{}", row.lead_id, until.timestamp()),
                    kind: NotificationKind::ProtectionEnding,
                    case_id: String::new(),
                    lead_id: Some(row.lead_id),
                    at: Some(until - chrono::Duration::hours(i64::from(PROTECTION_REMINDER_HOURS))),
                    title_zh: "保护期即将结束".into(),
                    title_en: "Protection ending".into(),
                    body_zh: format!("【{company}】的保护期将在 24 小时内结束；拜访、寄样、报价或到店可延长保护期，电话不延长"),
                    body_en: format!("{company}: protection ends within 24 h; a visit, sample, quote or store visit extends it, a call does not"),
                    seen: false,
                    delivered: false,
                })
            })
            .collect())
    }

    /// Marks notifications as seen in the app (and so also not to show on the desktop).
    pub fn mark_notifications_seen(&mut self, ids: &[String]) -> Result<()> {
        self.transact(|reg| {
            for id in ids {
                reg.conn.execute(
                    "INSERT INTO notification_state(id, seen, delivered) VALUES (?1, 1, 1)
                     ON CONFLICT(id) DO UPDATE SET seen = 1, delivered = 1",
                    params![id],
                )?;
            }
            Ok(())
        })
    }

    /// Notifications not yet shown on the desktop; marks them shown.
    pub fn take_undelivered_notifications(&mut self, now: DateTime<Utc>) -> Result<Vec<Notification>> {
        let fresh: Vec<Notification> = self.notifications(now)?.into_iter().filter(|n| !n.delivered && !n.seen).collect();
        self.transact(|reg| {
            for n in &fresh {
                reg.conn.execute(
                    "INSERT INTO notification_state(id, delivered) VALUES (?1, 1)
                     ON CONFLICT(id) DO UPDATE SET delivered = 1",
                    params![n.id],
                )?;
            }
            Ok(())
        })?;
        Ok(fresh)
    }
}

/// The language the user chose in the UI. Desktop notifications are shown in it: the
/// UI records the choice with `ui_locale_set`, and the desktop shell reads it here
/// (the process environment's `$LANG` says nothing about that choice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum UiLocale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en-US")]
    EnUs,
}

/// Where the choice is kept: this device's `meta` table (not synced: a language is per device).
const UI_LOCALE_KEY: &str = "ui_locale";

impl Notification {
    /// Title and body in `locale`.
    pub fn text(&self, locale: UiLocale) -> (&str, &str) {
        match locale {
            UiLocale::ZhCn => (&self.title_zh, &self.body_zh),
            UiLocale::EnUs => (&self.title_en, &self.body_en),
        }
    }
}

impl Registry {
    /// The UI's language on this device (zh-CN until the user picks another).
    pub fn ui_locale(&self) -> Result<UiLocale> {
        let stored = crate::store::meta_get(&self.conn, UI_LOCALE_KEY)?;
        Ok(stored.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok()).unwrap_or_default())
    }

    /// Records the UI's language for the desktop notifications.
    pub fn set_ui_locale(&mut self, locale: UiLocale) -> Result<()> {
        let text = serde_json::to_value(locale).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        crate::store::meta_set(&self.conn, UI_LOCALE_KEY, Some(&text))
    }
}
