//! Duplicate detection (线索查重) for Chinese lead data.
//!
//! The first defence against 撞单 is telling a rep, while typing, that a customer is
//! already known. This crate is pure (no SQLite, no I/O beyond readers passed in):
//!
//! - [`normalize`]: field normalisers — company names (legal forms, places, brackets,
//!   full-width, traditional→simplified), contact names (titles such as 总/经理/女士,
//!   pinyin/Latin spellings), phones (+86/0086, separators, landline area codes, masked
//!   `139****3333` and `sha256:` digests), e-mails.
//! - [`LeadRecord`] (raw fields) → [`LeadKeys`] (normalised, precomputed once).
//! - [`compare`] (field-by-field [`Comparison`]) and [`score()`](score::score):
//!   per-field comparators → log-odds evidence → one score in [0, 1] plus typed
//!   [`Reason`]s for and against (rendered with [`Reason::zh`] / [`Reason::en`]). A
//!   customer is a company: another person at the same company is no evidence against
//!   (同一公司，联系人不同); the same name in another city or industry is only a
//!   possible match. The default threshold is 0.85, possible matches from 0.5 ([`Config`]).
//! - [`learn`]: Fellegi–Sunter weights estimated by EM from unlabelled candidate pairs.
//! - [`Index`]: in-memory index over caller-chosen `u64` ids with exact keys and 字号
//!   bigram blocking; [`Index::check`] answers in microseconds at 1M leads,
//!   [`Index::check_possible`] adds the possible matches.
//! - Batch: [`dedup_pairs`] and CSV reading ([`read_leads_csv`]) that reports broken
//!   rows ([`RowError`]: line + typed reason, [`RowErrorKind::code`]) instead of aborting.
//! - [`eval`]: pairwise precision/recall/F1 against cluster labels.
//!
//! Ids are chosen by the caller (`u64`); [`Index::insert`] on an existing id replaces
//! it. The index holds roughly 270 bytes per lead (1M leads ≈ 270 MB: keys packed in
//! one arena, postings as `u32` slots in an open-addressing table), so a registry
//! builds it lazily and keeps one per process.
//!
//! ```
//! use leadguard_dedup::{Config, Index, LeadRecord};
//!
//! let mut index = Index::new(Config::default());
//! index.insert(1, &LeadRecord {
//!     company: "北京市锦信环保科技有限公司".into(),
//!     contact: "丁艳".into(),
//!     phone: "13626445365".into(),
//!     ..LeadRecord::default()
//! });
//! let found = index.check(&LeadRecord {
//!     company: "锦信（北京）环保".into(),
//!     contact: "丁女士".into(),
//!     phone: "136****5365".into(),
//!     ..LeadRecord::default()
//! }, 5);
//! assert_eq!(found[0].id, 1);
//! println!("{}", found[0].reasons.iter().map(|r| r.zh()).collect::<Vec<_>>().join("，"));
//! ```
//!
//! API stability: the items re-exported here are stable; changes are additive.

pub mod batch;
pub mod blocking;
pub mod compact;
pub mod csv_input;
pub mod eval;
pub mod index;
pub mod learn;
pub mod normalize;
pub mod postings;
pub mod record;
pub mod score;
pub mod similarity;

pub use batch::{dedup_pairs, dedup_pairs_keys};
pub use csv_input::{read_leads_csv, CsvBatch, CsvError, CsvLead, RowError, RowErrorKind};
pub use index::Index;
pub use normalize::{normalize_company, normalize_email, normalize_person, normalize_phone, CompanyName, PersonName, Phone, PhoneMatch};
pub use record::{LeadKeys, LeadRecord};
pub use score::{
    company_similarity, compare, compare_companies, dismissed, score, score_at_least, score_value_at_least, score_with, CompanyMatch, Comparison, Config, ContactMatch,
    EmailMatch, FieldMatch, IndustryMatch, Match, PairContext, QuickKeys, Reason, Scored,
};
