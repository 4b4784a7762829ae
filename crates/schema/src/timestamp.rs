//! RFC 3339 times as the core writes them (`2026-03-01T09:00:00.123Z`,
//! `2026-03-01T17:00:00+08:00`). Deliberately strict: whatever passes here, the
//! core's date parser reads too.

/// Whether `s` is `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with valid ranges.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16), num(17..19))
    else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return false;
        }
        i += 1 + digits;
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, ..] if *sign == b'+' || *sign == b'-' => {
            b.len() == i + 6 && b[i + 3] == b':' && matches!((num(i + 1..i + 3), num(i + 4..i + 6)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn only_well_formed_times_pass() {
        for ok in ["2026-03-01T09:00:00Z", "2026-03-01T09:00:00.123456789Z", "2024-02-29T23:59:59+08:00", "2026-01-01T00:00:00-05:30"] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in ["", "2026-03-01", "2026-03-01 09:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-01T24:00:00Z",
            "2026-03-01T09:00:60Z", "2026-03-01T09:00:00", "2026-03-01T09:00:00.Z", "2026-03-01T09:00:00+8:00", "2026-03-01T09:00:00Zx",
            "2026-03-01T09:00:00.1234567890Z", "+2026-03-01T09:00:00Z", "2026-03-01t09:00:00z"] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
