//! What sealing and digests cost, and what they cost an attacker.
//!
//! `cargo run --release -p leadguard-seal --example bench_seal` (or `make bench-seal`).
//! Prints per-operation times for the default digest cost beside a plain SHA-256 of the
//! same input (the peer: what a digest without a cost would give an attacker), and
//! what a dictionary attack on mainland mobile numbers would take at each.

use std::time::Instant;

use leadguard_seal::{open, seal, DigestKind, DigestParams, Digester, LeadKey, CompanyKeys};
use sha2::{Digest, Sha256};

fn per_op(n: u32, mut f: impl FnMut(u32)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_secs_f64() / n as f64
}

fn main() {
    let keys = CompanyKeys::generate().expect("random source");
    let phones: Vec<String> = (0..2000u32).map(|i| format!("139{:08}", i * 7919 % 100_000_000)).collect();
    // Realistic mainland mobile space: ~40 prefixes in use × 10^8 numbers.
    let mobile_space = 40.0 * 1e8;
    let masked_space = 1e4;

    println!("leadguard-seal bench (one core)");
    println!("{:<52} {:>12} {:>16} {:>20}", "operation", "per op", "dictionary (days)", "one masked phone");
    let sha = per_op(200_000, |i| {
        std::hint::black_box(Sha256::digest(phones[i as usize % phones.len()].as_bytes()));
    });
    report("sha256 (peer: no key, no cost)", sha, mobile_space, masked_space);
    for (label, params, n) in [
        ("argon2id digest, test cost", DigestParams::TEST, 2000),
        ("argon2id digest, default cost", DigestParams::DEFAULT, 100),
    ] {
        let d = Digester::new(keys.digest.clone(), params).expect("params");
        let t = per_op(n, |i| {
            std::hint::black_box(d.digest(DigestKind::Phone, &phones[i as usize % phones.len()]));
        });
        report(&format!("{label} ({} KiB, {} passes)", params.memory_kib, params.passes), t, mobile_space, masked_space);
    }
    let key = LeadKey::generate().expect("random source");
    let sealed: Vec<String> = phones.iter().map(|p| seal(&key, "a1b2c3d4e5f60718", "phone", p).unwrap()).collect();
    let t_seal = per_op(20_000, |i| {
        std::hint::black_box(seal(&key, "a1b2c3d4e5f60718", "phone", &phones[i as usize % phones.len()]).unwrap());
    });
    let t_open = per_op(20_000, |i| {
        std::hint::black_box(open(&key, "a1b2c3d4e5f60718", "phone", &sealed[i as usize % sealed.len()]).unwrap());
    });
    println!("{:<52} {:>12}", "seal one field", fmt_t(t_seal));
    println!("{:<52} {:>12}", "open one field", fmt_t(t_open));
    println!("sealed phone: {} bytes (plain 11)", sealed[0].len());
}

fn report(label: &str, t: f64, space: f64, masked: f64) {
    println!("{:<52} {:>12} {:>16.1} {:>20}", label, fmt_t(t), t * space / 86_400.0, fmt_t(t * masked));
}

fn fmt_t(t: f64) -> String {
    if t >= 1.0 {
        format!("{t:.1} s")
    } else if t >= 1e-3 {
        format!("{:.2} ms", t * 1e3)
    } else {
        format!("{:.2} µs", t * 1e6)
    }
}
