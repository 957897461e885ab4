//! Salesforce ids: 15-character case-sensitive ids with the 3-character checksum suffix that
//! makes the 18-character case-insensitive form. Key prefixes follow Salesforce (00D org,
//! 005 user, 01p ApexClass, ...). Ids are deterministic per (prefix, counter) so test runs
//! and demo orgs are reproducible.

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Builds the 18-character id for `prefix` (3 chars), a pod char and a counter.
pub fn make_id(prefix: &str, counter: u64) -> String {
    assert_eq!(prefix.len(), 3, "key prefix must be 3 characters");
    let mut body = [b'0'; 12];
    let mut n = counter;
    for slot in body.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    let mut id15 = String::with_capacity(18);
    id15.push_str(prefix);
    id15.push_str(std::str::from_utf8(&body).expect("ascii"));
    to_18(&id15)
}

/// Converts a 15-character id to its 18-character form (Salesforce's checksum algorithm).
pub fn to_18(id15: &str) -> String {
    debug_assert_eq!(id15.len(), 15);
    let bytes = id15.as_bytes();
    let mut out = String::from(id15);
    for chunk in bytes.chunks(5) {
        let mut bits = 0usize;
        for (i, c) in chunk.iter().enumerate() {
            if c.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        out.push(SUFFIX[bits] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_checksum() {
        // A documented example: 001A0000006Vm9r -> 001A0000006Vm9rIAC
        assert_eq!(to_18("001A0000006Vm9r"), "001A0000006Vm9rIAC");
    }

    #[test]
    fn ids_are_18_and_distinct() {
        let a = make_id("00D", 1);
        let b = make_id("00D", 2);
        assert_eq!(a.len(), 18);
        assert_ne!(a, b);
        assert!(a.starts_with("00D"));
    }
}
