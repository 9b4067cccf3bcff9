use super::*;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh network namespace, alive while the fd is open. Made on a
/// throw-away thread so the test thread stays in the host namespace.
fn new_netns() -> OwnedFd {
    std::thread::spawn(|| {
        // SAFETY: only CLONE_NEWNET is unshared, and only for this
        // short-lived thread; no fd table or memory is unshared.
        unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET) }
            .expect("unshare(CLONE_NEWNET)");
        OwnedFd::from(std::fs::File::open("/proc/thread-self/ns/net").expect("open netns"))
    })
    .join()
    .expect("netns thread")
}

/// A name unique within this test process (namespaces are private anyway).
fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}", N.fetch_add(1, Ordering::Relaxed))
}

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

#[test]
fn mac_helpers() {
    let mac = mac_for_ip(Ipv4Addr::new(172, 17, 0, 2));
    assert_eq!(mac, [0x02, 0x42, 0xac, 0x11, 0x00, 0x02]);
    assert_eq!(format_mac(mac), "02:42:ac:11:00:02");
    let r = random_mac().unwrap();
    assert_eq!(r[0] & 0x03, 0x02, "locally administered unicast");
    assert_eq!(r[1], 0x42);
}

#[test]
fn error_display_and_errno() {
    let e = NetlinkError::os(
        "creating bridge skiff0",
        io::Error::from_raw_os_error(libc::EEXIST),
    );
    assert_eq!(
        e.to_string(),
        "creating bridge skiff0: File exists (os error 17)"
    );
    assert_eq!(e.raw_os_error(), Some(libc::EEXIST));
    assert_eq!(NetlinkError::protocol("x", "y").raw_os_error(), None);
}

#[test]
fn host_netns_read_only() {
    // Only reads the real host namespace.
    let mut nl = Netlink::new().unwrap();
    let lo = nl.link_by_name("lo").unwrap().expect("lo exists");
    assert_eq!(lo.index, 1);
    assert!(nl.links().unwrap().iter().any(|l| l.name == "lo"));
}

#[test]
fn fresh_netns_has_only_lo() {
    let ns = new_netns();
    let mut nl = Netlink::in_netns(ns.as_fd()).unwrap();
    let links = nl.links().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].name, "lo");
    assert!(!links[0].up);
    assert_eq!(links[0].kind, None);
    assert!(nl.link_by_name("nonexistent0").unwrap().is_none());
    assert!(nl.link_by_index(4242).unwrap().is_none());
    assert!(nl.routes().unwrap().is_empty());
    assert!(nl.addrs(None).unwrap().is_empty());
}

#[test]
fn bridge_addresses() {
    let ns = new_netns();
    let mut nl = Netlink::in_netns(ns.as_fd()).unwrap();
    let name = unique("skbr");
    let br = nl.create_bridge(&name, Some(1400)).unwrap();
    let info = nl.link_by_name(&name).unwrap().unwrap();
    assert_eq!(info.index, br);
    assert_eq!(info.kind.as_deref(), Some("bridge"));
    assert_eq!(info.mtu, Some(1400));
    assert!(!info.up);
    assert!(info.mac.is_some());
    assert_eq!(nl.link_by_index(br).unwrap(), Some(info));

    nl.set_up(br).unwrap();
    assert!(nl.link_by_index(br).unwrap().unwrap().up);

    let a = net("10.88.0.1/16");
    nl.add_addr(br, a).unwrap();
    assert_eq!(nl.addrs(Some(br)).unwrap(), vec![(br, a)]);
    assert!(nl.addrs(None).unwrap().contains(&(br, a)));
    let e = nl.add_addr(br, a).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EEXIST), "{e}");

    // The kernel adds the connected route for the bridge's subnet.
    let routes = nl.routes().unwrap();
    assert!(
        routes.contains(&Route {
            dest: net("10.88.0.0/16"),
            gateway: None,
            oif: Some(br)
        }),
        "{routes:?}"
    );

    nl.del_addr(br, a).unwrap();
    assert!(nl.addrs(Some(br)).unwrap().is_empty());

    nl.set_down(br).unwrap();
    assert!(!nl.link_by_index(br).unwrap().unwrap().up);
}

#[test]
fn errors_and_delete() {
    let ns = new_netns();
    let mut nl = Netlink::in_netns(ns.as_fd()).unwrap();
    let name = unique("skdup");
    let br = nl.create_bridge(&name, None).unwrap();
    let e = nl.create_bridge(&name, None).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EEXIST));
    assert_eq!(
        e.to_string(),
        format!("creating bridge {name}: File exists (os error 17)")
    );

    nl.delete_link(br).unwrap();
    assert!(nl.link_by_index(br).unwrap().is_none());
    assert!(nl.link_by_name(&name).unwrap().is_none());
    let e = nl.delete_link(br).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENODEV), "{e}");

    let e = nl.set_up(9999).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENODEV), "{e}");
    assert!(e.to_string().starts_with("setting link 9999 up: "), "{e}");
}

/// The routes of a container whose eth0 (`oif`) has 10.89.0.2/24 and a
/// default route via 10.89.0.1: listed, refused twice, added by device.
fn container_routes(ctr: &mut Netlink, oif: u32) {
    let routes = ctr.routes().unwrap();
    assert!(
        routes.contains(&Route {
            dest: net("0.0.0.0/0"),
            gateway: Some(Ipv4Addr::new(10, 89, 0, 1)),
            oif: Some(oif),
        }),
        "{routes:?}"
    );
    assert!(
        routes.contains(&Route {
            dest: net("10.89.0.0/24"),
            gateway: None,
            oif: Some(oif),
        }),
        "{routes:?}"
    );
    // Adding the same default route again is EEXIST.
    let e = ctr
        .add_route(net("0.0.0.0/0"), Some(Ipv4Addr::new(10, 89, 0, 1)), None)
        .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EEXIST), "{e}");
    // A device route with an explicit oif.
    ctr.add_route(net("192.0.2.0/24"), None, Some(oif)).unwrap();
    assert!(ctr.routes().unwrap().contains(&Route {
        dest: net("192.0.2.0/24"),
        gateway: None,
        oif: Some(oif),
    }));
}

#[test]
fn veth_into_container() {
    let host_ns = new_netns();
    let ctr_ns = new_netns();
    let mut host = Netlink::in_netns(host_ns.as_fd()).unwrap();
    let mut ctr = Netlink::in_netns(ctr_ns.as_fd()).unwrap();

    let br_name = unique("skbr");
    let br = host.create_bridge(&br_name, None).unwrap();
    host.set_up(br).unwrap();
    host.add_addr(br, net("10.89.0.1/24")).unwrap();

    let veth_name = unique("skveth");
    let peer_tmp = unique("sktmp");
    let veth = host
        .create_veth(&veth_name, &peer_tmp, Some(ctr_ns.as_fd()), Some(1450))
        .unwrap();
    let v = host.link_by_index(veth).unwrap().unwrap();
    assert_eq!(v.name, veth_name);
    assert_eq!(v.kind.as_deref(), Some("veth"));
    assert_eq!(v.mtu, Some(1450));
    assert!(host.link_by_name(&peer_tmp).unwrap().is_none());

    host.set_master(veth, br).unwrap();
    host.set_up(veth).unwrap();
    let v = host.link_by_index(veth).unwrap().unwrap();
    assert_eq!(v.master, Some(br));
    assert!(v.up);

    // Container side.
    let peer = ctr
        .link_by_name(&peer_tmp)
        .unwrap()
        .expect("peer in ctr ns");
    assert_eq!(peer.kind.as_deref(), Some("veth"));
    assert_eq!(peer.mtu, Some(1450));
    ctr.set_name(peer.index, "eth0").unwrap();
    let ip = Ipv4Addr::new(10, 89, 0, 2);
    let mac = mac_for_ip(ip);
    ctr.set_mac(peer.index, mac).unwrap();
    ctr.add_addr(peer.index, Ipv4Net::new(ip, 24).unwrap())
        .unwrap();
    ctr.set_up(peer.index).unwrap();
    let lo = ctr.link_by_name("lo").unwrap().unwrap();
    ctr.set_up(lo.index).unwrap();
    ctr.add_route(net("0.0.0.0/0"), Some(Ipv4Addr::new(10, 89, 0, 1)), None)
        .unwrap();

    let eth0 = ctr.link_by_name("eth0").unwrap().unwrap();
    assert_eq!(eth0.index, peer.index);
    assert_eq!(eth0.mac, Some(mac));
    assert!(eth0.up);
    assert_eq!(
        ctr.addrs(Some(eth0.index)).unwrap(),
        vec![(eth0.index, net("10.89.0.2/24"))]
    );
    container_routes(&mut ctr, eth0.index);

    // Deleting the host end removes the pair.
    host.delete_link(veth).unwrap();
    assert!(ctr.link_by_name("eth0").unwrap().is_none());
}

#[test]
fn veth_then_set_netns() {
    let host_ns = new_netns();
    let ctr_ns = new_netns();
    let mut host = Netlink::in_netns(host_ns.as_fd()).unwrap();
    let mut ctr = Netlink::in_netns(ctr_ns.as_fd()).unwrap();

    let a = unique("skva");
    let b = unique("skvb");
    host.create_veth(&a, &b, None, None).unwrap();
    let peer = host.link_by_name(&b).unwrap().expect("peer in host ns");
    host.set_netns(peer.index, ctr_ns.as_fd()).unwrap();
    assert!(host.link_by_name(&b).unwrap().is_none());
    let moved = ctr.link_by_name(&b).unwrap().expect("peer moved");
    assert_eq!(moved.kind.as_deref(), Some("veth"));
}

/// Creates a dummy; `None` when the kernel lacks the dummy driver
/// (CONFIG_DUMMY unset and no module), which is the case on some CI kernels.
fn try_dummy(nl: &mut Netlink, name: &str) -> Option<u32> {
    match nl.create_dummy(name) {
        Ok(i) => Some(i),
        Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {
            eprintln!("dummy links unsupported by this kernel: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn dummy_create() {
    let ns = new_netns();
    let mut nl = Netlink::in_netns(ns.as_fd()).unwrap();
    let name = unique("skdum");
    let Some(dummy) = try_dummy(&mut nl, &name) else {
        return;
    };
    let d = nl.link_by_index(dummy).unwrap().unwrap();
    assert_eq!(d.name, name);
    assert_eq!(d.kind.as_deref(), Some("dummy"));
}

#[test]
fn macvlan_on_dummy() {
    let parent_ns = new_netns();
    let ctr_ns = new_netns();
    let mut parent = Netlink::in_netns(parent_ns.as_fd()).unwrap();
    let mut ctr = Netlink::in_netns(ctr_ns.as_fd()).unwrap();

    // Parent: a dummy, or one end of a veth pair if there is no dummy driver.
    let parent_name = unique("skdum");
    let lower = match try_dummy(&mut parent, &parent_name) {
        Some(i) => i,
        None => parent
            .create_veth(&parent_name, &unique("skdumpeer"), None, None)
            .unwrap(),
    };
    parent.set_up(lower).unwrap();

    let mv = unique("skmv");
    parent
        .create_macvlan(&mv, lower, Some(ctr_ns.as_fd()))
        .unwrap();
    assert!(parent.link_by_name(&mv).unwrap().is_none());
    let m = ctr.link_by_name(&mv).unwrap().expect("macvlan in ctr ns");
    assert_eq!(m.kind.as_deref(), Some("macvlan"));
    ctr.set_name(m.index, "eth0").unwrap();
    ctr.set_up(m.index).unwrap();
    ctr.add_addr(m.index, net("10.90.0.5/24")).unwrap();
    assert_eq!(
        ctr.addrs(None).unwrap(),
        vec![(m.index, net("10.90.0.5/24"))]
    );

    // Same-namespace macvlan too.
    let local = unique("skmvl");
    parent.create_macvlan(&local, lower, None).unwrap();
    let l = parent.link_by_name(&local).unwrap().unwrap();
    assert_eq!(l.kind.as_deref(), Some("macvlan"));

    let e = parent
        .create_macvlan(&unique("skmvx"), 4242, None)
        .unwrap_err();
    assert!(e.raw_os_error().is_some(), "{e}");
}

#[test]
fn many_links_dump_is_complete() {
    // Enough links that the dump spans several datagrams.
    let ns = new_netns();
    let mut nl = Netlink::in_netns(ns.as_fd()).unwrap();
    let mut made = Vec::new();
    for _ in 0..60 {
        let n = unique("skmany");
        nl.create_bridge(&n, None).unwrap();
        made.push(n);
    }
    let links = nl.links().unwrap();
    for n in &made {
        assert!(links.iter().any(|l| &l.name == n), "{n} missing");
    }
    assert_eq!(links.len(), made.len() + 1);
}
