//! The front desk (前台接待, docs/RULES.md rule 16): a receptionist records a walk-in
//! visit — time in and out, the inviting rep, first visit or not.
//!
//! The visitor is matched to a known customer by the duplicate check on what the
//! receptionist types (company, phone, contact). A match gets a `visit` event written
//! by the receptionist: evidence for whoever owns the customer, like a store visit
//! (status), timed by the hub's receipt of the receptionist's change like every
//! event. An unmatched visitor is registered on behalf of the day's duty rep (值班人员,
//! the branch's `duty_rota`): the `register` event names the duty rep as its `rep`
//! (the rep on whose behalf it was written) and the receptionist's device as its
//! `device`, so the duty rep owns the new customer on every replica without a second
//! step; the hub lets a receptionist's device register only on behalf of another rep,
//! never for itself. The visit itself follows as a `visit` event.
//!
//! Sealed contacts: a visit's note is contact class. On an enrolled device the
//! receptionist holds no lead key of a known customer, so the note of a matched visit
//! is left out (the answer says so); an unmatched visitor's note goes into the new
//! lead's `notes`, sealed with the new lead's key like its other contacts.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::{EventKind, LeadFields, Role};
use crate::registry::{Registry, Target};
use crate::status::LeadState;

/// What the receptionist typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct VisitInput {
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub time_in: DateTime<Utc>,
    #[serde(default)]
    pub time_out: Option<DateTime<Utc>>,
    /// The inviting rep (邀约人), a rep id.
    #[serde(default)]
    pub inviter: Option<String>,
    #[serde(default)]
    pub first_visit: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
    /// What the visitor came for; an unmatched visitor's registration needs one
    /// (default: 到店咨询).
    #[serde(default)]
    pub need: Option<String>,
}

/// Where a visit went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitRecorded {
    pub lead_id: String,
    /// The visitor was a known customer.
    pub matched: bool,
    /// Who follows the customer now (the owner, or the duty rep it was registered for).
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// The note was left out (sealed contacts: the front desk holds no key of a known customer).
    pub note_left_out: bool,
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// The branch's local weekday (China Standard Time, UTC+8), 1 = Monday.
pub fn local_weekday(t: DateTime<Utc>) -> u32 {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.with_timezone(&cst).weekday().number_from_monday()
}

impl Registry {
    /// The duty rep (值班人员) of the weekday of `t`, if the rota names one.
    pub fn duty_rep_at(&self, t: DateTime<Utc>) -> Option<String> {
        let policy = self.policy(self.branch());
        let day = local_weekday(t) as usize - 1;
        policy.duty_rota.get(day).map(|r| r.trim().to_string()).filter(|r| !r.is_empty())
    }

    /// Records a walk-in visit (receptionists only).
    pub fn record_visit(&mut self, v: VisitInput, now: DateTime<Utc>) -> Result<VisitRecorded> {
        let me = self.require_role(&[Role::Receptionist], "record a visit")?.id.clone();
        if v.time_out.is_some_and(|out| out < v.time_in) {
            return Err(crate::Reason::VisitTimesReversed {}.into());
        }
        let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let typed = LeadFields { company: clean(&v.company), contact: clean(&v.contact), phone: clean(&v.phone), ..LeadFields::default() };
        if typed.is_empty() {
            return Err(crate::Reason::LeadNeedsField {}.into());
        }
        crate::contact_input::check(&typed)?;
        let note = clean(&v.note);
        let inviter = clean(&v.inviter);
        let enrolled = self.company_keys()?.is_some();
        let mut matched = None;
        for (id, _) in self.duplicates(&typed, 5, None)? {
            let (_, s) = self.status(&id, now)?;
            if s.state != LeadState::Merged {
                matched = Some((id, s));
                break;
            }
        }
        let visit = |note: Option<String>| EventKind::Visit {
            time_in: v.time_in,
            time_out: v.time_out,
            inviter: inviter.clone(),
            first_visit: v.first_visit.unwrap_or(false),
            note,
        };
        let name = |reg: &Registry, r: &Option<String>| r.as_deref().map(|r| reg.rep(r).map_or_else(|| r.to_string(), |x| x.name.clone()));
        if let Some((id, s)) = matched {
            let note_left_out = enrolled && note.is_some();
            let kept = if enrolled { None } else { note };
            self.write_events(vec![(Target::Lead(id.clone()), me, visit(kept))], now)?;
            let owner_name = name(self, &s.owner);
            let (zh, en) = match &owner_name {
                Some(n) => (format!("已匹配到{n}的客户，来访已记为跟进证据"), format!("matched {n}'s customer: the visit is evidence of their follow-up")),
                None => ("已匹配到公海或未认领的客户，来访已记录".to_string(), "matched a customer nobody follows now: the visit is recorded".to_string()),
            };
            return Ok(VisitRecorded { lead_id: id, matched: true, owner: s.owner, owner_name, note_left_out, explanation_zh: zh, explanation_en: en });
        }
        let duty = self.duty_rep_at(v.time_in).ok_or_else(|| crate::Error::from(crate::Reason::NoDutyRep { weekday: local_weekday(v.time_in) }))?;
        let need = clean(&v.need).unwrap_or_else(|| "到店咨询（前台登记）".to_string());
        let fields = LeadFields { notes: note, need: Some(need), ..typed };
        let written = self.write_events(
            vec![(Target::New, duty.clone(), EventKind::Register { fields }), (Target::Previous, me, visit(None))],
            now,
        )?;
        let owner = Some(duty);
        let owner_name = name(self, &owner);
        let n = owner_name.clone().unwrap_or_default();
        Ok(VisitRecorded {
            lead_id: written[0].lead_id.clone(),
            matched: false,
            owner,
            owner_name,
            note_left_out: false,
            explanation_zh: format!("未匹配到已有客户，已登记为今日值班人员{n}的新客户"),
            explanation_en: format!("no known customer: registered as a new customer of today's duty rep {n}"),
        })
    }
}
