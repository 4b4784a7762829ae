//! What a person may type into a lead's contact fields. Checked where input enters
//! (the `lead_add` and `lead_update` commands, so the CLI, the web UI and the desktop
//! app answer alike), not on replicated events: data already written elsewhere is
//! never refused for its format.
//!
//! A phone is digits (full-width too) with the separators people write (spaces,
//! `-`, `+`, brackets, `.`, `/`), an extension (`转`, `分机`, `ext`, `x`, `#`), masked
//! digits (`*`, as distributors report them) or a `sha256:` digest; at least five
//! digits, so "abc" or "待定" cannot make a registration complete and earn protection.
//! An e-mail is `local@domain.tld` without spaces.

use crate::error::Result;
use crate::model::LeadFields;

/// Fewest digits a phone number (landline without area code, masked mobile) shows.
const MIN_PHONE_DIGITS: usize = 5;

/// Checks the fields a person entered: lengths (the schema's limits, said about the
/// field so the form shows it there), then phone and e-mail; blank fields are not checked.
pub fn check(fields: &LeadFields) -> Result<()> {
    use crate::FormField as F;
    use leadguard_schema::text::{MAX_LINE_CHARS, MAX_NEED_CHARS, MAX_NOTE_CHARS};
    let limits = [
        (F::Company, &fields.company, MAX_LINE_CHARS),
        (F::Contact, &fields.contact, MAX_LINE_CHARS),
        (F::Phone, &fields.phone, MAX_LINE_CHARS),
        (F::Email, &fields.email, MAX_LINE_CHARS),
        (F::Region, &fields.region, MAX_LINE_CHARS),
        (F::Industry, &fields.industry, MAX_LINE_CHARS),
        (F::Size, &fields.size, MAX_LINE_CHARS),
        (F::Need, &fields.need, MAX_NEED_CHARS),
        (F::Notes, &fields.notes, MAX_NOTE_CHARS),
    ];
    for (field, value, max) in limits {
        let chars = value.as_deref().map_or(0, |v| v.chars().count());
        if chars > max {
            return Err(crate::Reason::FieldTooLong { field, chars: chars as u32, max: max as u32 }.into());
        }
    }
    if let Some(p) = fields.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        check_phone(p)?;
    }
    if let Some(e) = fields.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        check_email(e)?;
    }
    if let Some(g) = fields.grade.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        if !matches!(g, "A" | "B" | "C") {
            return Err(crate::Reason::GradeInvalid { grade: g.to_string() }.into());
        }
    }
    Ok(())
}

fn check_phone(p: &str) -> Result<()> {
    if let Some(hex) = p.strip_prefix("sha256:") {
        return if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(())
        } else {
            Err(crate::Reason::PhoneDigest { phone: p.to_string() }.into())
        };
    }
    let lower = p.to_lowercase();
    let rest = lower.replace("分机", " ").replace("ext", " ").replace('转', " ");
    let mut digits = 0;
    for c in rest.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '*' {
            digits += usize::from(c != '*');
        } else if !(c.is_whitespace() || "-－+＋()（）./#x".contains(c)) {
            return Err(crate::Reason::PhoneCharacter { phone: p.to_string(), character: c.to_string() }.into());
        }
    }
    if digits < MIN_PHONE_DIGITS {
        return Err(crate::Reason::PhoneTooShort { phone: p.to_string(), digits: digits as u32, min: MIN_PHONE_DIGITS as u32 }.into());
    }
    Ok(())
}

fn check_email(e: &str) -> Result<()> {
    let valid = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(crate::Reason::EmailInvalid { email: e.to_string() }.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn phone(p: &str) -> Result<()> {
        check(&LeadFields { phone: Some(p.into()), ..LeadFields::default() })
    }
    fn email(e: &str) -> Result<()> {
        check(&LeadFields { email: Some(e.into()), ..LeadFields::default() })
    }

    #[test]
    fn a_field_longer_than_its_limit_is_refused_naming_the_field() {
        let long = LeadFields { company: Some("腾".repeat(201)), ..LeadFields::default() };
        match check(&long) {
            Err(Error::Rejected(crate::Reason::FieldTooLong { field: crate::FormField::Company, chars: 201, max: 200 })) => {}
            other => panic!("{other:?}"),
        }
        let need = LeadFields { need: Some("需".repeat(1000)), company: Some("腾".repeat(200)), ..LeadFields::default() };
        assert!(check(&need).is_ok(), "at the limit is fine");
        let need = LeadFields { need: Some("需".repeat(1001)), ..LeadFields::default() };
        assert!(matches!(check(&need), Err(Error::Rejected(crate::Reason::FieldTooLong { field: crate::FormField::Need, .. }))));
    }

    #[test]
    fn phones_as_people_write_them_are_accepted() {
        for p in [
            "13912345678",
            "+86 139 1234 5678",
            "139-1234-5678",
            "（020）8765 4321",
            "0755-8888 8888转123",
            "021-5555 8888 ext. 12",
            "１３９１２３４５６７８",
            "139****3333",
            "8765432",
            &format!("sha256:{}", "ab".repeat(32)),
        ] {
            assert!(phone(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn a_phone_without_digits_cannot_complete_a_registration() {
        for p in ["abc", "待定", "1234", "微信同号", "139 1234 5678 找王总", "sha256:xyz"] {
            let refused = phone(p);
            assert!(
                matches!(
                    refused,
                    Err(Error::Rejected(
                        crate::Reason::PhoneDigest { .. }
                            | crate::Reason::PhoneCharacter { .. }
                            | crate::Reason::PhoneTooShort { .. }
                    ))
                ),
                "{p}: {refused:?}"
            );
        }
    }

    #[test]
    fn e_mail_must_be_an_address() {
        assert!(email("chen.ming@tengda.com.cn").is_ok());
        assert!(email("   ").is_ok(), "blank is absent");
        for e in ["chen", "chen@", "@tengda.com", "chen@tengda", "chen ming@tengda.com", "a@b@c.com", "chen@.com"] {
            assert!(matches!(email(e), Err(Error::Rejected(crate::Reason::EmailInvalid { .. }))), "{e}");
        }
    }
}
