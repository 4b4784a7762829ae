//! `import_file`: a team's spreadsheet into the registry.
//!
//! The file's bytes come with the call (the UI reads a file the user picked; the CLI
//! reads the path it was given): the core never opens a path the webview names.
//! Rows of one customer within the file become one customer; a customer the importer
//! (or the named owner) already has is recognised and left alone, so importing a file
//! again — or again after an import was cut off half-way — registers nothing twice;
//! a customer someone else works is not registered unless the caller says so, and then
//! it is recorded like 仍然登记: with the acknowledged matches, so a case opens.

use base64::Engine;
use chrono::{DateTime, Utc};
use leadguard_import::{BrokenReason, Field, FileCustomer};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::dedup::DuplicateMatch;
use super::Context;
use crate::error::ApiError;
use crate::model::{EventKind, LeadFields, Rep, Role};
use crate::registry::Target;
use crate::{FormField, Reason};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportArgs {
    /// The file's name, for messages.
    pub file_name: String,
    /// The file's bytes in base64: `.xlsx`, `.xls`, or CSV in UTF-8 or GBK.
    pub content_base64: String,
    /// The sheet to read (default: the first with a header row).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Register for this rep instead of the importer (managers; a 负责人 column names
    /// an owner per row).
    #[serde(default)]
    pub owner: Option<String>,
    /// Report what would happen; write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Also register customers someone else works (recorded as seen despite the warning).
    #[serde(default)]
    pub include_matches: bool,
    /// The user's column choices (the wizard's mapping step): they win over the
    /// recognised header names. Empty: the recognised names only.
    #[serde(default)]
    pub columns: Vec<ImportColumn>,
}

/// A column of the file and the lead field it fills (`None`: left out).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportColumn {
    /// The header as written in the file.
    pub header: String,
    /// company, contact, phone, email, region, industry, size, need, notes, address, owner.
    pub field: Option<String>,
}

/// A customer of the file and the spreadsheet rows it was written in.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportedCustomer {
    pub rows: Vec<u32>,
    pub company: String,
    /// The registered lead (none in a dry run).
    pub lead_id: Option<String>,
    pub owner: String,
    /// Why it went to `owner` when the branch's assignment rules chose (a manager's
    /// import without an owner column, rule 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub explanation_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub explanation_en: Option<String>,
}

/// A customer of the file that someone else already works.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportMatch {
    pub rows: Vec<u32>,
    pub company: String,
    /// The known customer, as the importer may see it (masked if someone else's).
    pub lead_id: String,
    pub owner_name: Option<String>,
    pub protected_until: Option<DateTime<Utc>>,
    pub score: f32,
    /// Registered anyway (`include_matches`).
    pub registered: bool,
}

/// A row that cannot become a customer, and why.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportBrokenRow {
    pub row: u32,
    pub error: ApiError,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportSummary {
    pub file_name: String,
    pub sheet: String,
    pub header_row: u32,
    /// Column header → lead field.
    pub columns: Vec<(String, String)>,
    /// Headers no field takes.
    pub ignored_columns: Vec<String>,
    pub rows_read: u32,
    /// Customers in the file after rows of one customer were merged.
    pub customers: u32,
    pub registered: Vec<ImportedCustomer>,
    /// Groups of rows that were one customer (more than one row each).
    pub merged_in_file: Vec<Vec<u32>>,
    /// Customers the importer (or the owner) already has: nothing new.
    pub already_known: Vec<ImportedCustomer>,
    pub matches: Vec<ImportMatch>,
    pub broken: Vec<ImportBrokenRow>,
    pub dry_run: bool,
}

fn form_field(f: Field) -> FormField {
    match f {
        Field::Company => FormField::Company,
        Field::Contact => FormField::Contact,
        Field::Phone => FormField::Phone,
        Field::Email => FormField::Email,
        Field::Region => FormField::Region,
        Field::Industry => FormField::Industry,
        Field::Size => FormField::Size,
        Field::Need => FormField::Need,
        Field::Notes | Field::Address => FormField::Notes,
        Field::Owner => FormField::Owner,
    }
}

fn broken_reason(r: &BrokenReason) -> Reason {
    match r {
        BrokenReason::NoCompany => Reason::FieldRequired { field: FormField::Company },
        BrokenReason::TooLong { field, chars, max } => {
            Reason::ImportTooLong { field: form_field(*field), chars: *chars as u32, max: *max as u32 }
        }
        BrokenReason::ControlCharacters { field } => Reason::ImportControlCharacters { field: form_field(*field) },
    }
}

/// The lead fields of a file customer; an address goes into the notes.
fn lead_fields(c: &FileCustomer) -> LeadFields {
    let get = |f: Field| c.get(f).map(str::to_owned);
    let notes = match (get(Field::Notes), get(Field::Address)) {
        (Some(n), Some(a)) => Some(format!("{n}\n地址：{a}")),
        (None, Some(a)) => Some(format!("地址：{a}")),
        (n, None) => n,
    };
    LeadFields {
        company: get(Field::Company),
        contact: get(Field::Contact),
        phone: get(Field::Phone),
        email: get(Field::Email),
        region: get(Field::Region),
        industry: get(Field::Industry),
        size: get(Field::Size),
        need: get(Field::Need),
        notes,
        relations: None,
        ..LeadFields::default()
    }
}

/// Whom a customer is for, checked against the directory and the importer's role.
fn owner_for(me: &Rep, wanted: Option<&str>, directory: impl Fn(&str) -> Option<Rep>) -> Result<String, Reason> {
    let Some(owner) = wanted.filter(|o| *o != me.id) else { return Ok(me.id.clone()) };
    if me.role != Role::Manager {
        return Err(Reason::ImportOwnerNotAllowed { owner: owner.to_owned() });
    }
    match directory(owner) {
        Some(r) if r.active && r.role != Role::Distributor => Ok(r.id),
        _ => Err(Reason::ImportUnknownOwner { owner: owner.to_owned() }),
    }
}

fn rows(c: &FileCustomer) -> Vec<u32> {
    c.rows.iter().map(|r| *r as u32).collect()
}

/// Customers written per transaction (1,000: fewer commits write faster, 500 took a
/// third longer in `make bench-import`): an import cut off (killed, power lost) keeps
/// whole batches, and a re-run finds them as the importer's own (`already_known`).
pub const IMPORT_BATCH: usize = 1000;

/// How far an import is: customers of the file decided on, of all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// A customer waiting for its batch's transaction.
struct Pending {
    index: usize,
    fields: LeadFields,
    acknowledged: Vec<String>,
    owner: String,
    /// Chosen by the assignment rules: the `assign` event's explanation.
    assigned: Option<String>,
}

/// Writes one batch in one transaction: each customer's registration, its
/// acknowledgement of others' customers, and its handover to a named owner.
fn commit(reg: &mut crate::Registry, me: &str, batch: Vec<Pending>, summary: &mut ImportSummary, now: DateTime<Utc>) -> Result<(), ApiError> {
    let mut items = Vec::new();
    let mut first_item = Vec::with_capacity(batch.len());
    for p in batch {
        first_item.push((items.len(), p.index));
        items.push((Target::New, me.to_owned(), EventKind::Register { fields: p.fields }));
        if !p.acknowledged.is_empty() {
            let mut leads = p.acknowledged;
            leads.sort();
            leads.dedup();
            items.push((Target::Previous, me.to_owned(), EventKind::DuplicateAcknowledged { leads, reason: None, collaborate: false }));
        }
        if let Some(reason) = p.assigned {
            // By the rules (rule 11): through the pool, so the `assign` event carries why.
            items.push((Target::Previous, me.to_owned(), EventKind::Release));
            items.push((Target::Previous, me.to_owned(), EventKind::Assign { to: p.owner, reason }));
        } else if p.owner != me {
            items.push((Target::Previous, me.to_owned(), EventKind::Handover { from: me.to_owned(), to: p.owner }));
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    let written = reg.write_events(items, now)?;
    for (item, index) in first_item {
        summary.registered[index].lead_id = Some(written[item].lead_id.clone());
    }
    Ok(())
}

pub(super) fn import_file(ctx: &mut Context, a: ImportArgs) -> Result<ImportSummary, ApiError> {
    let board = ctx.progress_board();
    let _running = super::sync::ImportRunning::start(&board);
    import_file_with_progress(ctx, a, &mut |p| board.set_import(Some(p)))
}

/// [`import_file`] reporting its progress every 100 customers decided on (the CLI's bar).
pub fn import_file_with_progress(ctx: &mut Context, a: ImportArgs, progress: &mut dyn FnMut(ImportProgress)) -> Result<ImportSummary, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a.content_base64.as_bytes())
        .map_err(|e| Reason::BadArguments { detail: format!("content_base64: {e}") })?;
    let mut mapping = Vec::with_capacity(a.columns.len());
    for c in &a.columns {
        let field = match c.field.as_deref() {
            None | Some("") => None,
            Some(name) => Some(Field::parse(name).ok_or_else(|| Reason::BadArguments { detail: format!("columns: no lead field {name:?}") })?),
        };
        mapping.push((c.header.clone(), field));
    }
    let table = leadguard_import::read_bytes_mapped(&a.file_name, &bytes, a.sheet.as_deref(), &mapping)
        .map_err(|e| Reason::ImportUnreadable { detail: e.to_string() })?;
    let now = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    if let Some(owner) = a.owner.as_deref() {
        // A wrong --owner is the whole import's problem, not each row's.
        owner_for(&me, Some(owner), |id| reg.rep(id).cloned())?;
    }
    let threshold = reg.policy(&me.branch).dup_threshold();
    // A manager's rows without an owner go by the branch's assignment rules, if it has any.
    let policy = reg.policy(&me.branch);
    let mut round = (me.role == Role::Manager && a.owner.is_none() && !policy.assignment.is_empty())
        .then(|| reg.assignment_round())
        .transpose()?;
    let customers = table.customers(threshold);
    // On an enrolled laptop matching and sealing each customer take three slow keyed
    // digests (a dry run matches too): compute them on all cores first.
    let fields: Vec<LeadFields> = customers.iter().map(lead_fields).collect();
    reg.prewarm_digests(&fields)?;
    let mut summary = ImportSummary {
        file_name: a.file_name.clone(),
        sheet: table.sheet.clone(),
        header_row: table.header_row as u32,
        columns: table.columns.iter().map(|(h, f)| (h.clone(), f.as_str().to_owned())).collect(),
        ignored_columns: table.ignored_columns.clone(),
        rows_read: table.rows_read as u32,
        customers: customers.len() as u32,
        registered: Vec::new(),
        merged_in_file: customers.iter().filter(|c| c.rows.len() > 1).map(rows).collect(),
        already_known: Vec::new(),
        matches: Vec::new(),
        broken: table.broken.iter().map(|b| ImportBrokenRow { row: b.row as u32, error: broken_reason(&b.reason).into() }).collect(),
        dry_run: a.dry_run,
    };
    let total = customers.len() as u32;
    let mut pending: Vec<Pending> = Vec::new();
    progress(ImportProgress { done: 0, total });
    for (done, c) in customers.iter().enumerate() {
        if pending.len() >= IMPORT_BATCH {
            commit(reg, &me.id, std::mem::take(&mut pending), &mut summary, now)?;
        }
        // Matching takes time too: the bar moves as customers are decided on.
        if done % 100 == 0 {
            progress(ImportProgress { done: done as u32, total });
        }
        let first_row = c.rows[0] as u32;
        let broken = |e: ApiError| ImportBrokenRow { row: first_row, error: e };
        let unowned = c.get(Field::Owner).is_none();
        let owner = match owner_for(&me, c.get(Field::Owner).or(a.owner.as_deref()), |id| reg.rep(id).cloned()) {
            Ok(o) => o,
            Err(r) => {
                summary.broken.push(broken(r.into()));
                continue;
            }
        };
        let fields = lead_fields(c);
        if let Err(e) = crate::contact_input::check(&fields) {
            summary.broken.push(broken(e.into()));
            continue;
        }
        let company = fields.company.clone().unwrap_or_default();
        let found: Vec<DuplicateMatch> = super::dedup::find(reg, &fields, None, 5, now)?.into_iter().filter(|m| m.likely).collect();
        let ours = |m: &DuplicateMatch| {
            m.lead.owner.as_deref() == Some(owner.as_str()) || m.lead.registered_by.as_deref() == Some(me.id.as_str())
        };
        if let Some(known) = found.iter().find(|m| ours(m)) {
            summary.already_known.push(ImportedCustomer { rows: rows(c), company, lead_id: Some(known.lead.id.clone()), owner, explanation_zh: None, explanation_en: None });
            continue;
        }
        let register = found.is_empty() || a.include_matches;
        for m in &found {
            summary.matches.push(ImportMatch {
                rows: rows(c),
                company: company.clone(),
                lead_id: m.lead.id.clone(),
                owner_name: m.lead.owner_name.clone(),
                protected_until: m.lead.protected_until,
                score: m.score,
                registered: register,
            });
        }
        if !register {
            continue;
        }
        let mut owner = owner;
        let mut why = None;
        if let Some(round) = round.as_mut().filter(|_| unowned && policy.is_complete(&fields)) {
            let choice = reg.choose_assignee(round, &fields, now)?;
            if let Some(to) = choice.to {
                owner = to;
            }
            why = Some((choice.explanation_zh, choice.explanation_en));
        }
        let assigned = why.as_ref().filter(|_| owner != me.id).map(|(zh, _)| zh.clone());
        if !a.dry_run {
            let acknowledged = found.iter().map(|m| m.lead.id.clone()).collect();
            pending.push(Pending { index: summary.registered.len(), fields, acknowledged, owner: owner.clone(), assigned });
        }
        let (explanation_zh, explanation_en) = why.unzip();
        summary.registered.push(ImportedCustomer { rows: rows(c), company, lead_id: None, owner, explanation_zh, explanation_en });
    }
    commit(reg, &me.id, pending, &mut summary, now)?;
    progress(ImportProgress { done: total, total });
    summary.broken.sort_by_key(|b| b.row);
    Ok(summary)
}
