//! Duplicate detection (线索查重) for Chinese lead data.
//!
//! Normalises company names, person names, phones and emails; scores a candidate
//! against known leads with per-field comparators; keeps an index so a check costs
//! well under a millisecond at 1M leads.
