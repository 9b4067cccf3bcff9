//! 64-hex random ids, accepted by any unique prefix.

use crate::error::{Error, Result};

/// A new random id: 32 bytes from getrandom, as 64 lowercase hex digits.
pub fn new_id() -> String {
    let mut buf = [0u8; 32];
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: the pointer and length describe the unfilled tail of `buf`.
        let n =
            unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), buf.len() - filled, 0) };
        if n > 0 {
            filled += n as usize;
        }
    }
    hex(&buf)
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Is `s` a full 64-hex id?
pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Could `s` be a (prefix of an) id?
pub fn is_id_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Find the single id in `ids` that starts with `prefix`.
/// `Ok(None)`: no match. Two or more: an error naming the prefix.
pub fn match_prefix<'a, I>(ids: I, prefix: &str, kind: &str) -> Result<Option<String>>
where
    I: IntoIterator<Item = &'a str>,
{
    if !is_id_prefix(prefix) {
        return Ok(None);
    }
    let mut found: Option<&str> = None;
    for id in ids {
        if id.starts_with(prefix) {
            if found.is_some_and(|f| f != id) {
                return Err(Error::InvalidArgument(format!(
                    "{prefix}: {kind} id prefix is ambiguous"
                )));
            }
            found = Some(id);
        }
    }
    Ok(found.map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_64_hex_and_distinct() {
        let a = new_id();
        assert!(is_full_id(&a));
        assert_ne!(a, new_id());
    }

    #[test]
    fn prefixes() {
        let ids = ["abc1", "abd2", "ff"];
        assert_eq!(
            match_prefix(ids, "abc", "image").unwrap().as_deref(),
            Some("abc1")
        );
        assert!(match_prefix(ids, "ab", "image").is_err());
        assert_eq!(match_prefix(ids, "zz", "image").unwrap(), None);
        assert_eq!(match_prefix(ids, "", "image").unwrap(), None);
    }
}
