//! The sealing rules of docs/VISIBILITY.md, as tests.

use leadguard_seal::{is_sealed, open, seal, CompanyKeys, DigestKind, DigestParams, Digester, LeadKey, SealError, StaffKey};
use proptest::prelude::*;

#[test]
fn a_sealed_field_opens_only_with_its_lead_key_lead_and_field() {
    let key = LeadKey::generate().unwrap();
    let other = LeadKey::generate().unwrap();
    let s = seal(&key, "a1b2c3d4e5f60718", "phone", "13912343333").unwrap();
    assert!(is_sealed(&s));
    assert!(!s.contains("13912343333"));
    assert_eq!(open(&key, "a1b2c3d4e5f60718", "phone", &s).unwrap(), "13912343333");
    assert_eq!(open(&other, "a1b2c3d4e5f60718", "phone", &s), Err(SealError::DoesNotOpen));
    // Moved to another lead or another field: refused.
    assert_eq!(open(&key, "ffffffffffffffff", "phone", &s), Err(SealError::DoesNotOpen));
    assert_eq!(open(&key, "a1b2c3d4e5f60718", "contact", &s), Err(SealError::DoesNotOpen));
}

#[test]
fn a_staff_field_does_not_open_with_a_lead_key() {
    let staff = StaffKey::generate().unwrap();
    let s = seal(&staff, "a1b2c3d4e5f60718", "company", "华为技术有限公司").unwrap();
    assert_eq!(open(&staff, "a1b2c3d4e5f60718", "company", &s).unwrap(), "华为技术有限公司");
    assert_eq!(open(&staff, "a1b2c3d4e5f60718", "contact", &s), Err(SealError::DoesNotOpen));
    // Distributors never receive the staff key.
    assert!(CompanyKeys::generate().unwrap().for_distributor().staff.is_none());
}

#[test]
fn sealing_the_same_value_twice_gives_different_text() {
    // A random nonce per value: equal contacts cannot be spotted by equal ciphertext.
    let key = LeadKey::generate().unwrap();
    assert_ne!(seal(&key, "l", "contact", "王芳").unwrap(), seal(&key, "l", "contact", "王芳").unwrap());
}

#[test]
fn an_altered_sealed_value_is_refused_not_opened() {
    let key = LeadKey::generate().unwrap();
    let s = seal(&key, "l", "notes", "见面聊").unwrap();
    let body = &s[3..];
    for i in 0..body.len() {
        let mut chars: Vec<char> = body.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let altered = format!("s1:{}", chars.into_iter().collect::<String>());
        assert!(matches!(open(&key, "l", "notes", &altered), Err(SealError::DoesNotOpen | SealError::Malformed)), "position {i}");
    }
}

#[test]
fn malformed_sealed_values_are_typed_errors() {
    let key = LeadKey::generate().unwrap();
    for s in ["", "s1:", "s2:AAAA", "13912343333", "s1:***", "s1:AAAA", &format!("s1:{}", "A".repeat(52))] {
        let e = open(&key, "l", "phone", s).unwrap_err();
        assert!(matches!(e, SealError::Malformed | SealError::DoesNotOpen), "{s:?}: {e:?}");
    }
}

#[test]
fn the_key_file_round_trips_and_refuses_what_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.keys");
    let keys = CompanyKeys::generate().unwrap();
    keys.write(&path).unwrap();
    assert_eq!(CompanyKeys::read(&path).unwrap(), keys);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let dist = keys.for_distributor();
    assert!(dist.staff.is_none());
    assert_eq!(CompanyKeys::parse(&dist.to_text()).unwrap(), dist);

    let text = keys.to_text();
    for broken in [
        String::new(),
        text.replace("leadguard-keys 1", "leadguard-keys 2"),
        text.replace("digest_passes=2", "digest_passes=0"),
        text.replace("digest_passes=2", "digest_passes=two"),
        format!("{text}colour=red\n"),
        format!("{text}digest={}\n", "0".repeat(64)),
        text.lines().filter(|l| !l.starts_with("digest=")).collect::<Vec<_>>().join("\n"),
    ] {
        assert!(CompanyKeys::parse(&broken).is_err(), "{broken:?}");
    }
    assert!(matches!(CompanyKeys::read(&dir.path().join("missing")), Err(SealError::Io(_))));
}

#[test]
fn a_copied_registry_without_the_key_file_cannot_test_a_phone() {
    // The same phone under two companies' keys: nothing links the digests, so a digest
    // alone (what a registry file holds) cannot be checked against a dictionary.
    let a = Digester::new(CompanyKeys::generate().unwrap().digest, DigestParams::TEST).unwrap();
    let b = Digester::new(CompanyKeys::generate().unwrap().digest, DigestParams::TEST).unwrap();
    assert_ne!(a.digest(DigestKind::Phone, "13912343333"), b.digest(DigestKind::Phone, "13912343333"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_round_trips(plain in "\\PC{0,200}", lead in "[0-9a-f]{16}", field in "[a-z_]{1,12}") {
        let key = LeadKey::generate().unwrap();
        let s = seal(&key, &lead, &field, &plain).unwrap();
        prop_assert!(is_sealed(&s));
        prop_assert_eq!(open(&key, &lead, &field, &s).unwrap(), plain);
    }

    #[test]
    fn arbitrary_input_never_panics(s in "\\PC{0,120}") {
        let key = LeadKey::generate().unwrap();
        let _ = open(&key, "l", "f", &s);
        let _ = open(&key, "l", "f", &format!("s1:{s}"));
        let _ = CompanyKeys::parse(&s);
        let _ = CompanyKeys::parse(&format!("leadguard-keys 1\n{s}"));
    }
}

#[test]
fn every_sealed_value_passes_the_schema_every_replica_runs() {
    // The schema cannot open a sealed value; it must still accept every one a device
    // makes, up to the longest value of each field (four-byte characters included).
    use leadguard_schema::text::{check, is_sealed_form, Lines, MAX_LINE_CHARS, MAX_NOTE_CHARS};
    let key = LeadKey::generate().unwrap();
    for (max, lines) in [(MAX_LINE_CHARS, Lines::One), (MAX_NOTE_CHARS, Lines::Many)] {
        for plain in ["王芳".to_string(), "😀".repeat(max), "a\nb".to_string()] {
            let s = seal(&key, "a1b2c3d4e5f60718", "notes", &plain).unwrap();
            assert!(is_sealed_form(&s), "{s}");
            assert!(check("notes", &s, lines, max).is_ok(), "{} chars sealed to {}", plain.chars().count(), s.len());
        }
    }
}
