//! Every write of the registry, each one SQLite transaction.
//!
//! A write appends an event to a lead in its shard document, commits it as one
//! Automerge change (message `{dev, rep, at, ev}`), stores the change, hands the lead
//! to the derived-state pipeline ([`crate::derived`]) and commits: only then does the
//! command report success. The event is first replayed on the lead's current status
//! ([`crate::status::check`]) so a command that breaks a rule is refused with a typed
//! error and nothing is written.

use chrono::{DateTime, Utc};

use crate::derived::{self, Batch, LeadChange};
use crate::documents::DocCache;
use crate::error::{Error, Result};
use crate::lead_index;
use crate::layout;
use crate::model::{Event, EventKind, LeadFields, Role};
use crate::policy::Policy;
use crate::registry::{new_id, Registry, Target, Written};
use crate::status;

/// Who may take customers over in a handover.
const HANDOVER_TARGETS: [Role; 2] = [Role::Rep, Role::Manager];

/// A rep's answer to the duplicate warning when registering anyway (仍然登记).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Acknowledgement {
    /// The known leads the warning named.
    pub leads: Vec<String>,
    /// Why the rep registers anyway.
    pub reason: Option<String>,
    /// The rep asks to work the customer with its owner (申请协作), not to take it.
    pub collaborate: bool,
}

impl Registry {
    /// Appends events (each on behalf of `rep`) in one transaction. Commands use the
    /// session rep; seeding and tests may write for others.
    pub fn write_events(&mut self, items: Vec<(Target, String, EventKind)>, now: DateTime<Utc>) -> Result<Vec<Written>> {
        self.write_events_at(items.into_iter().map(|(t, r, k)| (t, r, k, now)).collect())
    }

    /// Like [`Registry::write_events`] with a device time per event (seeding history).
    pub fn write_events_at(&mut self, items: Vec<(Target, String, EventKind, DateTime<Utc>)>) -> Result<Vec<Written>> {
        let after = self.last_sync_at()?;
        let edits_fields = items.iter().any(|i| matches!(i.2, EventKind::Register { .. } | EventKind::Update { .. }));
        if edits_fields {
            self.warm_dedup()?;
        }
        self.transact(|reg| {
            let mut out: Vec<Written> = Vec::with_capacity(items.len());
            let mut batch = Batch::default();
            for (target, rep, kind, at) in items {
                let target = match target {
                    Target::Previous => Target::Lead(
                        out.last().map(|w| w.lead_id.clone()).ok_or_else(|| Error::from(crate::Reason::NoPreviousItem {}))?,
                    ),
                    t => t,
                };
                let w = reg.write_one(&mut batch, target, &rep, kind, at, after)?;
                out.push(w);
            }
            derived::finish(reg, &batch)?;
            Ok(out)
        })
    }

    fn write_one(
        &mut self,
        batch: &mut Batch,
        target: Target,
        rep: &str,
        kind: EventKind,
        now: DateTime<Utc>,
        after: Option<DateTime<Utc>>,
    ) -> Result<Written> {
        let (lead_id, doc_id, branch, events) = match target {
            Target::New => {
                let doc_id = self.current_shard()?;
                (new_id(), doc_id, self.branch().to_string(), Vec::new())
            }
            Target::Previous => return Err(crate::Reason::NoPreviousItem {}.into()),
            Target::Lead(id) => {
                let row = lead_index::get(&self.conn, &id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Lead, id: id.clone() }))?;
                let loaded = self.docs.get(&self.conn, &row.doc_id)?;
                let events = layout::read_events(&loaded.doc, &id)?
                    .ok_or_else(|| Error::Corrupt(format!("lead {id} is indexed but missing from {}", row.doc_id)))?;
                (id, row.doc_id, row.branch, events)
            }
        };
        // On an enrolled device contacts are written sealed (docs/VISIBILITY.md).
        let kind = match kind {
            EventKind::Register { fields } => {
                EventKind::Register { fields: self.seal_for_write(&lead_id, events.is_empty(), false, fields)? }
            }
            EventKind::Update { fields } => {
                let prior_sealed = events.iter().any(|e| match &e.kind {
                    EventKind::Register { fields } | EventKind::Update { fields } => crate::sealing::has_sealed(fields),
                    _ => false,
                });
                EventKind::Update { fields: self.seal_for_write(&lead_id, false, prior_sealed, fields)? }
            }
            // Free text about the customer is sealed under the lead's key too.
            other => self.seal_free_text(&lead_id, other)?,
        };
        let event = Event { id: new_id(), kind, rep: rep.to_string(), device: self.device().to_string(), device_time: now, after };
        crate::schema_check::check_event(&event)?;
        let policy = self.lead_policy(&branch, &doc_id);
        let mut all = events;
        let timing = self.timing(&all)?;
        let status = status::check(&all, &policy, &event, &timing)
            .map_err(|r| r.into_error_named(|id| self.rep(id).map(|r| r.name.clone())))?;
        let message = self.message(rep, now, &[&event.id]);
        let loaded = self.docs.get(&self.conn, &doc_id)?;
        layout::append_event(&mut loaded.doc, &lead_id, &event)?;
        let mut carried = Vec::new();
        if let Some(c) = self.docs.commit(&self.conn, &doc_id, &message, now.timestamp())? {
            carried.push((event.id.clone(), c.hash.0));
        }
        crate::audit::record_events(&self.conn, &lead_id, std::slice::from_ref(&event))?;
        if matches!(event.kind, EventKind::Register { .. }) {
            self.conn.execute("UPDATE docs SET lead_count = lead_count + 1 WHERE doc_id = ?1", [&doc_id])?;
        }
        all.push(event.clone());
        let fields_changed = matches!(event.kind, EventKind::Register { .. } | EventKind::Update { .. });
        let change = LeadChange::new(&lead_id, &doc_id, &branch, &all, &carried);
        derived::lead_changed(self, batch, change, fields_changed)?;
        Ok(Written { lead_id, event, status })
    }

    /// Writes to the directory document of the session's branch.
    pub(crate) fn write_directory(
        &mut self,
        rep: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut automerge::AutoCommit) -> Result<()>,
    ) -> Result<()> {
        let branch = self.branch().to_string();
        let id = layout::directory_doc_id(&branch);
        let message = self.message(rep, now, &[]);
        self.transact(|reg| {
            // (A distributor's laptop created its directory document at init, in a
            // `local:` scope: lifecycle.rs.)
            if !DocCache::exists(&reg.conn, &id)? {
                reg.docs.create(&reg.conn, &id, &layout::branch_scope(&branch))?;
            }
            let loaded = reg.docs.get(&reg.conn, &id)?;
            f(&mut loaded.doc)?;
            reg.docs.commit(&reg.conn, &id, &message, now.timestamp())?;
            Ok(())
        })?;
        self.reload_directory(&branch)
    }

    /// Registers a new lead. It is claimed at once if the registration is complete.
    pub fn add_lead(&mut self, fields: LeadFields, now: DateTime<Utc>) -> Result<Written> {
        self.add_lead_acknowledging(fields, &[], now)
    }

    /// Registers a lead; when the rep registers it although the duplicate check named
    /// `acknowledged` leads, that is recorded with the registration (one transaction).
    pub fn add_lead_acknowledging(&mut self, fields: LeadFields, acknowledged: &[String], now: DateTime<Utc>) -> Result<Written> {
        let ack = Acknowledgement { leads: acknowledged.to_vec(), ..Acknowledgement::default() };
        self.add_lead_with_acknowledgement(fields, ack, now)
    }

    /// Registers a lead with the rep's acknowledgement of the duplicate warning (the
    /// leads it named, their reason, whether they ask to collaborate), one transaction.
    pub fn add_lead_with_acknowledgement(&mut self, fields: LeadFields, ack: Acknowledgement, now: DateTime<Utc>) -> Result<Written> {
        if fields.is_empty() {
            return Err(crate::Reason::LeadNeedsField {}.into());
        }
        let me = self.session()?.id.clone();
        let mut items = vec![(Target::New, me.clone(), EventKind::Register { fields })];
        if !ack.leads.is_empty() {
            let mut leads = ack.leads;
            leads.sort();
            leads.dedup();
            let reason = ack.reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
            items.push((Target::Previous, me, EventKind::DuplicateAcknowledged { leads, reason, collaborate: ack.collaborate }));
        }
        Ok(self.write_events(items, now)?.remove(0))
    }

    /// Registers many leads in one transaction (imports, demo, benchmarks).
    pub fn add_leads(&mut self, leads: Vec<LeadFields>, now: DateTime<Utc>) -> Result<Vec<Written>> {
        let me = self.session()?.id.clone();
        self.write_events(
            leads.into_iter().map(|f| (Target::New, me.clone(), EventKind::Register { fields: f })).collect(),
            now,
        )
    }

    /// Appends one event on behalf of the session rep.
    pub fn act(&mut self, lead_id: &str, kind: EventKind, now: DateTime<Utc>) -> Result<Written> {
        let me = self.session()?.id.clone();
        Ok(self.write_events(vec![(Target::Lead(lead_id.to_string()), me, kind)], now)?.remove(0))
    }

    /// Moves every lead `from` owns to `to` in one transaction, and marks `from` as
    /// departed. History is kept: each lead gets a `handover` event.
    pub fn handover(&mut self, from: &str, to: &str, now: DateTime<Utc>) -> Result<Vec<String>> {
        let me = self.require_role(&[Role::Manager], "hand customers over")?.id.clone();
        if from == to {
            return Err(crate::Reason::HandoverSameRep {}.into());
        }
        let mut departing = self.rep(from).cloned().ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: from.to_string() }))?;
        let target = self.rep(to).ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: to.to_string() }))?;
        if !target.active {
            return Err(crate::Reason::RepLeft { rep: to.to_string() }.into());
        }
        // Customers go to someone who follows customers, never to a distributor's or the
        // front desk's account (their laptops would then hold the branch's contacts).
        if !HANDOVER_TARGETS.contains(&target.role) {
            return Err(crate::Reason::HandoverTarget { rep: to.to_string(), roles: HANDOVER_TARGETS.to_vec() }.into());
        }
        let leads = lead_index::owned_by(&self.conn, from, now)?;
        let items = leads
            .iter()
            .map(|(id, _)| {
                (Target::Lead(id.clone()), me.clone(), EventKind::Handover { from: from.into(), to: to.into() })
            })
            .collect();
        self.write_events(items, now)?;
        departing.active = false;
        self.write_directory(&me, now, |doc| layout::put_rep(doc, &departing))?;
        Ok(leads.into_iter().map(|(id, _)| id).collect())
    }

    /// Sets the branch policy (managers only) and re-derives the branch's index rows.
    pub fn set_policy(&mut self, policy: Policy, now: DateTime<Utc>) -> Result<()> {
        let me = self.require_role(&[Role::Manager], "set the protection policy")?.id.clone();
        policy.validate()?;
        self.write_directory(&me, now, |doc| layout::put_policy(doc, &policy))?;
        // Statuses, and whether an edit completed a registration (cases), depend on it.
        self.reindex()?;
        Ok(())
    }

    /// Re-derives every lead through the derived-state pipeline (after a policy
    /// change, or when the derived state is suspect). Returns the number of leads.
    pub fn reindex(&mut self) -> Result<u64> {
        self.transact(|reg| {
            let mut batch = Batch::default();
            let n = derived::reindex_all(reg, &mut batch, None)?;
            derived::finish(reg, &batch)?;
            Ok(n)
        })
    }
}
