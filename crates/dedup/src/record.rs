//! The raw lead as entered or imported, and its precomputed normalised form.

use crate::normalize::{self, CompanyName, PersonName, Phone};
use serde::{Deserialize, Serialize};

/// A lead as typed by a rep or read from a CSV/Excel row. Every field may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LeadRecord {
    /// Company name (客户/公司名称).
    pub company: String,
    /// Contact person (联系人).
    pub contact: String,
    /// Phone, any format: mobile, landline, masked (`139****3333`) or `sha256:<hex>`.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// Region / city (地区), e.g. `北京`; used for landline area codes and region conflicts.
    pub region: String,
    /// Street address, used when present.
    pub address: Option<String>,
}

/// The normalised, precomputed form of a [`LeadRecord`]: what the index stores and the
/// comparators read. Build it once per lead with [`LeadKeys::from_record`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadKeys {
    /// Normalised company name.
    pub company: CompanyName,
    /// Normalised contact name.
    pub contact: PersonName,
    /// Normalised phone.
    pub phone: Phone,
    /// Canonical e-mail, if the field held an address.
    pub email: Option<String>,
    /// Region short form (`北京`), from the region column or else the company name; empty if unknown.
    pub region: String,
    /// Canonical address ([`normalize::address::canonical`]), if any.
    pub address: Option<String>,
}

impl LeadKeys {
    /// Normalise every field of a record.
    pub fn from_record(r: &LeadRecord) -> Self {
        let company = normalize::normalize_company(&r.company, &r.region);
        let region_col = normalize::text::canonical(&r.region);
        let region = if region_col.is_empty() {
            company.places.last().cloned().unwrap_or_default()
        } else {
            normalize::regions::strip_admin_suffix(&region_col).to_string()
        };
        let address = r.address.as_deref().and_then(normalize::address::canonical);
        LeadKeys {
            company,
            contact: normalize::normalize_person(&r.contact),
            phone: normalize::normalize_phone(&r.phone, &r.region),
            email: normalize::normalize_email(&r.email),
            region,
            address,
        }
    }

    /// True when no field carries anything to match on.
    pub fn is_empty(&self) -> bool {
        self.company.core.is_empty() && self.contact.is_empty() && !self.phone.is_known() && self.email.is_none()
    }
}
