//! A ruleset as one nf_tables batch of netlink messages.

use super::nft::NFNL_SUBSYS_NFTABLES;
use super::rules::{build_rules, build_rules_with, Rule, CHAINS};
use super::{FirewallError, Ruleset, TABLE};
use std::collections::HashMap;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE,
    NLM_F_REQUEST,
};
use netlink_packet_netfilter::nftables::{
    ChainAttribute, ChainMessage, Hook, HookNumber, NfTablesMessage, RuleAttribute, RuleMessage,
    TableAttribute, TableMessage,
};
use netlink_packet_netfilter::none::ControlMessage;
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily,
};

/// One message of the batch, with a description for error reports.
pub(super) struct BatchMsg {
    pub(super) msg: NetlinkMessage<NetfilterMessage>,
    pub(super) what: String,
}

pub(super) struct Batch {
    pub(super) msgs: Vec<BatchMsg>,
}

pub(super) fn nft_msg(
    family: NetfilterProtoFamily,
    res_id: u16,
    inner: impl Into<NetfilterMessageInner>,
    flags: u16,
) -> NetlinkMessage<NetfilterMessage> {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    let payload = NetfilterMessage::new(NetfilterHeader::new(family, 0, res_id), inner);
    NetlinkMessage::new(header, NetlinkPayload::InnerMessage(payload))
}

/// The batch's first or last message.
fn control(msg: ControlMessage, what: &str) -> BatchMsg {
    BatchMsg {
        msg: nft_msg(
            NetfilterProtoFamily::Unspec,
            NFNL_SUBSYS_NFTABLES,
            msg,
            NLM_F_REQUEST,
        ),
        what: what.into(),
    }
}

/// A message appending rule `r` to its chain.
fn append_rule(r: Rule, what: String) -> BatchMsg {
    let attributes = vec![
        RuleAttribute::Table(TABLE.to_string()),
        RuleAttribute::Chain(r.chain.to_string()),
        RuleAttribute::Expressions(r.exprs),
    ];
    BatchMsg {
        msg: nft_msg(
            NetfilterProtoFamily::IPv4,
            0,
            NfTablesMessage::NewRule(RuleMessage { attributes }),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND,
        ),
        what,
    }
}

pub(super) fn build_batch(rules: &Ruleset) -> Result<Batch, FirewallError> {
    let ip = NetfilterProtoFamily::IPv4;
    let req = NLM_F_REQUEST | NLM_F_ACK;
    let table = || TableMessage {
        attributes: vec![TableAttribute::Name(TABLE.to_string())],
    };
    let mut msgs = vec![
        control(ControlMessage::BatchBegin, "beginning the batch"),
        BatchMsg {
            msg: nft_msg(
                ip,
                0,
                NfTablesMessage::NewTable(table()),
                req | NLM_F_CREATE,
            ),
            what: format!("adding table ip {TABLE}"),
        },
    ];
    if rules.is_empty() {
        msgs.push(BatchMsg {
            msg: nft_msg(ip, 0, NfTablesMessage::DeleteTable(table()), req),
            what: format!("deleting table ip {TABLE}"),
        });
    } else {
        // The table and its chains are kept (created if missing) and only
        // their rules replaced: deleting a base chain unregisters its
        // netfilter hook, which waits for an RCU grace period (ms each).
        let rule_list = build_rules(rules)?;
        for c in &CHAINS {
            let mut attributes = vec![
                ChainAttribute::Table(TABLE.to_string()),
                ChainAttribute::Name(c.name.to_string()),
            ];
            if let Some((ty, hook, prio, policy)) = c.base {
                attributes.push(ChainAttribute::Hook(vec![
                    Hook::Number(HookNumber::Inet(hook)),
                    Hook::Priority(prio as u32),
                ]));
                if let Some(policy) = policy {
                    attributes.push(ChainAttribute::Policy(policy));
                }
                attributes.push(ChainAttribute::Type(ty.to_string()));
            }
            msgs.push(BatchMsg {
                msg: nft_msg(
                    ip,
                    0,
                    NfTablesMessage::NewChain(ChainMessage { attributes }),
                    req | NLM_F_CREATE,
                ),
                what: format!("adding chain {}", c.name),
            });
        }
        for c in &CHAINS {
            let attributes = vec![
                RuleAttribute::Table(TABLE.to_string()),
                RuleAttribute::Chain(c.name.to_string()),
            ];
            msgs.push(BatchMsg {
                msg: nft_msg(
                    ip,
                    0,
                    NfTablesMessage::DeleteRule(RuleMessage { attributes }),
                    req,
                ),
                what: format!("flushing chain {}", c.name),
            });
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for r in rule_list {
            let n = counts.entry(r.chain).or_default();
            *n += 1;
            let what = format!("adding rule {n} of chain {}", r.chain);
            msgs.push(append_rule(r, what));
        }
    }
    msgs.push(control(ControlMessage::BatchEnd, "ending the batch"));
    Ok(Batch { msgs })
}

/// A batch that only appends the rules of `added` to the existing chains
/// (holding `prev`'s).
pub(super) fn build_append_batch(prev: &Ruleset, added: &Ruleset) -> Result<Batch, FirewallError> {
    let mut msgs = vec![control(ControlMessage::BatchBegin, "beginning the batch")];
    for (n, r) in build_rules_with(added, Some(prev))?.into_iter().enumerate() {
        let what = format!("appending rule {} to chain {}", n + 1, r.chain);
        msgs.push(append_rule(r, what));
    }
    msgs.push(control(ControlMessage::BatchEnd, "ending the batch"));
    Ok(Batch { msgs })
}

impl Batch {
    /// Serialise with sequence numbers starting at `seq0`; returns the bytes
    /// and, per sequence number, the description and whether an ACK is due.
    pub(super) fn encode(&self, seq0: u32) -> (Vec<u8>, HashMap<u32, (String, bool)>) {
        let mut buf = Vec::new();
        let mut index = HashMap::new();
        for (i, m) in self.msgs.iter().enumerate() {
            let seq = seq0.wrapping_add(i as u32);
            let mut msg = m.msg.clone();
            msg.header.sequence_number = seq;
            msg.finalize();
            let start = buf.len();
            buf.resize(start + msg.buffer_len(), 0);
            msg.serialize(&mut buf[start..]);
            // Netlink messages are 4-byte aligned; our payloads already are,
            // but pad defensively.
            while buf.len() % 4 != 0 {
                buf.push(0);
            }
            let acked = m.msg.header.flags & NLM_F_ACK != 0;
            index.insert(seq, (m.what.clone(), acked));
        }
        (buf, index)
    }
}
