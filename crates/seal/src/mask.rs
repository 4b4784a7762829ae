//! The display form of a phone someone may know exists but not read.

/// `13912343333` → `139****3333`: the first three and last four digits of a number
/// of eleven or more digits; shorter numbers (landlines without area code) keep only
/// their last two. Non-digits are dropped first; an already masked input (`*` in
/// it) is returned in the same form.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit() || *c == '*').collect();
    let n = digits.len();
    if n == 0 {
        return String::new();
    }
    let (head, tail) = if n >= 11 { (3, 4) } else { (0, 2.min(n)) };
    let mut out = String::with_capacity(n);
    out.extend(&digits[..head]);
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&digits[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::mask_phone;

    #[test]
    fn a_mobile_shows_prefix_and_last_four() {
        assert_eq!(mask_phone("13912343333"), "139****3333");
        assert_eq!(mask_phone("139-1234-3333"), "139****3333");
        assert_eq!(mask_phone("139****3333"), "139****3333");
    }

    #[test]
    fn a_short_number_shows_only_its_last_two() {
        assert_eq!(mask_phone("87654321"), "******21");
        assert_eq!(mask_phone("7"), "7");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("无"), "");
    }
}
