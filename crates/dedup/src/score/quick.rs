//! A pre-check on a few bytes per lead that dismisses most candidate pairs of a bulk
//! link derivation before their normalised keys are read (reading them is a dozen
//! cache misses per pair; this record is one).
//!
//! It dismisses a pair only when no reading of the rest can reach the threshold: the
//! company names have another 字号 (at most "similar", never "the same company"), the
//! two plain mobiles are neither equal nor a typo apart, and the pair cannot agree on
//! an e-mail or an address. Then the best the score can be is a similar name, the same
//! contact and the same region, which stays below the threshold ([`dismissed`]).

use super::company::{shape_of, Shape};
use super::w;
use crate::normalize::phone::near_or_different;
use crate::normalize::{Phone, PhoneMatch};
use crate::record::LeadKeys;

/// Company cores up to this many bytes are held (ten Chinese characters).
const CORE_BYTES: usize = 30;

/// What [`dismissed`] reads of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuickKeys {
    core: [u8; CORE_BYTES],
    /// 0: the company is not held (empty, Latin, or longer than the buffer).
    core_len: u8,
    trade_len: u8,
    /// The plain mobile's digits, when the lead has one and no keyed phone digest.
    mobile: Option<[u8; 11]>,
    /// An e-mail or its keyed digest: the pair might agree on it.
    email: bool,
    address: bool,
}

impl QuickKeys {
    pub fn of(k: &LeadKeys) -> QuickKeys {
        let (core, trade) = (k.company.core.as_bytes(), k.company.trade.as_bytes());
        let held = !core.is_empty() && core.len() <= CORE_BYTES && k.company.tokens.is_empty() && core.starts_with(trade);
        let mut buf = [0u8; CORE_BYTES];
        if held {
            buf[..core.len()].copy_from_slice(core);
        }
        let mobile = match &k.phone {
            Phone::Mobile { digits } if k.keyed.phone.is_none() && digits.len() == 11 => {
                let mut d = [0u8; 11];
                d.copy_from_slice(digits.as_bytes());
                Some(d)
            }
            _ => None,
        };
        QuickKeys {
            core: buf,
            core_len: if held { core.len() as u8 } else { 0 },
            trade_len: if held { trade.len() as u8 } else { 0 },
            mobile,
            email: k.email.is_some() || k.keyed.email.is_some(),
            address: k.address.is_some(),
        }
    }

    fn name(&self) -> Option<(&str, &str)> {
        if self.core_len == 0 {
            return None;
        }
        let core = std::str::from_utf8(&self.core[..self.core_len as usize]).ok()?;
        Some((core, core.get(..self.trade_len as usize)?))
    }
}

/// Whether the pair's score is surely below `threshold` (`false`: score it in full).
pub fn dismissed(a: &QuickKeys, b: &QuickKeys, threshold: f32) -> bool {
    if (a.email && b.email) || (a.address && b.address) {
        return false;
    }
    let (Some(x), Some(y)) = (a.mobile, b.mobile) else { return false };
    if x == y {
        return false;
    }
    let (Ok(x), Ok(y)) = (std::str::from_utf8(&x), std::str::from_utf8(&y)) else { return false };
    if near_or_different(x, y) != PhoneMatch::Different {
        return false;
    }
    let (Some(p), Some(q)) = (a.name(), b.name()) else { return false };
    if !matches!(shape_of(p, q), Shape::OtherTrade) {
        return false;
    }
    // Another 字号 weighs at most COMPANY_MID and never makes "the same company", so a
    // different number and contact count against; nothing identifies the customer.
    let best = w::PRIOR + w::COMPANY_MID + w::CONTACT_SAME + w::REGION_SAME;
    // A margin for the order the full score adds its terms in.
    1.0 / (1.0 + (-best).exp()) < threshold - 1e-4
}
