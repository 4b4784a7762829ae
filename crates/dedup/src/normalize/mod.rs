//! Field normalisers. Each turns one raw column into the canonical form its comparator
//! and the index use; all of them are idempotent on their own output's text and never
//! fail (unusable input becomes "unknown", which scoring treats as no evidence).

pub mod address;
pub mod company;
pub mod email;
pub mod person;
pub mod phone;
pub mod regions;
pub mod text;

pub use company::{normalize_company, CompanyName};
pub use email::{company_domain, is_free_mail, normalize_email};
pub use person::{normalize_person, PersonName};
pub use phone::{normalize_phone, Phone, PhoneMatch};
