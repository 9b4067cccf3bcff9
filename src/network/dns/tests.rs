use super::tcp::TCP_IDLE;
use super::*;
use simple_dns::rdata::OPT;
use simple_dns::{Name, Question};
use std::collections::HashSet;
use std::io::Read;
use std::net::{SocketAddrV6, TcpStream};
use std::thread::sleep;

struct Map(HashMap<String, Vec<Ipv4Addr>>);

impl Records for Map {
    fn lookup(&self, name: &str) -> Option<Vec<Ipv4Addr>> {
        self.0.get(name).cloned()
    }
    fn reverse(&self, ip: Ipv4Addr) -> Option<String> {
        (ip == Ipv4Addr::new(10, 88, 0, 2)).then(|| "web.example".to_owned())
    }
}

fn records() -> Map {
    let mut m = HashMap::new();
    m.insert("web".to_owned(), vec![Ipv4Addr::new(10, 88, 0, 2)]);
    m.insert("web.example".to_owned(), vec![Ipv4Addr::new(10, 88, 0, 2)]);
    m.insert(
        "alias".to_owned(),
        vec![
            Ipv4Addr::new(10, 88, 0, 3),
            Ipv4Addr::new(10, 88, 0, 4),
            Ipv4Addr::new(10, 88, 0, 5),
        ],
    );
    let many = (1..=40).map(|i| Ipv4Addr::new(10, 89, 0, i)).collect();
    m.insert("many".to_owned(), many);
    Map(m)
}

fn server(upstreams: Vec<SocketAddr>) -> (DnsServer, SocketAddr) {
    let listen = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = listen.local_addr().unwrap();
    (DnsServer::new(listen, upstreams).unwrap(), addr)
}

fn client() -> UdpSocket {
    let c = UdpSocket::bind("127.0.0.1:0").unwrap();
    c.set_nonblocking(true).unwrap();
    c
}

fn query(id: u16, name: &str, qtype: TYPE, edns: Option<u16>) -> Vec<u8> {
    let mut p = Packet::new_query(id);
    p.set_flags(PacketFlag::RECURSION_DESIRED);
    p.questions.push(Question::new(
        Name::new_unchecked(name),
        qtype.into(),
        CLASS::IN.into(),
        false,
    ));
    if let Some(size) = edns {
        *p.opt_mut() = Some(OPT {
            opt_codes: Vec::new(),
            udp_packet_size: size,
            version: 0,
        });
    }
    p.build_bytes_vec().unwrap()
}

/// A fake resolver on loopback: answers every A query with `answer`, unless silent.
struct FakeUpstream {
    sock: UdpSocket,
    answer: Ipv4Addr,
    silent: bool,
    seen: Vec<(u16, SocketAddr)>,
    /// TCP at the same address: answers with 100 A records (too many for UDP).
    tcp: Option<TcpListener>,
    tcp_conns: Vec<(TcpStream, Vec<u8>)>,
    tcp_seen: usize,
}

impl FakeUpstream {
    fn new(bind: &str) -> io::Result<FakeUpstream> {
        let sock = UdpSocket::bind(bind)?;
        sock.set_nonblocking(true)?;
        Ok(FakeUpstream {
            sock,
            answer: Ipv4Addr::new(203, 0, 113, 7),
            silent: false,
            seen: Vec::new(),
            tcp: None,
            tcp_conns: Vec::new(),
            tcp_seen: 0,
        })
    }

    fn with_tcp(mut self) -> FakeUpstream {
        let l = TcpListener::bind(self.addr()).unwrap();
        l.set_nonblocking(true).unwrap();
        self.tcp = Some(l);
        self
    }

    fn addr(&self) -> SocketAddr {
        self.sock.local_addr().unwrap()
    }

    fn step(&mut self) {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = self.sock.recv_from(&mut buf) {
            let q = Packet::parse(&buf[..n]).unwrap();
            self.seen.push((q.id(), from));
            if self.silent {
                continue;
            }
            self.sock.send_to(&self.reply(&q), from).unwrap();
        }
        if let Some(l) = &self.tcp {
            while let Ok((c, _)) = l.accept() {
                c.set_nonblocking(true).unwrap();
                self.tcp_conns.push((c, Vec::new()));
            }
        }
        let mut replies = Vec::new();
        let answer = self.answer;
        for (c, got) in &mut self.tcp_conns {
            if let Ok(n) = c.read(&mut buf) {
                got.extend_from_slice(&buf[..n]);
            }
            let whole = got.len() >= 2
                && got.len() >= 2 + usize::from(u16::from_be_bytes([got[0], got[1]]));
            if whole {
                let q = Packet::parse(&got[2..]).unwrap();
                let one = FakeUpstream::reply_with(answer, &q);
                let mut r = Packet::parse(&one).unwrap();
                let first = r.answers[0].clone();
                for _ in 1..100 {
                    r.answers.push(first.clone());
                }
                let bytes = r.build_bytes_vec_compressed().unwrap();
                let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
                framed.extend(bytes);
                replies.push((c.try_clone().unwrap(), framed));
                got.clear();
            }
        }
        for (mut c, framed) in replies {
            self.tcp_seen += 1;
            c.set_nonblocking(false).unwrap();
            c.write_all(&framed).unwrap();
        }
    }

    fn reply(&self, q: &Packet<'_>) -> Vec<u8> {
        FakeUpstream::reply_with(self.answer, q)
    }

    fn reply_with(answer: Ipv4Addr, q: &Packet<'_>) -> Vec<u8> {
        let mut r = Packet::new_reply(q.id());
        r.set_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::RECURSION_AVAILABLE);
        r.questions = q.questions.clone();
        let rdata = RData::A(A {
            address: u32::from(answer),
        });
        let name = q.questions[0].qname.clone();
        r.answers
            .push(ResourceRecord::new(name, CLASS::IN, 60, rdata));
        r.build_bytes_vec().unwrap()
    }
}

/// Sends `pkt` from `client` and drives the server (and `step`, a fake upstream) until
/// the client has a reply, for at most `rounds` rounds of ~2 ms.
fn exchange(
    srv: &mut DnsServer,
    addr: SocketAddr,
    recs: &dyn Records,
    client: &UdpSocket,
    pkt: &[u8],
    step: &mut dyn FnMut(),
    rounds: usize,
) -> Option<Vec<u8>> {
    client.send_to(pkt, addr).unwrap();
    await_reply(srv, recs, client, step, rounds)
}

fn await_reply(
    srv: &mut DnsServer,
    recs: &dyn Records,
    client: &UdpSocket,
    step: &mut dyn FnMut(),
    rounds: usize,
) -> Option<Vec<u8>> {
    let mut buf = [0u8; 4096];
    for _ in 0..rounds {
        srv.on_query(recs);
        step();
        srv.on_upstream();
        match client.recv_from(&mut buf) {
            Ok((n, _)) => return Some(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => sleep(Duration::from_millis(2)),
            Err(e) => panic!("client recv: {e}"),
        }
    }
    None
}

fn ask(srv: &mut DnsServer, addr: SocketAddr, pkt: &[u8]) -> Option<Vec<u8>> {
    let c = client();
    exchange(srv, addr, &records(), &c, pkt, &mut || {}, 500)
}

fn a_answers(p: &Packet<'_>) -> Vec<Ipv4Addr> {
    p.answers
        .iter()
        .map(|rr| match &rr.rdata {
            RData::A(a) => Ipv4Addr::from(a.address),
            other => panic!("unexpected record {other:?}"),
        })
        .collect()
}

#[test]
fn known_name_gets_a_answer() {
    let (mut srv, addr) = server(Vec::new());
    let bytes = ask(&mut srv, addr, &query(0x1234, "web", TYPE::A, None)).unwrap();
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 0x1234);
    assert!(r.has_flags(PacketFlag::RESPONSE));
    assert!(r.has_flags(PacketFlag::AUTHORITATIVE_ANSWER));
    assert!(r.has_flags(PacketFlag::RECURSION_AVAILABLE));
    assert!(r.has_flags(PacketFlag::RECURSION_DESIRED));
    assert!(!r.has_flags(PacketFlag::TRUNCATION));
    assert_eq!(r.rcode(), RCODE::NoError);
    assert_eq!(r.questions.len(), 1);
    assert_eq!(r.questions[0].qname.to_string(), "web");
    assert_eq!(r.questions[0].qtype, QTYPE::TYPE(TYPE::A));
    assert_eq!(a_answers(&r), vec![Ipv4Addr::new(10, 88, 0, 2)]);
    assert_eq!(r.answers[0].ttl, TTL);
    assert_eq!(r.answers[0].name.to_string(), "web");
}

#[test]
fn rd_is_copied_from_query() {
    let (mut srv, addr) = server(Vec::new());
    let mut pkt = query(7, "web", TYPE::A, None);
    pkt[2] &= !0x01; // clear RD
    let r = ask(&mut srv, addr, &pkt).unwrap();
    let r = Packet::parse(&r).unwrap();
    assert!(!r.has_flags(PacketFlag::RECURSION_DESIRED));
    assert_eq!(a_answers(&r).len(), 1);
}

#[test]
fn case_and_trailing_dot_are_ignored() {
    let (mut srv, addr) = server(Vec::new());
    for name in ["WeB.ExAmple.", "web.example", "WEB"] {
        let bytes = ask(&mut srv, addr, &query(9, name, TYPE::A, None)).unwrap();
        let r = Packet::parse(&bytes).unwrap();
        assert_eq!(r.rcode(), RCODE::NoError, "{name}");
        assert_eq!(a_answers(&r), vec![Ipv4Addr::new(10, 88, 0, 2)], "{name}");
        // The question comes back exactly as asked (0x20 case randomisation).
        assert_eq!(r.questions[0].qname.to_string(), name.trim_end_matches('.'));
    }
}

#[test]
fn other_types_for_known_name_are_empty_noerror() {
    let (mut srv, addr) = server(Vec::new());
    for ty in [TYPE::AAAA, TYPE::MX, TYPE::TXT, TYPE::HTTPS] {
        let bytes = ask(&mut srv, addr, &query(11, "web", ty, None)).unwrap();
        let r = Packet::parse(&bytes).unwrap();
        assert_eq!(r.id(), 11);
        assert_eq!(r.rcode(), RCODE::NoError);
        assert!(r.has_flags(PacketFlag::AUTHORITATIVE_ANSWER));
        assert!(r.answers.is_empty());
        assert_eq!(r.questions[0].qtype, QTYPE::TYPE(ty));
    }
}

#[test]
fn unknown_qtype_for_known_name_is_empty_noerror() {
    // A hand-built query of type 65280 (private use), which simple-dns cannot parse.
    let mut pkt = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    pkt.extend_from_slice(b"\x03Web\x00\xff\x00\x00\x01");
    let (mut srv, addr) = server(Vec::new());
    let r = ask(&mut srv, addr, &pkt).unwrap();
    assert_eq!(&r[..2], &[0xab, 0xcd]);
    assert_eq!(r[2], 0x85, "QR AA RD");
    assert_eq!(r[3], 0x80, "RA, NOERROR");
    assert_eq!(&r[4..12], &[0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&r[12..], &pkt[12..]);
}

#[test]
fn answers_are_shuffled_per_query_and_per_server() {
    let (mut srv, addr) = server(Vec::new());
    let mut firsts = HashSet::new();
    let mut orders = HashSet::new();
    for id in 0..60 {
        let bytes = ask(&mut srv, addr, &query(id, "alias", TYPE::A, None)).unwrap();
        let answers = a_answers(&Packet::parse(&bytes).unwrap());
        let mut sorted = answers.clone();
        sorted.sort();
        assert_eq!(sorted.len(), 3, "every address, once: {answers:?}");
        sorted.dedup();
        assert_eq!(sorted.len(), 3, "every address, once: {answers:?}");
        firsts.insert(answers[0]);
        orders.insert(answers);
    }
    // 60 draws of 6 orders: all three firsts and more than three orders
    // (a rotation gives only three) but for a 1e-9 chance.
    assert_eq!(firsts.len(), 3);
    assert!(orders.len() > 3, "{orders:?}");
    // A new server (a new container) does not start with a fixed order.
    let mut first_of_new = HashSet::new();
    for _ in 0..40 {
        let (mut srv, addr) = server(Vec::new());
        let bytes = ask(&mut srv, addr, &query(1, "alias", TYPE::A, None)).unwrap();
        first_of_new.insert(a_answers(&Packet::parse(&bytes).unwrap())[0]);
    }
    assert!(first_of_new.len() > 1, "{first_of_new:?}");
}

#[test]
fn unknown_name_is_forwarded_and_relayed_with_original_id() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    let (mut srv, addr) = server(vec![up.addr()]);
    let c = client();
    let pkt = query(0x4242, "elsewhere.test", TYPE::A, None);
    let bytes = exchange(&mut srv, addr, &records(), &c, &pkt, &mut || up.step(), 500)
        .expect("relayed reply");
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 0x4242);
    assert_eq!(r.rcode(), RCODE::NoError);
    assert_eq!(r.questions[0].qname.to_string(), "elsewhere.test");
    assert_eq!(a_answers(&r), vec![Ipv4Addr::new(203, 0, 113, 7)]);
    assert_eq!(up.seen.len(), 1);
    // The forward came from the server's upstream socket, not the client.
    assert_ne!(up.seen[0].1, c.local_addr().unwrap());
    assert_eq!(srv.expire(Instant::now()), None, "nothing left pending");
}

#[test]
fn several_forwards_in_flight_map_back_to_their_clients() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    up.silent = true;
    let (mut srv, addr) = server(vec![up.addr()]);
    let recs = records();
    let clients: Vec<UdpSocket> = (0..3).map(|_| client()).collect();
    for (i, c) in clients.iter().enumerate() {
        // All three clients use the same id: the fresh ids keep them apart.
        let name = format!("host{i}.test");
        c.send_to(&query(5, &name, TYPE::A, None), addr).unwrap();
    }
    for _ in 0..500 {
        srv.on_query(&recs);
        up.step();
        if up.seen.len() == 3 {
            break;
        }
        sleep(Duration::from_millis(2));
    }
    assert_eq!(up.seen.len(), 3);
    let ids: HashSet<u16> = up.seen.iter().map(|s| s.0).collect();
    assert_eq!(ids.len(), 3, "fresh ids are distinct");
    up.silent = false;
    // Answer in reverse order, each with the fresh id its forward carried.
    for (i, c) in clients.iter().enumerate().rev() {
        let (fresh, from) = up.seen[i];
        let name = format!("host{i}.test");
        let q = query(fresh, &name, TYPE::A, None);
        let reply = up.reply(&Packet::parse(&q).unwrap());
        up.sock.send_to(&reply, from).unwrap();
        let bytes = await_reply(&mut srv, &recs, c, &mut || {}, 500).unwrap();
        let r = Packet::parse(&bytes).unwrap();
        assert_eq!(r.id(), 5);
        assert_eq!(r.questions[0].qname.to_string(), name);
    }
}

#[test]
fn forward_falls_back_when_send_to_first_upstream_fails() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    // Port 0 cannot be sent to (EINVAL): the next resolver is used.
    let dead: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let (mut srv, addr) = server(vec![dead, up.addr()]);
    let c = client();
    let pkt = query(77, "fallback.test", TYPE::A, None);
    let bytes = exchange(&mut srv, addr, &records(), &c, &pkt, &mut || up.step(), 500)
        .expect("relayed reply");
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 77);
    assert_eq!(a_answers(&r), vec![Ipv4Addr::new(203, 0, 113, 7)]);
}

#[test]
fn unknown_name_without_upstream_is_servfail() {
    let (mut srv, addr) = server(Vec::new());
    let bytes = ask(&mut srv, addr, &query(3, "nowhere.test", TYPE::A, None)).unwrap();
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 3);
    assert_eq!(r.rcode(), RCODE::ServerFailure);
    assert!(!r.has_flags(PacketFlag::AUTHORITATIVE_ANSWER));
    assert!(r.answers.is_empty());
    assert_eq!(r.questions[0].qname.to_string(), "nowhere.test");
    assert_eq!(srv.expire(Instant::now()), None);
}

#[test]
fn unknown_qtype_unknown_name_without_upstream_is_servfail() {
    let mut pkt = vec![0x00, 0x09, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    pkt.extend_from_slice(b"\x07nowhere\x04test\x00\xff\x00\x00\x01");
    let (mut srv, addr) = server(Vec::new());
    let r = ask(&mut srv, addr, &pkt).unwrap();
    assert_eq!(&r[..2], &[0x00, 0x09]);
    assert_eq!(r[3] & 0x0f, 2, "SERVFAIL");
    assert_eq!(&r[12..], &pkt[12..]);
}

/// `records()` for a container with no way out (internal networks only).
struct Sealed(Map);

impl Records for Sealed {
    fn lookup(&self, name: &str) -> Option<Vec<Ipv4Addr>> {
        self.0.lookup(name)
    }
    fn reverse(&self, ip: Ipv4Addr) -> Option<String> {
        self.0.reverse(ip)
    }
    fn forwards(&self) -> bool {
        false
    }
}

#[test]
fn no_way_out_answers_ours_and_servfails_the_rest_unforwarded() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap().with_tcp();
    let (mut srv, addr) = tcp_server(vec![up.addr()]);
    let udp = srv.listen.local_addr().unwrap();
    let recs = Sealed(records());
    let c = client();
    let ask = |srv: &mut DnsServer, up: &mut FakeUpstream, pkt: &[u8]| {
        exchange(srv, udp, &recs, &c, pkt, &mut || up.step(), 50).expect("an answer, not a forward")
    };
    // Our names still resolve, forward and reverse.
    let b = ask(&mut srv, &mut up, &query(1, "web", TYPE::A, None));
    let r = Packet::parse(&b).unwrap();
    assert_eq!(a_answers(&r), vec![Ipv4Addr::new(10, 88, 0, 2)]);
    let b = ask(
        &mut srv,
        &mut up,
        &query(2, "2.0.88.10.in-addr.arpa", TYPE::PTR, None),
    );
    let r = Packet::parse(&b).unwrap();
    assert_eq!((r.rcode(), r.answers.len()), (RCODE::NoError, 1));
    // Foreign names and addresses, and an unknown type: SERVFAIL.
    for (id, name, ty) in [
        (3, "elsewhere.test", TYPE::A),
        (4, "7.113.0.203.in-addr.arpa", TYPE::PTR),
        (5, "elsewhere.test", TYPE::TXT),
    ] {
        let b = ask(&mut srv, &mut up, &query(id, name, ty, None));
        let r = Packet::parse(&b).unwrap();
        assert_eq!((r.id(), r.rcode()), (id, RCODE::ServerFailure), "{name}");
        assert!(r.answers.is_empty());
    }
    let mut raw = vec![0x00, 0x06, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    raw.extend_from_slice(b"\x07nowhere\x04test\x00\xff\x00\x00\x01");
    c.send_to(&raw, udp).unwrap();
    let r = await_reply(&mut srv, &recs, &c, &mut || up.step(), 50).unwrap();
    assert_eq!(r[3] & 0x0f, 2, "SERVFAIL");
    // Over TCP too.
    let mut t = TcpStream::connect(addr).unwrap();
    t.write_all(&framed(&query(6, "elsewhere.test", TYPE::A, None)))
        .unwrap();
    let b = tcp_reply(&mut srv, &recs, &mut t, &mut || up.step());
    let r = Packet::parse(&b).unwrap();
    assert_eq!((r.id(), r.rcode()), (6, RCODE::ServerFailure));
    for _ in 0..10 {
        up.step();
        sleep(Duration::from_millis(2));
    }
    assert_eq!((up.seen.len(), up.tcp_seen), (0, 0), "nothing forwarded");
    assert!(srv.pending.is_empty() && srv.up_conns.is_empty());
}

#[test]
fn expire_drops_pending_forward() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    up.silent = true;
    let (mut srv, addr) = server(vec![up.addr()]);
    let recs = records();
    let c = client();
    let pkt = query(21, "slow.test", TYPE::A, None);
    assert!(exchange(&mut srv, addr, &recs, &c, &pkt, &mut || up.step(), 50).is_none());
    assert_eq!(up.seen.len(), 1);
    let now = Instant::now();
    let left = srv.expire(now).expect("one forward pending");
    assert!(left <= FORWARD_TIMEOUT && left > Duration::from_secs(4));
    assert_eq!(srv.expire(now + Duration::from_secs(6)), None);
    // A late reply is not relayed any more.
    let (fresh, from) = up.seen[0];
    let late = up.reply(&Packet::parse(&query(fresh, "slow.test", TYPE::A, None)).unwrap());
    up.sock.send_to(&late, from).unwrap();
    assert!(await_reply(&mut srv, &recs, &c, &mut || {}, 50).is_none());
}

#[test]
fn reply_from_wrong_source_is_not_relayed() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    up.silent = true;
    let (mut srv, addr) = server(vec![up.addr()]);
    let recs = records();
    let c = client();
    let pkt = query(31, "spoof.test", TYPE::A, None);
    assert!(exchange(&mut srv, addr, &recs, &c, &pkt, &mut || up.step(), 50).is_none());
    let (fresh, from) = up.seen[0];
    let mut forged = FakeUpstream::new("127.0.0.1:0").unwrap();
    forged.answer = Ipv4Addr::new(198, 51, 100, 66);
    let fake = forged.reply(&Packet::parse(&query(fresh, "spoof.test", TYPE::A, None)).unwrap());
    forged.sock.send_to(&fake, from).unwrap();
    assert!(await_reply(&mut srv, &recs, &c, &mut || {}, 50).is_none());
    // The real resolver's answer still goes through.
    let real = up.reply(&Packet::parse(&query(fresh, "spoof.test", TYPE::A, None)).unwrap());
    up.sock.send_to(&real, from).unwrap();
    let bytes = await_reply(&mut srv, &recs, &c, &mut || {}, 500).unwrap();
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 31);
    assert_eq!(a_answers(&r), vec![Ipv4Addr::new(203, 0, 113, 7)]);
}

#[test]
fn garbage_is_ignored() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap();
    let (mut srv, addr) = server(vec![up.addr()]);
    let recs = records();
    let c = client();
    let mut response = query(1, "web", TYPE::A, None);
    response[2] |= 0x80; // QR: a response, not a query
    let mut two_questions = query(2, "web", TYPE::A, None);
    two_questions[5] = 2;
    let mut bad_opcode = query(3, "web", TYPE::A, None);
    bad_opcode[2] |= 0x10; // opcode 2 (STATUS)
    let garbage: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0x12],
        vec![0xff; 11],
        vec![0xff; 64],
        b"\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f\x61".to_vec(),
        b"\x00\x01\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01".to_vec(),
        response,
        two_questions,
        bad_opcode,
        (0..=255u8).collect(),
    ];
    for pkt in &garbage {
        let got = exchange(&mut srv, addr, &recs, &c, pkt, &mut || up.step(), 20);
        assert!(got.is_none(), "reply to {pkt:02x?}");
    }
    assert!(up.seen.is_empty(), "garbage was forwarded");
    // Garbage from the upstream side is ignored too.
    up.sock
        .send_to(b"\x00", srv.upstream.local_addr().unwrap())
        .unwrap();
    srv.on_upstream();
    // And the server still works.
    let bytes = ask(&mut srv, addr, &query(4, "web", TYPE::A, None)).unwrap();
    assert_eq!(a_answers(&Packet::parse(&bytes).unwrap()).len(), 1);
}

#[test]
fn large_answer_is_truncated_without_edns() {
    let (mut srv, addr) = server(Vec::new());
    let bytes = ask(&mut srv, addr, &query(8, "many", TYPE::A, None)).unwrap();
    assert!(bytes.len() <= PLAIN_UDP_LIMIT);
    let r = Packet::parse(&bytes).unwrap();
    assert!(r.has_flags(PacketFlag::TRUNCATION));
    assert!(!r.answers.is_empty() && r.answers.len() < 40);
    assert!(r.opt().is_none());
}

#[test]
fn large_answer_fits_with_edns() {
    let (mut srv, addr) = server(Vec::new());
    let bytes = ask(&mut srv, addr, &query(8, "many", TYPE::A, Some(4096))).unwrap();
    assert!(bytes.len() > PLAIN_UDP_LIMIT);
    let r = Packet::parse(&bytes).unwrap();
    assert!(!r.has_flags(PacketFlag::TRUNCATION));
    assert_eq!(r.answers.len(), 40);
    assert_eq!(r.opt().map(|o| o.udp_packet_size), Some(EDNS_UDP_SIZE));
}

#[test]
fn idle_server_does_not_block() {
    let (mut srv, _) = server(vec!["127.0.0.1:9".parse().unwrap()]);
    let start = Instant::now();
    srv.on_query(&records());
    srv.on_upstream();
    assert_eq!(srv.expire(Instant::now()), None);
    assert!(start.elapsed() < Duration::from_secs(1));
    let fds = srv.fds();
    let [(a, _), (b, _)] = &fds[..] else {
        panic!("UDP only: two fds")
    };
    use std::os::fd::AsRawFd;
    assert_ne!(a.as_raw_fd(), b.as_raw_fd());
}

#[test]
fn ipv6_only_upstreams_use_an_ipv6_socket() {
    let Ok(mut up) = FakeUpstream::new("[::1]:0") else {
        eprintln!("no IPv6 loopback: skipped");
        return;
    };
    let (mut srv, addr) = server(vec![up.addr()]);
    let c = client();
    let pkt = query(61, "six.test", TYPE::A, None);
    let bytes = exchange(&mut srv, addr, &records(), &c, &pkt, &mut || up.step(), 500)
        .expect("relayed reply");
    assert_eq!(Packet::parse(&bytes).unwrap().id(), 61);
}

#[test]
fn mixed_upstreams_keep_ipv4_only() {
    let v4: SocketAddr = "127.0.0.1:53".parse().unwrap();
    let v6: SocketAddr = "[::1]:53".parse().unwrap();
    let (srv, _) = server(vec![v6, v4]);
    assert_eq!(srv.upstreams, vec![v4]);
    assert!(srv.upstream.local_addr().unwrap().is_ipv4());
}

#[test]
fn resolv_conf_nameservers() {
    let text = "\
# generated
search example.com
nameserver 192.0.2.1
nameserver   2001:db8::1   # comment
nameserver 127.0.0.11
nameserver 192.0.2.1
options ndots:0
nameserver 192.0.2.2:5353
nameserver [2001:db8::2]:5353
nameserver fe80::1%2
nameserver fe80::1%eth0
nameserver not-an-address
nameserver
;nameserver 192.0.2.9
#nameserver 192.0.2.9
nameserver2 192.0.2.9
\tnameserver 192.0.2.3
";
    let want: Vec<SocketAddr> = vec![
        "192.0.2.1:53".parse().unwrap(),
        "[2001:db8::1]:53".parse().unwrap(),
        "192.0.2.2:5353".parse().unwrap(),
        "[2001:db8::2]:5353".parse().unwrap(),
        SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 53, 0, 2)),
        "192.0.2.3:53".parse().unwrap(),
    ];
    assert_eq!(parse_resolv_conf(text), want);
    assert!(parse_resolv_conf("").is_empty());
    assert!(parse_resolv_conf("nameserver 127.0.0.11\n").is_empty());
}

#[test]
fn name_keys() {
    let key = |labels: &[&[u8]]| name_key(labels.iter().copied());
    assert_eq!(key(&[b"Web", b"EXAMPLE"]).as_deref(), Some("web.example"));
    assert_eq!(key(&[]).as_deref(), Some(""));
    assert_eq!(key(&[b"a.b"]), None);
    assert_eq!(key(&[b"\xff"]), None);
}

/// A server with TCP on 127.0.0.1 (its port, UDP's may differ).
fn tcp_server(upstreams: Vec<SocketAddr>) -> (DnsServer, SocketAddr) {
    let (srv, _) = server(upstreams);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    (srv.with_tcp(l).unwrap(), addr)
}

/// Drives the server like the monitor's poll loop does (every fd "ready") until `done`.
fn pump(
    srv: &mut DnsServer,
    recs: &dyn Records,
    step: &mut dyn FnMut(),
    mut done: impl FnMut() -> bool,
) {
    for _ in 0..500 {
        let n = srv.fds().len();
        srv.on_ready(&vec![true; n], recs);
        step();
        if done() {
            return;
        }
        sleep(Duration::from_millis(2));
    }
    panic!("no progress");
}

/// The whole length-prefixed messages in `buf`.
fn frames(buf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while buf.len() - at >= 2 {
        let len = usize::from(u16::from_be_bytes([buf[at], buf[at + 1]]));
        if buf.len() - at - 2 < len {
            break;
        }
        out.push(buf[at + 2..at + 2 + len].to_vec());
        at += 2 + len;
    }
    out
}

/// `count` length-prefixed replies read from `c` while pumping the server.
fn tcp_replies(
    srv: &mut DnsServer,
    recs: &dyn Records,
    c: &mut TcpStream,
    step: &mut dyn FnMut(),
    count: usize,
) -> Vec<Vec<u8>> {
    c.set_nonblocking(true).unwrap();
    let mut got = Vec::new();
    pump(srv, recs, step, || {
        let mut b = [0u8; 4096];
        if let Ok(n) = c.read(&mut b) {
            got.extend_from_slice(&b[..n]);
        }
        frames(&got).len() >= count
    });
    frames(&got)
}

fn tcp_reply(
    srv: &mut DnsServer,
    recs: &dyn Records,
    c: &mut TcpStream,
    step: &mut dyn FnMut(),
) -> Vec<u8> {
    tcp_replies(srv, recs, c, step, 1).remove(0)
}

fn framed(pkt: &[u8]) -> Vec<u8> {
    let mut v = (pkt.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(pkt);
    v
}

#[test]
fn tcp_answers_in_full_what_udp_truncates() {
    let (mut srv, addr) = tcp_server(Vec::new());
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(&framed(&query(9, "many", TYPE::A, None)))
        .unwrap();
    let bytes = tcp_reply(&mut srv, &records(), &mut c, &mut || {});
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 9);
    assert!(!r.has_flags(PacketFlag::TRUNCATION));
    assert_eq!(r.answers.len(), 40);
}

#[test]
fn tcp_takes_several_queries_split_anyhow() {
    let (mut srv, addr) = tcp_server(Vec::new());
    let mut c = TcpStream::connect(addr).unwrap();
    let mut both = framed(&query(1, "web", TYPE::A, None));
    both.extend(framed(&query(2, "alias", TYPE::A, None)));
    // The first byte alone, then the rest.
    c.write_all(&both[..1]).unwrap();
    let n = srv.fds().len();
    srv.on_ready(&vec![true; n], &records());
    c.write_all(&both[1..]).unwrap();
    let replies = tcp_replies(&mut srv, &records(), &mut c, &mut || {}, 2);
    assert_eq!(Packet::parse(&replies[0]).unwrap().id(), 1);
    let r = Packet::parse(&replies[1]).unwrap();
    assert_eq!((r.id(), r.answers.len()), (2, 3));
}

#[test]
fn tcp_query_for_a_foreign_name_is_forwarded_over_tcp() {
    let mut up = FakeUpstream::new("127.0.0.1:0").unwrap().with_tcp();
    let (mut srv, addr) = tcp_server(vec![up.addr()]);
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(&framed(&query(0x77, "elsewhere.test", TYPE::A, None)))
        .unwrap();
    let bytes = tcp_reply(&mut srv, &records(), &mut c, &mut || up.step());
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.id(), 0x77);
    assert!(!r.has_flags(PacketFlag::TRUNCATION));
    assert_eq!(a_answers(&r).len(), 100, "the whole long answer");
    assert_eq!((up.tcp_seen, up.seen.len()), (1, 0), "asked over TCP only");
    assert!(srv.up_conns.is_empty(), "a finished forward is gone");
    // A dead upstream ends the forward too.
    drop(up);
    c.write_all(&framed(&query(0x78, "elsewhere.test", TYPE::A, None)))
        .unwrap();
    let mut started = false;
    for _ in 0..200 {
        let n = srv.fds().len();
        srv.on_ready(&vec![true; n], &records());
        started |= !srv.up_conns.is_empty();
        if started && srv.up_conns.is_empty() {
            break;
        }
        sleep(Duration::from_millis(2));
    }
    assert!(
        started && srv.up_conns.is_empty(),
        "refused: forward dropped"
    );
}

#[test]
fn tcp_clients_are_closed_at_eof_and_when_idle() {
    let (mut srv, addr) = tcp_server(Vec::new());
    let c = TcpStream::connect(addr).unwrap();
    pump(&mut srv, &records(), &mut || {}, || true);
    pump(&mut srv, &records(), &mut || {}, || true);
    assert_eq!(srv.conns.len(), 1);
    assert!(srv.expire(Instant::now()).is_some_and(|d| d <= TCP_IDLE));
    drop(c);
    let mut left = usize::MAX;
    pump(&mut srv, &records(), &mut || {}, || true);
    for _ in 0..50 {
        let n = srv.fds().len();
        srv.on_ready(&vec![true; n], &records());
        left = srv.conns.len();
        if left == 0 {
            break;
        }
        sleep(Duration::from_millis(2));
    }
    assert_eq!(left, 0, "closed at EOF");
    let _idle = TcpStream::connect(addr).unwrap();
    pump(&mut srv, &records(), &mut || {}, || true);
    pump(&mut srv, &records(), &mut || {}, || true);
    assert_eq!(srv.conns.len(), 1);
    srv.expire(Instant::now() + TCP_IDLE + Duration::from_secs(1));
    assert_eq!(srv.conns.len(), 0, "closed when idle");
}

#[test]
fn reverse_lookup_of_our_address_is_answered() {
    let (mut srv, addr) = server(Vec::new());
    let bytes = ask(
        &mut srv,
        addr,
        &query(5, "2.0.88.10.in-addr.arpa", TYPE::PTR, None),
    )
    .unwrap();
    let r = Packet::parse(&bytes).unwrap();
    assert_eq!(r.rcode(), RCODE::NoError);
    assert!(r.has_flags(PacketFlag::AUTHORITATIVE_ANSWER));
    match &r.answers[..] {
        [rr] => match &rr.rdata {
            RData::PTR(p) => assert_eq!(p.0.to_string(), "web.example"),
            other => panic!("unexpected record {other:?}"),
        },
        other => panic!("one PTR answer expected: {other:?}"),
    }
    // Not ours, and no upstream: SERVFAIL, as for any foreign name.
    let bytes = ask(
        &mut srv,
        addr,
        &query(6, "9.0.88.10.in-addr.arpa", TYPE::PTR, None),
    )
    .unwrap();
    assert_eq!(Packet::parse(&bytes).unwrap().rcode(), RCODE::ServerFailure);
}

#[test]
fn reverse_names() {
    assert_eq!(
        reverse_ip("4.3.2.1.in-addr.arpa"),
        Some(Ipv4Addr::new(1, 2, 3, 4))
    );
    assert_eq!(reverse_ip("3.2.1.in-addr.arpa"), None);
    assert_eq!(reverse_ip("5.4.3.2.1.in-addr.arpa"), None);
    assert_eq!(reverse_ip("256.3.2.1.in-addr.arpa"), None);
    assert_eq!(reverse_ip("+4.3.2.1.in-addr.arpa"), None);
    assert_eq!(reverse_ip("web"), None);
}
