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
    /// Keyed digests of the phone, e-mail and contact, when the caller knows them.
    pub keyed: Keyed,
}

/// Keyed digests (under a company secret the caller holds) of a lead's normalised
/// phone, e-mail and contact name. Two leads whose digests agree have the same value
/// even when one or both hold it only sealed; the index cannot recompute them, so
/// they ride in a record's text fields after [`KEYED_MARK`] ([`with_keyed`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Keyed {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact: Option<String>,
}

/// Separates a field's value from its keyed digest in a [`LeadRecord`] field (a
/// control character no typed or imported value holds).
pub const KEYED_MARK: &str = "\u{1f}k:";

/// A record field holding `value` and its keyed digest.
pub fn with_keyed(value: &str, digest: Option<&str>) -> String {
    match digest.filter(|d| !d.is_empty()) {
        Some(d) => format!("{value}{KEYED_MARK}{d}"),
        None => value.to_string(),
    }
}

/// A record field's value and keyed digest, if it carries one.
pub fn split_keyed(field: &str) -> (&str, Option<&str>) {
    match field.split_once(KEYED_MARK) {
        Some((v, d)) if !d.is_empty() => (v, Some(d)),
        Some((v, _)) => (v, None),
        None => (field, None),
    }
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
        let (contact, contact_key) = split_keyed(&r.contact);
        let (phone, phone_key) = split_keyed(&r.phone);
        let (email, email_key) = split_keyed(&r.email);
        let owned = |d: Option<&str>| d.map(str::to_string);
        LeadKeys {
            company,
            contact: normalize::normalize_person(contact),
            phone: normalize::normalize_phone(phone, &r.region),
            email: normalize::normalize_email(email),
            region,
            address,
            keyed: Keyed { phone: owned(phone_key), email: owned(email_key), contact: owned(contact_key) },
        }
    }

    /// True when no field carries anything to match on.
    pub fn is_empty(&self) -> bool {
        self.company.core.is_empty()
            && self.contact.is_empty()
            && !self.phone.is_known()
            && self.email.is_none()
            && self.keyed == Keyed::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::block_keys;
    use crate::normalize::PhoneMatch;
    use crate::score::compare;

    fn keys(company: &str, contact: &str, phone: &str) -> LeadKeys {
        LeadKeys::from_record(&LeadRecord { company: company.into(), contact: contact.into(), phone: phone.into(), region: "深圳".into(), ..LeadRecord::default() })
    }

    #[test]
    fn equal_keyed_digests_are_the_same_phone_however_each_side_holds_it() {
        let sealed = keys("腾达科技", &with_keyed("", Some("c1")), &with_keyed("139****5678", Some("p1")));
        let other_sealed = keys("腾达精密", &with_keyed("", Some("c1")), &with_keyed("139****5678", Some("p1")));
        let plain = keys("腾达电子", &with_keyed("陈明", Some("c1")), &with_keyed("13912345678", Some("p1")));
        assert_eq!(sealed.keyed.phone.as_deref(), Some("p1"));
        assert_eq!(sealed.phone, normalize::normalize_phone("139****5678", ""), "the value stays matchable without its digest");
        for (a, b) in [(&sealed, &other_sealed), (&sealed, &plain)] {
            let c = compare(a, b);
            assert_eq!(c.phone, PhoneMatch::Same);
            assert!(block_keys(a).iter().any(|k| block_keys(b).contains(k) && k.kind == crate::blocking::KeyKind::Exact));
        }
        // Another number with the same visible digits: different, not a masked match.
        let other = keys("腾达科技", "", &with_keyed("13900005678", Some("p2")));
        assert_eq!(compare(&sealed, &other).phone, PhoneMatch::Different);
        // Two plain numbers one digit apart still count as a typo.
        let typo = keys("腾达科技", "", &with_keyed("13912345679", Some("p3")));
        assert_eq!(compare(&plain, &typo).phone, PhoneMatch::OneTypo);
    }

    #[test]
    fn a_field_without_a_digest_is_read_as_before() {
        assert_eq!(split_keyed("13912345678"), ("13912345678", None));
        assert_eq!(split_keyed(&with_keyed("x", None)), ("x", None));
        assert_eq!(split_keyed(&with_keyed("x", Some("d"))), ("x", Some("d")));
    }
}
