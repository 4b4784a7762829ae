//! Why a command was refused, as data: a [`Reason`] names the rejection with a stable
//! snake_case identifier and carries what a sentence about it needs (a date, a rep, a
//! field). The UI words it from its own catalogs; [`std::fmt::Display`] gives the
//! English sentence the CLI prints. Each reason implies its [`ErrorCode`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error_code::ErrorCode;
use leadguard_schema::Role;

/// A form field a reason can point at, so the UI shows the sentence beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormField {
    Company,
    Contact,
    Phone,
    Email,
    Region,
    Industry,
    Size,
    Need,
    Notes,
    /// The written reason of a decision.
    Reason,
    /// The written reason of an appeal.
    Note,
    /// The rep a decision makes the owner.
    Owner,
    /// A split's shares.
    Shares,
    /// The lead that survives a merge.
    Into,
    /// The decision a new one replaces.
    Supersedes,
    /// A rep's or branch's display name.
    Name,
    /// A rep id.
    RepId,
    /// A branch id.
    Branch,
}

/// What a `not_found` reason was looking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Lead,
    Rep,
    CollisionCase,
    Document,
    /// A laptop enrolled with the hub.
    Device,
}

/// How the UI formats a param: a date in the UI's date style, a field or object kind
/// or role list through its catalog, text and numbers as they are.
pub trait ParamKind {
    const KIND: &'static str;
}
impl ParamKind for String {
    const KIND: &'static str = "text";
}
impl ParamKind for u32 {
    const KIND: &'static str = "number";
}
impl ParamKind for DateTime<Utc> {
    const KIND: &'static str = "date";
}
impl ParamKind for FormField {
    const KIND: &'static str = "field";
}
impl ParamKind for ObjectKind {
    const KIND: &'static str = "object";
}
impl ParamKind for Vec<Role> {
    const KIND: &'static str = "roles";
}

macro_rules! reasons {
    ($( $(#[$meta:meta])* $name:ident { $($field:ident : $ty:ty),* } => $code:ident ; )*) => {
        /// Why a command was refused. Never rename a variant or param: the UI's
        /// catalogs and scripts key on them.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
        #[serde(tag = "reason", content = "params", rename_all = "snake_case")]
        pub enum Reason {
            $( $(#[$meta])* $name { $($field: $ty),* }, )*
        }

        impl Reason {
            /// The error code this reason answers with.
            pub fn code(&self) -> ErrorCode {
                match self {
                    $( Reason::$name { .. } => ErrorCode::$code, )*
                }
            }

            /// Every reason's wire name with its params and their [`ParamKind`]s, for
            /// the generated TypeScript the UI's catalog test reads.
            pub fn catalog() -> Vec<(String, Vec<(&'static str, &'static str)>)> {
                vec![ $( (snake_case(stringify!($name)), vec![ $( (stringify!($field), <$ty as ParamKind>::KIND) ),* ]) ),* ]
            }
        }
    };
}

reasons! {
    /// A lead, rep, case or document that does not exist.
    NotFound { kind: ObjectKind, id: String } => NotFound;
    /// The caller's role may not do this.
    RoleRequired { roles: Vec<Role> } => Forbidden;
    /// The collision case does not name the caller.
    CaseNotYours { case: String } => Forbidden;
    /// The case crosses branches and is the director's to decide (rule 17), or
    /// belongs to another branch.
    NotTheDecider { case: String } => Forbidden;
    /// The lead was reported by another rep.
    LeadNotYours { lead: String } => Forbidden;
    /// Another rep follows the lead and is protected until then (`owner`: their name).
    OwnedByOther { owner: String, until: DateTime<Utc> } => Forbidden;
    /// Another rep (named) owns the lead for good (a deal).
    OwnedByOtherForGood { owner: String } => Forbidden;
    /// The action needs the owner, and the lead is owned by someone else (named).
    NotOwner { owner: String } => Forbidden;
    /// The action needs the owner, and the lead has none.
    NoOwner {} => Forbidden;
    /// Distributors report customers; they do not claim from the pool.
    DistributorCannotClaim {} => Forbidden;
    /// Only a distributor's report is reviewed (报备审核); this lead is a rep's.
    NotAReport {} => InvalidArgument;
    /// The web server's access token is missing or wrong.
    TokenInvalid {} => Forbidden;
    /// The lead lacks required fields.
    Incomplete {} => Conflict;
    /// The lead is in the public pool.
    InPool {} => Conflict;
    /// The caller released or lost the lead recently.
    Cooldown { until: DateTime<Utc> } => Conflict;
    /// A deal binds the lead to its owner.
    BoundByDeal {} => Conflict;
    /// A value the action needs is empty.
    FieldRequired { field: FormField } => InvalidArgument;
    /// A required field of a complete lead may not be cleared.
    ClearsRequired { field: FormField } => InvalidArgument;
    /// A second registration of one lead.
    AlreadyRegistered {} => Conflict;
    /// The first event of a lead is not its registration.
    NotRegistered {} => InvalidArgument;
    /// The lead was merged into another one.
    Merged { into: String } => Conflict;
    /// A later decision replaced this one.
    Superseded {} => Conflict;
    /// The decision named to replace is not one of this case.
    DecisionNotInCase { decision: String, case: String } => InvalidArgument;
    /// Managers decided the case differently; a new decision must supersede one.
    ConflictNeedsSupersedes {} => Conflict;
    /// The rep cannot own customers (left, or a distributor).
    RepCannotOwn { rep: String } => InvalidArgument;
    /// A split names fewer than two different reps.
    SplitTwoReps {} => InvalidArgument;
    /// A share is outside 1–99 percent.
    ShareRange {} => InvalidArgument;
    /// The shares do not add up to 100 percent.
    SplitTotal { total: u32 } => InvalidArgument;
    /// Only a case of duplicate lead documents can be merged.
    MergeNeedsDuplicates {} => InvalidArgument;
    /// The lead to merge into is not part of the case.
    LeadNotInCase { lead: String, case: String } => InvalidArgument;
    /// The appeal window closed.
    AppealWindowClosed { until: DateTime<Utc> } => Conflict;
    /// A deal is signed: the decision is final.
    DecisionFinal {} => Conflict;
    /// No standing decision to appeal.
    NothingToAppeal {} => Conflict;
    /// The data directory already holds a registry.
    RegistryExists { path: String } => Conflict;
    /// An update that changes nothing.
    NothingToUpdate {} => InvalidArgument;
    /// The shard size is zero.
    ShardSize {} => InvalidArgument;
    /// `previous` in a write with no earlier item.
    NoPreviousItem {} => InvalidArgument;
    /// A lead without any field.
    LeadNeedsField {} => InvalidArgument;
    /// A handover from a rep to the same rep.
    HandoverSameRep {} => InvalidArgument;
    /// The rep has left the branch.
    RepLeft { rep: String } => Conflict;
    /// A handover to someone whose role does not follow customers (a distributor, the
    /// front desk): `roles` are the roles that may take them.
    HandoverTarget { rep: String, roles: Vec<Role> } => InvalidArgument;
    /// A rep of another branch.
    RepWrongBranch { branch: String } => InvalidArgument;
    /// An id with characters or a length ids may not have.
    IdMalformed { field: FormField, value: String } => InvalidArgument;
    /// A phone digest that is not `sha256:` and 64 hex digits.
    PhoneDigest { phone: String } => InvalidArgument;
    /// A phone with a character that is not part of a phone number.
    PhoneCharacter { phone: String, character: String } => InvalidArgument;
    /// A phone with too few digits.
    PhoneTooShort { phone: String, digits: u32, min: u32 } => InvalidArgument;
    /// An e-mail that is not an address.
    EmailInvalid { email: String } => InvalidArgument;
    /// Policy: the protection period is zero.
    PolicyProtectionZero {} => InvalidArgument;
    /// Policy: a period longer than a year.
    PolicyPeriodTooLong {} => InvalidArgument;
    /// Policy: the appeal deadline is zero.
    PolicyAppealSlaZero {} => InvalidArgument;
    /// Policy: no arbitration criterion.
    PolicyNoCriterion {} => InvalidArgument;
    /// Policy: an arbitration criterion appears twice.
    PolicyCriterionTwice {} => InvalidArgument;
    /// Policy: a required group names no field.
    PolicyEmptyGroup {} => InvalidArgument;
    /// Policy: the duplicate threshold is outside 51–99.
    PolicyDupThreshold {} => InvalidArgument;
    /// A duty rota (值班表) lists more than the 7 weekdays.
    PolicyDutyRota {} => InvalidArgument;
    /// The report validity period is out of range.
    PolicyReportValidity {} => InvalidArgument;
    /// A value every replica's schema refuses (`rule` is the schema's code).
    SchemaViolation { rule: String, detail: String } => InvalidArgument;
    /// The demo user is none of the demo's reps.
    DemoUser { user: String } => InvalidArgument;
    /// Switching the user is for demo registries only.
    NotDemo {} => Forbidden;
    /// A field typed into a lead is longer than it may be.
    FieldTooLong { field: FormField, chars: u32, max: u32 } => InvalidArgument;
    /// A CSV lacks a column.
    CsvMissingColumn { path: String, column: String } => InvalidArgument;
    /// The command name is not part of the API.
    UnknownCommand { command: String } => UnknownCommand;
    /// The arguments did not parse.
    BadArguments { detail: String } => InvalidArgument;
    /// No registry in the data directory yet.
    NotInitialized { data_dir: String } => NotInitialized;
    /// The database file is damaged or not a registry.
    CorruptStore { detail: String } => CorruptStore;
    /// Storage failed (disk full, permissions).
    Storage { detail: String } => Storage;
    /// The hub could not be reached or refused.
    SyncFailed { detail: String } => Sync;
    /// The hub refused a device-management request (not a manager, another branch's
    /// device, a manager's own device).
    HubRefused { detail: String } => Forbidden;
    /// A manager invites rep and distributor laptops only.
    InviteRole { role: String } => InvalidArgument;
    /// An invitation for someone the branch directory does not know needs a name.
    InviteNeedsName { rep: String } => InvalidArgument;
    /// A spreadsheet that cannot be read as a customer list (not a spreadsheet, no header row, no such sheet).
    ImportUnreadable { detail: String } => InvalidArgument;
    /// An imported value longer than the registry keeps.
    ImportTooLong { field: FormField, chars: u32, max: u32 } => InvalidArgument;
    /// An imported value with control characters (or a line break where none belongs).
    ImportControlCharacters { field: FormField } => InvalidArgument;
    /// An imported row names an owner the branch directory does not know (or who has left).
    ImportUnknownOwner { owner: String } => InvalidArgument;
    /// Only a manager imports customers for someone else.
    ImportOwnerNotAllowed { owner: String } => Forbidden;
    /// A sync that conflicts with this device's enrolment.
    SyncConflict { detail: String } => Conflict;
    /// A request from another host or origin than this server's.
    RequestRefused { detail: String } => Forbidden;
    /// The web UI's files are not there to serve.
    UiMissing { detail: String } => NotFound;
    /// A bug.
    Internal { detail: String } => Internal;
    /// A lead related to itself.
    RelationToItself {} => InvalidArgument;
    /// Family and one purchasing unit relate two leads: the other one is missing.
    RelationNeedsLead {} => InvalidArgument;
    /// The lead already holds this relation.
    RelationExists {} => Conflict;
    /// A relative or the same purchasing unit (`company`) is followed by another rep
    /// (`owner`, named): one customer (rule 10).
    RelatedCustomerOwned { company: String, owner: String } => Forbidden;
    /// 保有量上限: the rep already holds `held` customers, the branch's limit.
    HoldingLimit { held: u32, limit: u32 } => Conflict;
    /// 领取上限: the rep made `limit` pool claims in the last 24 h; the next is possible
    /// from `until`.
    DailyClaimLimit { limit: u32, until: DateTime<Utc> } => Conflict;
    /// 停接: the rep was found at fault `faults` times (the branch suspends from `limit`).
    ClaimsSuspended { faults: u32, limit: u32 } => Forbidden;
    /// 定金退订 recorded on a customer without a signed deal.
    NoDealToRefund {} => Conflict;
    /// A customer grade other than A, B or C.
    GradeInvalid { grade: String } => InvalidArgument;
    /// Only the customer's owner or a manager grades a customer.
    GradeNotYours {} => Forbidden;
    /// An unmatched visitor arrived on a day the branch's duty rota names no one.
    NoDutyRep { weekday: u32 } => Conflict;
    /// The front desk recorded a visit with a time out before its time in.
    VisitTimesReversed {} => InvalidArgument;
    /// A month that is not `YYYY-MM`.
    MonthMalformed { month: String } => InvalidArgument;
}

/// serde's `rename_all = "snake_case"` for a variant name.
fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or ")
}

fn field_name(f: FormField) -> String {
    serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn kind_name(k: ObjectKind) -> &'static str {
    match k {
        ObjectKind::Lead => "lead",
        ObjectKind::Rep => "rep",
        ObjectKind::CollisionCase => "collision case",
        ObjectKind::Document => "document",
        ObjectKind::Device => "device",
    }
}

/// The English sentence (CLI, scripts, logs).
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Reason as R;
        match self {
            R::NotFound { kind, id } => write!(f, "{} {id}", kind_name(*kind)),
            R::RoleRequired { roles } => write!(f, "only a {} may do this", role_list(roles)),
            R::CaseNotYours { case } => write!(f, "collision case {case} does not name you"),
            R::NotTheDecider { case } => write!(f, "collision case {case} is not yours to decide (a case across branches goes to the director)"),
            R::LeadNotYours { lead } => write!(f, "lead {lead} was reported by someone else"),
            R::OwnedByOther { owner, until } => write!(f, "followed by {owner} until {}", until.to_rfc3339()),
            R::OwnedByOtherForGood { owner } => write!(f, "followed by {owner} until permanently (deal)"),
            R::NotOwner { owner } => write!(f, "the lead is owned by {owner}"),
            R::NoOwner {} => f.write_str("the lead has no owner"),
            R::DistributorCannotClaim {} => f.write_str("distributors report customers; they do not claim from the pool"),
            R::NotAReport {} => f.write_str("only a distributor's report is reviewed; this customer was registered by a rep"),
            R::TokenInvalid {} => f.write_str("missing or wrong access token: open the full URL `leadguard serve` printed"),
            R::Incomplete {} => f.write_str("the lead is incomplete: fill the required fields first"),
            R::InPool {} => f.write_str("the lead is in the public pool: claim it first"),
            R::Cooldown { until } => write!(
                f,
                "you released or lost this lead recently: you may claim it again from {}",
                until.to_rfc3339()
            ),
            R::BoundByDeal {} => f.write_str("a deal binds this lead to its owner permanently"),
            R::FieldRequired { field } => write!(f, "{} is required", field_name(*field)),
            R::ClearsRequired { field } => write!(f, "{} is required and cannot be cleared", field_name(*field)),
            R::AlreadyRegistered {} => f.write_str("the lead is already registered"),
            R::NotRegistered {} => f.write_str("the first event of a lead must register it"),
            R::Merged { into } => write!(f, "this lead was merged into {into}"),
            R::Superseded {} => f.write_str("a later decision replaced this one"),
            R::DecisionNotInCase { decision, case } => write!(f, "decision {decision} is not a decision of case {case}"),
            R::ConflictNeedsSupersedes {} => f.write_str(
                "managers decided this case differently: decide again superseding one of the decisions",
            ),
            R::RepCannotOwn { rep } => write!(f, "rep {rep} cannot own customers"),
            R::SplitTwoReps {} => f.write_str("a split names at least two different reps"),
            R::ShareRange {} => f.write_str("each share is 1–99 percent"),
            R::SplitTotal { total } => write!(f, "the shares total {total}%, not 100%"),
            R::MergeNeedsDuplicates {} => f.write_str("only duplicate lead documents can be merged"),
            R::LeadNotInCase { lead, .. } => write!(f, "lead {lead} is not part of the case"),
            R::AppealWindowClosed { until } => write!(f, "the appeal window closed at {}", until.to_rfc3339()),
            R::DecisionFinal {} => f.write_str("a deal is signed: the decision is final"),
            R::NothingToAppeal {} => f.write_str("there is no standing decision to appeal"),
            R::RegistryExists { path } => write!(f, "{path} already holds a registry"),
            R::NothingToUpdate {} => f.write_str("nothing to update"),
            R::ShardSize {} => f.write_str("shard size must be at least 1"),
            R::NoPreviousItem {} => f.write_str("`previous` needs an earlier item in the same write"),
            R::LeadNeedsField {} => f.write_str("a lead needs at least one field"),
            R::HandoverSameRep {} => f.write_str("handover needs two different reps"),
            R::RepLeft { rep } => write!(f, "rep {rep} has left"),
            R::HandoverTarget { rep, roles } => write!(f, "{rep} cannot take customers over: only a {} can", role_list(roles)),
            R::RepWrongBranch { branch } => write!(f, "rep must belong to branch {branch}"),
            R::IdMalformed { field, value } => {
                write!(f, "{} `{value}` must be 1-64 letters, digits, '-', '_' or '.'", field_name(*field).replace('_', " "))
            }
            R::PhoneDigest { phone } => write!(f, "phone {phone:?}: a digest is sha256: followed by 64 hex digits"),
            R::PhoneCharacter { phone, character } => write!(
                f,
                "phone {phone:?} holds {character:?}: write digits (e.g. 139 1234 5678, 0755-8888 8888 转 123)"
            ),
            R::PhoneTooShort { phone, digits, min } => {
                write!(f, "phone {phone:?} has {digits} digits; a phone number has at least {min}")
            }
            R::EmailInvalid { email } => write!(f, "e-mail {email:?} is not an address (name@company.com)"),
            R::PolicyProtectionZero {} => f.write_str("policy: protection_hours must be at least 1"),
            R::PolicyPeriodTooLong {} => f.write_str("policy: periods are limited to one year"),
            R::PolicyAppealSlaZero {} => f.write_str("policy: appeal_sla_hours must be at least 1"),
            R::PolicyNoCriterion {} => f.write_str("policy: arbitration needs at least one criterion"),
            R::PolicyCriterionTwice {} => f.write_str("policy: an arbitration criterion may appear only once"),
            R::PolicyEmptyGroup {} => f.write_str("policy: a required group must name at least one field"),
            R::PolicyDupThreshold {} => f.write_str("policy: dup_threshold_percent must be between 51 and 99"),
            R::PolicyDutyRota {} => f.write_str("policy: the duty rota names at most 7 weekdays, Monday first"),
            R::PolicyReportValidity {} => f.write_str("policy: report_validity_days must be between 1 and 366"),
            R::SchemaViolation { detail, .. } => f.write_str(detail),
            R::FieldTooLong { field, chars, max } => write!(f, "{} is {chars} characters; the limit is {max}", field_name(*field)),
            R::NotDemo {} => f.write_str("only a demo registry (leadguard demo) lets you switch its user"),
            R::DemoUser { user } => {
                write!(f, "demo user must be one of zhangwei, lina, wangqiang, chenjing (got {user})")
            }
            R::CsvMissingColumn { path, column } => write!(f, "{path}: no `{column}` column"),
            R::UnknownCommand { command } => write!(f, "unknown command `{command}`"),
            R::NotInitialized { data_dir } => write!(f, "no registry in {data_dir}: run `leadguard init` first"),
            R::BadArguments { detail }
            | R::CorruptStore { detail }
            | R::SyncFailed { detail }
            | R::SyncConflict { detail }
            | R::RequestRefused { detail }
            | R::UiMissing { detail }
            | R::Internal { detail } => f.write_str(detail),
            R::Storage { detail } => write!(f, "storage: {detail}"),
            R::HubRefused { detail } => write!(f, "the hub refused: {detail}"),
            R::ImportUnreadable { detail } => write!(f, "the file cannot be imported: {detail}"),
            R::ImportTooLong { field, chars, max } => write!(f, "{} is {chars} characters; the limit is {max}", field_name(*field)),
            R::ImportControlCharacters { field } => write!(f, "{} holds control characters", field_name(*field)),
            R::ImportUnknownOwner { owner } => write!(f, "owner {owner} is not an active member of the branch"),
            R::ImportOwnerNotAllowed { owner } => write!(f, "only a manager imports customers for someone else ({owner})"),
            R::InviteRole { role } => write!(f, "a manager invites rep or distributor laptops, not {role}"),
            R::InviteNeedsName { rep } => write!(f, "{rep} is not in the branch directory: give a name"),
            R::RelationToItself {} => f.write_str("a lead cannot be related to itself"),
            R::RelationNeedsLead {} => f.write_str("family and same-unit relations need the related lead"),
            R::RelationExists {} => f.write_str("the lead already holds this relation"),
            R::HoldingLimit { held, limit } => write!(f, "you hold {held} customers, the branch's limit of {limit}: release one first"),
            R::DailyClaimLimit { limit, until } => {
                write!(f, "{limit} pool claims in 24 hours is the branch's limit: the next is possible from {}", until.to_rfc3339())
            }
            R::ClaimsSuspended { faults, limit } => {
                write!(f, "pool claims are suspended: found at fault {faults} times (the branch suspends from {limit})")
            }
            R::NoDealToRefund {} => f.write_str("there is no signed deal whose deposit could be refunded"),
            R::GradeInvalid { grade } => write!(f, "{grade:?} is not a customer grade (A, B or C)"),
            R::GradeNotYours {} => f.write_str("only the customer's owner or a manager may grade it"),
            R::NoDutyRep { weekday } => write!(f, "no duty rep on weekday {weekday} (1 = Monday): set the rota with `policy set --duty`"),
            R::VisitTimesReversed {} => f.write_str("the visitor left before arriving: time out is before time in"),
            R::MonthMalformed { month } => write!(f, "{month:?} is not a month (YYYY-MM)"),
            R::RelatedCustomerOwned { company, owner } => {
                write!(f, "one customer with {company} (family or same purchasing unit), followed by {owner}")
            }
        }
    }
}

/// `reasons.ts`: the error codes and every reason with its params' kinds, as values
/// (ts-rs exports types only), so the UI imports them instead of copying them.
pub fn typescript_catalog() -> String {
    let mut out = String::from(
        "// Generated by leadguard-core (reason::typescript_catalog). Do not edit.\n\
         import type { ErrorCode } from \"./ErrorCode\";\n\
         import type { Reason } from \"./Reason\";\n\n\
         /** Every error code the core answers with. */\n\
         export const ERROR_CODES: readonly ErrorCode[] = [\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!("  \"{}\",\n", code.as_str()));
    }
    out.push_str(
        "];\n\n\
         export type ReasonName = Reason[\"reason\"];\n\
         /** How a param is worded: as it is, as a date, or through the catalog. */\n\
         export type ParamKind = \"text\" | \"number\" | \"date\" | \"field\" | \"object\" | \"roles\";\n\n\
         /** Every reason with the kind of each of its params. */\n\
         export const REASONS: { readonly [R in ReasonName]: Readonly<Record<string, ParamKind>> } = {\n",
    );
    for (name, params) in Reason::catalog() {
        let params: Vec<String> = params.iter().map(|(p, k)| format!("{p}: \"{k}\"")).collect();
        if params.is_empty() {
            out.push_str(&format!("  {name}: {{}},\n"));
        } else {
            out.push_str(&format!("  {name}: {{ {} }},\n", params.join(", ")));
        }
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_names_match_the_wire() {
        let wire = serde_json::to_value(Reason::SplitTotal { total: 90 }).unwrap();
        assert_eq!(wire, serde_json::json!({ "reason": "split_total", "params": { "total": 90 } }));
        let empty = serde_json::to_value(Reason::InPool {}).unwrap();
        assert_eq!(empty, serde_json::json!({ "reason": "in_pool", "params": {} }));
        let names: Vec<String> = Reason::catalog().into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"owned_by_other_for_good".to_string()), "{names:?}");
        assert!(names.contains(&"split_total".to_string()));
    }

    /// Rejections are typed: no `Invalid`/`Conflict`/... error constructor with a text is
    /// left in the workspace (the variants are gone; this keeps them from coming back
    /// under another error type of the core, CLI, web server, hub or desktop shell).
    #[test]
    fn no_error_is_built_from_text_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut offenders = Vec::new();
        for dir in ["crates/core/src", "crates/cli/src", "crates/web/src", "crates/hub/src", "src-tauri/src"] {
            scan(&root.join(dir), &mut offenders);
        }
        assert!(offenders.is_empty(), "build these from a Reason instead: {offenders:#?}");
    }

    fn scan(dir: &std::path::Path, offenders: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                scan(&p, offenders);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for (n, line) in text.lines().enumerate() {
                    let banned = ["Invalid(", "Conflict(", "Forbidden(", "NotFound("]
                        .iter()
                        .any(|v| line.contains(&format!("Error::{v}")))
                        || line.contains(&format!("Api{}::new(", "Error"));
                    if banned {
                        offenders.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }

    #[test]
    fn a_reason_implies_its_code() {
        assert_eq!(Reason::Cooldown { until: Utc::now() }.code(), ErrorCode::Conflict);
        assert_eq!(Reason::RoleRequired { roles: vec![Role::Manager] }.code(), ErrorCode::Forbidden);
        assert_eq!(Reason::NotFound { kind: ObjectKind::Rep, id: "x".into() }.code(), ErrorCode::NotFound);
    }
}
