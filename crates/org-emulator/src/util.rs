//! Small helpers of the emulator: Salesforce record ids, Salesforce date-times, URL decoding,
//! random tokens.

use std::time::{SystemTime, UNIX_EPOCH};

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 3-character checksum that turns a 15-character id into its 18-character form.
pub fn id_checksum(id15: &str) -> Option<String> {
    let bytes = id15.as_bytes();
    if bytes.len() != 15 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut out = String::with_capacity(3);
    for chunk in bytes.chunks(5) {
        let mut n = 0usize;
        for (i, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                n |= 1 << i;
            }
        }
        out.push(CHECKSUM_ALPHABET[n] as char);
    }
    Some(out)
}

/// A 15- or 18-character id in its 18-character form (the suffix recomputed); `None` when the
/// text is not shaped like an id.
pub fn to_id18(id: &str) -> Option<String> {
    if id.len() != 15 && id.len() != 18 {
        return None;
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let head = &id[..15];
    Some(format!("{head}{}", id_checksum(head)?))
}

/// Whether `id` is a well-formed 18-character id whose suffix matches its checksum.
pub fn is_valid_id18(id: &str) -> bool {
    id.len() == 18 && to_id18(id).as_deref() == Some(id)
}

/// A new 18-character id: key prefix, two "pod" characters, a base-62 counter, checksum.
pub fn make_id(prefix: &str, pod: &str, n: u64) -> String {
    debug_assert_eq!(prefix.len(), 3);
    debug_assert_eq!(pod.len(), 2);
    let mut digits = [b'0'; 10];
    let mut v = n;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    let head = format!(
        "{prefix}{pod}{}",
        std::str::from_utf8(&digits).unwrap_or("0000000000")
    );
    let sum = id_checksum(&head).unwrap_or_default();
    format!("{head}{sum}")
}

// ---------------------------------------------------------------------------------------------
// Date-times. Salesforce writes `2026-11-29T12:00:00.000+0000`.

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-11-29T12:00:00.000+0000` for an epoch-milliseconds instant.
pub fn format_datetime(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}+0000")
}

fn digits(s: &str, from: usize, n: usize) -> Option<u32> {
    let part = s.get(from..from + n)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// Days since the epoch for `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<i64> {
    if s.len() != 10 || &s[4..5] != "-" || &s[7..8] != "-" {
        return None;
    }
    let (y, m, d) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y as i64, m, d))
}

/// Epoch milliseconds for `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)`; a bare date is midnight UTC.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let days = parse_date(s.get(..10)?)?;
    if s.len() == 10 {
        return Some(days * 86_400_000);
    }
    if &s[10..11] != "T" || s.get(13..14)? != ":" || s.get(16..17)? != ":" {
        return None;
    }
    let (h, mi, sec) = (digits(s, 11, 2)?, digits(s, 14, 2)?, digits(s, 17, 2)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let f = &frac[..n];
        let padded = format!("{f:0<3}");
        millis = padded[..3].parse().ok()?;
        rest = &frac[n..];
    }
    let offset_min: i64 = match rest {
        "Z" | "" => 0,
        _ => {
            let sign = match &rest[..1] {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let body = rest[1..].replace(':', "");
            if body.len() != 4 {
                return None;
            }
            let oh: i64 = digits(&body, 0, 2)? as i64;
            let om: i64 = digits(&body, 2, 2)? as i64;
            sign * (oh * 60 + om)
        }
    };
    Some(
        days * 86_400_000 + (h as i64 * 3600 + mi as i64 * 60 + sec as i64) * 1000 + millis
            - offset_min * 60_000,
    )
}

// ---------------------------------------------------------------------------------------------
// URLs.

/// Percent-decoding of a URL component; `plus_is_space` for form and query encoding.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=x+y` as decoded pairs.
pub fn parse_form(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

/// Random characters of the kind Salesforce puts in tokens.
pub fn random_token(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    (0..len)
        .map(|_| CHARS[fastrand::usize(..CHARS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_vectors() {
        assert_eq!(to_id18("001M000000qfPyS").unwrap(), "001M000000qfPySIAU");
        assert_eq!(to_id18("a0RE000000IJmcN").unwrap(), "a0RE000000IJmcNMAT");
        assert!(is_valid_id18(crate::SEED_ORG_ID));
        assert!(is_valid_id18(&make_id("005", "5e", 12345)));
        assert!(to_id18("not an id").is_none());
    }

    #[test]
    fn datetimes_round_trip() {
        let ms = parse_datetime("2026-11-29T12:00:00.000+0000").unwrap();
        assert_eq!(format_datetime(ms), "2026-11-29T12:00:00.000+0000");
        assert_eq!(parse_datetime("2026-11-29T13:00:00+01:00"), Some(ms));
        assert_eq!(parse_datetime("2026-11-29T12:00:00Z"), Some(ms));
        assert_eq!(parse_datetime("2026-11-29"), Some(ms - 12 * 3_600_000));
        assert!(parse_datetime("2026-13-01").is_none());
        assert_eq!(format_datetime(0), "1970-01-01T00:00:00.000+0000");
    }

    #[test]
    fn decoding() {
        assert_eq!(
            percent_decode("SELECT+Id%20FROM%2bX", true),
            "SELECT Id FROM+X"
        );
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(
            parse_form("grant_type=refresh_token&client_id=Platform%43LI"),
            vec![
                ("grant_type".into(), "refresh_token".into()),
                ("client_id".into(), "PlatformCLI".into())
            ]
        );
    }
}
