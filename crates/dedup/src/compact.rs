//! The stored form of an indexed lead: its [`LeadKeys`] packed into bytes in one arena
//! (lengths as varints, the 字号 as a length when it starts the core, the region as a
//! number in a table of distinct regions), unpacked into a reused [`LeadKeys`] when a
//! candidate is scored. Packing and unpacking give back exactly the keys stored, so
//! scores do not change; a lead costs its text plus a few bytes instead of ~20
//! `String`/`Vec` headers and their allocations.

use crate::normalize::{CompanyName, PersonName, Phone};
use crate::record::{Keyed, LeadKeys};
use rustc_hash::FxHashMap;

/// Distinct strings (regions), each stored once and referred to by number.
#[derive(Debug, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    numbers: FxHashMap<Box<str>, u32>,
}

impl Interner {
    fn number(&mut self, s: &str) -> u32 {
        if let Some(n) = self.numbers.get(s) {
            return *n;
        }
        let n = u32::try_from(self.strings.len()).expect("fewer than 2^32 distinct regions");
        self.strings.push(s.into());
        self.numbers.insert(s.into(), n);
        n
    }

    fn get(&self, n: u32) -> &str {
        &self.strings[n as usize]
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_strs(out: &mut Vec<u8>, v: &[String]) {
    put_varint(out, v.len() as u64);
    for s in v {
        put_str(out, s);
    }
}

/// An optional string: 0 for none, else its length + 1 and its bytes.
fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            put_varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Append the packed form of `k` to `out`. The places of the company name are not
/// stored (the index drops them).
pub fn encode(k: &LeadKeys, regions: &mut Interner, out: &mut Vec<u8>) {
    // Destructured in full so that a field added to the keys is a compile error here.
    let LeadKeys { company, contact, phone, email, region, address, keyed } = k;
    let CompanyName { core, trade, places: _, tokens } = company;
    put_str(out, core);
    if core.starts_with(trade.as_str()) {
        put_varint(out, (trade.len() as u64) << 1);
    } else {
        put_varint(out, ((trade.len() as u64) << 1) | 1);
        out.extend_from_slice(trade.as_bytes());
    }
    put_strs(out, tokens);
    let PersonName { full, surname, title_only, spellings, words } = contact;
    out.push(u8::from(*title_only));
    put_str(out, full);
    put_str(out, surname);
    put_strs(out, spellings);
    put_strs(out, words);
    match phone {
        Phone::None => out.push(0),
        Phone::Mobile { digits } => {
            out.push(1);
            put_str(out, digits);
        }
        Phone::Landline { area, number } => {
            out.push(2);
            put_opt(out, area.as_deref());
            put_str(out, number);
        }
        Phone::Masked { prefix, suffix } => {
            out.push(3);
            put_str(out, prefix);
            put_str(out, suffix);
        }
        Phone::Hashed { digest } => {
            out.push(4);
            put_str(out, digest);
        }
        Phone::Other { digits } => {
            out.push(5);
            put_str(out, digits);
        }
    }
    put_opt(out, email.as_deref());
    put_varint(out, u64::from(regions.number(region)));
    put_opt(out, address.as_deref());
    let Keyed { phone, email, contact } = keyed;
    for d in [phone, email, contact] {
        put_opt(out, d.as_deref());
    }
}

/// Reads packed bytes from the front.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[0];
        self.bytes = &self.bytes[1..];
        b
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    fn bytes(&mut self, n: usize) -> &'a str {
        let (s, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        std::str::from_utf8(s).expect("packed keys hold UTF-8")
    }

    fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        self.bytes(n)
    }

    fn str_into(&mut self, s: &mut String) {
        s.clear();
        s.push_str(self.str());
    }

    fn strs_into(&mut self, v: &mut Vec<String>) {
        let n = self.varint() as usize;
        v.truncate(n);
        v.resize_with(n, String::new);
        for s in v.iter_mut() {
            self.str_into(s);
        }
    }

    fn opt_into(&mut self, o: &mut Option<String>) {
        match self.varint() {
            0 => *o = None,
            n => {
                let s = self.bytes(n as usize - 1);
                match o {
                    Some(t) => {
                        t.clear();
                        t.push_str(s);
                    }
                    None => *o = Some(s.to_string()),
                }
            }
        }
    }

    fn company_into(&mut self, c: &mut CompanyName) {
        let CompanyName { core, trade, places, tokens } = c;
        self.str_into(core);
        let t = self.varint();
        trade.clear();
        if t & 1 == 0 {
            trade.push_str(&core[..(t >> 1) as usize]);
        } else {
            trade.push_str(self.bytes((t >> 1) as usize));
        }
        places.clear();
        self.strs_into(tokens);
    }
}

/// Unpack the company name at the start of `bytes` into `c`.
pub fn decode_company_into(bytes: &[u8], c: &mut CompanyName) {
    Reader { bytes }.company_into(c);
}

/// Unpack `bytes` into `k`, reusing its strings.
pub fn decode_into(bytes: &[u8], regions: &Interner, k: &mut LeadKeys) {
    let mut r = Reader { bytes };
    let LeadKeys { company, contact, phone, email, region, address, keyed } = k;
    r.company_into(company);
    let PersonName { full, surname, title_only, spellings, words } = contact;
    *title_only = r.byte() != 0;
    r.str_into(full);
    r.str_into(surname);
    r.strs_into(spellings);
    r.strs_into(words);
    *phone = match r.byte() {
        0 => Phone::None,
        1 => Phone::Mobile { digits: r.str().to_string() },
        2 => {
            let mut area = None;
            r.opt_into(&mut area);
            Phone::Landline { area, number: r.str().to_string() }
        }
        3 => Phone::Masked { prefix: r.str().to_string(), suffix: r.str().to_string() },
        4 => Phone::Hashed { digest: r.str().to_string() },
        5 => Phone::Other { digits: r.str().to_string() },
        t => unreachable!("phone tag {t}"),
    };
    r.opt_into(email);
    region.clear();
    region.push_str(regions.get(r.varint() as u32));
    r.opt_into(address);
    let Keyed { phone, email, contact } = keyed;
    for d in [phone, email, contact] {
        r.opt_into(d);
    }
}

/// Unpack `bytes` into new keys.
pub fn decode(bytes: &[u8], regions: &Interner) -> LeadKeys {
    let mut k = LeadKeys::default();
    decode_into(bytes, regions, &mut k);
    k
}

/// The packed lead at the start of `bytes` and the length of its frame (the arena
/// stores leads back to back, each preceded by its length).
pub fn framed(bytes: &[u8]) -> (&[u8], usize) {
    let mut r = Reader { bytes };
    let n = r.varint() as usize;
    let head = bytes.len() - r.bytes.len();
    (&r.bytes[..n], head + n)
}

/// Append `k` to `arena` as its length and packed bytes, using `scratch` to pack.
pub fn push_framed(k: &LeadKeys, regions: &mut Interner, scratch: &mut Vec<u8>, arena: &mut Vec<u8>) -> usize {
    scratch.clear();
    encode(k, regions, scratch);
    let start = arena.len();
    put_varint(arena, scratch.len() as u64);
    arena.extend_from_slice(scratch);
    arena.len() - start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::LeadRecord;
    use proptest::prelude::*;

    fn roundtrip(k: &LeadKeys) {
        let mut regions = Interner::default();
        let mut arena = Vec::new();
        let mut scratch = Vec::new();
        let n = push_framed(k, &mut regions, &mut scratch, &mut arena);
        assert_eq!(n, arena.len());
        assert_eq!(framed(&arena).1, n);
        let mut want = k.clone();
        want.company.places.clear();
        assert_eq!(decode(framed(&arena).0, &regions), want);
        // Unpacking into keys that held another lead gives the same.
        let mut reused = LeadKeys::from_record(&LeadRecord {
            company: "Restaurant Katsu Los Angeles".into(),
            contact: "Lydia Doosey".into(),
            phone: "010-6552 1234".into(),
            email: "a@b.com".into(),
            region: "上海".into(),
            address: Some("12 Main St".into()),
        });
        decode_into(framed(&arena).0, &regions, &mut reused);
        assert_eq!(reused, want);
    }

    #[test]
    fn packed_keys_come_back_unchanged() {
        for (company, contact, phone, email, region, address) in [
            ("北京市锦信环保科技有限公司", "丁艳", "13626445365", "zhou982@ie994a6.com", "北京", None),
            ("锦信（北京）环保", "丁女士", "136****5365", "", "", Some("北京市朝阳区建国路88号")),
            ("The Palm (Los Angeles)", "JianGuo WANG", "0512-6552 1234", "x@qq.com", "", Some("9 N. Main Ave")),
            ("", "王总", "sha256:ab12", "", "广东", None),
            ("上海市广东新能", "", "+1 415 555 0100", "", "上海市", None),
            ("腾达", "\u{1f}k:c0ffee", "139****3333\u{1f}k:ab12", "\u{1f}k:e1", "深圳", None),
        ] {
            roundtrip(&LeadKeys::from_record(&LeadRecord {
                company: company.into(),
                contact: contact.into(),
                phone: phone.into(),
                email: email.into(),
                region: region.into(),
                address: address.map(Into::into),
            }));
        }
        roundtrip(&LeadKeys::default());
    }

    proptest! {
        #[test]
        fn any_keys_come_back_unchanged(
            core in ".{0,12}", trade in ".{0,6}", tokens in proptest::collection::vec(".{0,8}", 0..3),
            full in ".{0,8}", surname in "[a-z]{0,6}", title_only in any::<bool>(),
            spellings in proptest::collection::vec("[a-z]{0,12}", 0..3), words in proptest::collection::vec("[a-z]{0,8}", 0..3),
            phone_kind in 0u8..6, a in "[0-9]{0,12}", b in proptest::option::of("[0-9]{3,4}"),
            email in proptest::option::of(".{0,20}"), region in ".{0,4}", address in proptest::option::of(".{0,200}"),
        ) {
            let kb = b.clone();
            let phone = match phone_kind {
                0 => Phone::None,
                1 => Phone::Mobile { digits: a },
                2 => Phone::Landline { area: b, number: a },
                3 => Phone::Masked { prefix: a, suffix: b.unwrap_or_default() },
                4 => Phone::Hashed { digest: a },
                _ => Phone::Other { digits: a },
            };
            let k = LeadKeys {
                company: CompanyName { core, trade, places: Vec::new(), tokens },
                contact: PersonName { full, surname, title_only, spellings, words },
                phone,
                email,
                region,
                address,
                keyed: Keyed { phone: kb.clone(), email: None, contact: kb },
            };
            roundtrip(&k);
        }
    }
}
