//! DNS messages: replies built from our records, and the raw question
//! scan that answers (or refuses) a packet simple_dns cannot parse.

use std::net::Ipv4Addr;

use simple_dns::rdata::OPT;
use simple_dns::{Packet, PacketFlag, ResourceRecord, RCODE};

use super::{A_RECORD_SIZE, EDNS_UDP_SIZE, PLAIN_UDP_LIMIT, TCP_LIMIT};

/// Our reply to `query`: flags, question and EDNS set as a resolver would; answers dropped
/// (and TC set) when they do not fit the client's UDP payload size (over TCP, 64 KiB).
pub(super) fn build_reply<'a>(
    query: &Packet<'a>,
    rcode: RCODE,
    answers: Vec<ResourceRecord<'a>>,
    authoritative: bool,
    tcp: bool,
) -> Option<Vec<u8>> {
    let mut reply = Packet::new_reply(query.id());
    let mut flags = PacketFlag::RECURSION_AVAILABLE;
    if query.has_flags(PacketFlag::RECURSION_DESIRED) {
        flags |= PacketFlag::RECURSION_DESIRED;
    }
    if authoritative {
        flags |= PacketFlag::AUTHORITATIVE_ANSWER;
    }
    reply.set_flags(flags);
    *reply.rcode_mut() = rcode;
    reply.questions = query.questions.clone();
    reply.answers = answers;
    let limit = match query.opt() {
        Some(opt) => {
            *reply.opt_mut() = Some(OPT {
                opt_codes: Vec::new(),
                udp_packet_size: EDNS_UDP_SIZE,
                version: 0,
            });
            usize::from(opt.udp_packet_size).clamp(PLAIN_UDP_LIMIT, usize::from(EDNS_UDP_SIZE))
        }
        None => PLAIN_UDP_LIMIT,
    };
    let limit = if tcp { TCP_LIMIT } else { limit };
    loop {
        let bytes = reply.build_bytes_vec_compressed().ok()?;
        if bytes.len() <= limit || reply.answers.is_empty() {
            return Some(bytes);
        }
        let drop = (bytes.len() - limit).div_ceil(A_RECORD_SIZE).max(1);
        let keep = reply.answers.len().saturating_sub(drop);
        reply.answers.truncate(keep);
        reply.set_flags(PacketFlag::TRUNCATION);
    }
}

/// The single question of a query, scanned by hand (for types simple-dns does not know).
pub(super) struct RawQuestion {
    pub(super) id: u16,
    pub(super) rd: bool,
    /// The lookup key, `None` when the name cannot be one of ours.
    pub(super) name: Option<String>,
    pub(super) qtype: u16,
    pub(super) qclass: u16,
    /// Offset just past the question.
    pub(super) end: usize,
}

/// Header and question of a standard query with exactly one question, or `None`.
pub(super) fn scan_question(pkt: &[u8]) -> Option<RawQuestion> {
    let word = |at: usize| -> Option<u16> {
        let b = pkt.get(at..at + 2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    };
    let id = word(0)?;
    let flags = word(2)?;
    // QR set or an opcode other than QUERY; exactly one question.
    if flags & 0xf800 != 0 || word(4)? != 1 {
        return None;
    }
    let mut labels: Vec<&[u8]> = Vec::new();
    let mut pos = 12;
    let mut total = 1;
    loop {
        let len = usize::from(*pkt.get(pos)?);
        pos += 1;
        if len == 0 {
            break;
        }
        // Compression pointers and extended label types have no place in a question.
        if len > 63 {
            return None;
        }
        labels.push(pkt.get(pos..pos + len)?);
        pos += len;
        total += len + 1;
        if total > 255 {
            return None;
        }
    }
    Some(RawQuestion {
        id,
        rd: flags & 0x0100 != 0,
        name: name_key(labels.into_iter()),
        qtype: word(pos)?,
        qclass: word(pos + 2)?,
        end: pos + 4,
    })
}

/// A reply without records to a hand-scanned question.
pub(super) fn raw_reply(pkt: &[u8], q: &RawQuestion, rcode: RCODE, authoritative: bool) -> Vec<u8> {
    let mut flags = 0x8000 | 0x0080 | (rcode as u16 & 0x000f);
    if q.rd {
        flags |= 0x0100;
    }
    if authoritative {
        flags |= 0x0400;
    }
    let mut out = Vec::with_capacity(q.end);
    out.extend_from_slice(&q.id.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&pkt[12..q.end]);
    out
}

/// The lookup key of a name given as labels: lowercased, dot-joined, no trailing dot.
/// `None` for labels that are not UTF-8 or contain a dot (never one of our names).
pub(super) fn name_key<'a>(labels: impl Iterator<Item = &'a [u8]>) -> Option<String> {
    let mut key = String::new();
    for label in labels {
        let label = std::str::from_utf8(label).ok()?;
        if label.contains('.') {
            return None;
        }
        if !key.is_empty() {
            key.push('.');
        }
        key.push_str(&label.to_ascii_lowercase());
    }
    Some(key)
}

/// The address a reverse name (`4.3.2.1.in-addr.arpa`, as a lookup key) asks about.
pub(super) fn reverse_ip(key: &str) -> Option<Ipv4Addr> {
    let rest = key.strip_suffix(".in-addr.arpa")?;
    let mut octets = [0u8; 4];
    let mut parts = rest.split('.');
    for o in octets.iter_mut().rev() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}
