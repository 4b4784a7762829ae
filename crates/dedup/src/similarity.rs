//! String similarity on characters (not bytes), allocation-free for short strings.
//!
//! Company cores and names are a handful of characters, and a check compares the
//! candidate with hundreds of them, so Jaro–Winkler runs on stack buffers here
//! (strsim's version allocates per call); longer strings fall back to strsim.

const MAX: usize = 64;

/// Jaro–Winkler similarity in [0, 1] over Unicode scalar values (prefix scale 0.1,
/// at most 4 prefix characters), equal to `strsim::jaro_winkler`.
pub fn jaro_winkler(a: &str, b: &str) -> f32 {
    let mut ab = ['\0'; MAX];
    let mut bb = ['\0'; MAX];
    let (mut la, mut lb) = (0, 0);
    for c in a.chars() {
        if la == MAX {
            return strsim::jaro_winkler(a, b) as f32;
        }
        ab[la] = c;
        la += 1;
    }
    for c in b.chars() {
        if lb == MAX {
            return strsim::jaro_winkler(a, b) as f32;
        }
        bb[lb] = c;
        lb += 1;
    }
    let (a, b) = (&ab[..la], &bb[..lb]);
    let j = jaro(a, b);
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    let jw = j + 0.1 * prefix as f64 * (1.0 - j);
    jw.clamp(0.0, 1.0) as f32
}

fn jaro(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = [false; MAX];
    let mut a_matched = [false; MAX];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == *ca {
                b_used[j] = true;
                a_matched[i] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, ca) in a.iter().enumerate() {
        if !a_matched[i] {
            continue;
        }
        while !b_used[j] {
            j += 1;
        }
        if *ca != b[j] {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_strsim() {
        let words = ["锦信环保科技", "锦信环保", "源大新能源", "源大新能", "martha", "marhta", "dixon", "dicksonx", "", "a", "华为技术"];
        for a in words {
            for b in words {
                let ours = jaro_winkler(a, b);
                let theirs = strsim::jaro_winkler(a, b) as f32;
                assert!((ours - theirs).abs() < 1e-5, "{a} {b}: {ours} vs {theirs}");
            }
        }
    }
}
