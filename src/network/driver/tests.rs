//! The validate → set up → roll back order, with a fake driver that logs
//! what it is asked to do.

use std::cell::RefCell;
use std::os::fd::AsFd;
use std::rc::Rc;

use super::*;

type Log = Rc<RefCell<Vec<String>>>;

struct Fake {
    name: &'static str,
    log: Log,
    /// Fails validation.
    invalid: bool,
    /// Fails its setup after making these changes.
    fail_after: Option<usize>,
}

impl Fake {
    fn boxed(name: &'static str, log: &Log) -> Box<Fake> {
        Box::new(Fake {
            name,
            log: log.clone(),
            invalid: false,
            fail_after: None,
        })
    }
}

impl NetworkDriver for Fake {
    fn network(&self) -> &str {
        self.name
    }

    fn validate(&self, _: &mut Sockets) -> Result<(), DriverError> {
        self.log
            .borrow_mut()
            .push(format!("validate {}", self.name));
        if self.invalid {
            return Err(DriverError::invalid(self.name, "bad"));
        }
        Ok(())
    }

    fn setup(&self, _: &mut Sockets, undo: &mut Vec<Undo>) -> Result<(), DriverError> {
        self.log.borrow_mut().push(format!("setup {}", self.name));
        let steps = self.fail_after.unwrap_or(2);
        for i in 0..steps {
            undo.push(Undo::HostLink(format!("{}-{i}", self.name)));
        }
        match self.fail_after {
            Some(_) => Err(DriverError::invalid(self.name, "setup failed")),
            None => Ok(()),
        }
    }

    fn rollback(&self, _: &mut Sockets, undo: Vec<Undo>) -> Vec<DriverError> {
        for u in undo.into_iter().rev() {
            self.log.borrow_mut().push(format!("undo {u:?}"));
        }
        vec![DriverError::invalid(self.name, "rollback noted")]
    }
}

fn network(name: &str) -> Network {
    crate::state::network::test_network(name)
}

fn netns() -> std::fs::File {
    std::fs::File::open("/proc/self/ns/net").unwrap()
}

#[test]
fn every_attachment_is_validated_before_any_is_set_up() {
    let log = Log::default();
    let ns = netns();
    let mut socks = Sockets::new(ns.as_fd());
    let drivers: Vec<Box<dyn NetworkDriver>> = vec![Fake::boxed("a", &log), Fake::boxed("b", &log)];
    let v = validate(drivers, &mut socks).unwrap();
    let set = v.setup(&mut socks).unwrap();
    assert_eq!(
        *log.borrow(),
        ["validate a", "validate b", "setup a", "setup b"]
    );
    log.borrow_mut().clear();
    let errors = set.rollback(&mut socks);
    assert_eq!(errors.len(), 2, "each driver's rollback errors are kept");
    assert_eq!(
        *log.borrow(),
        [
            "undo HostLink(\"b-1\")",
            "undo HostLink(\"b-0\")",
            "undo HostLink(\"a-1\")",
            "undo HostLink(\"a-0\")",
        ]
    );
}

#[test]
fn an_invalid_attachment_stops_everything_before_any_change() {
    let log = Log::default();
    let ns = netns();
    let mut socks = Sockets::new(ns.as_fd());
    let mut bad = Fake::boxed("b", &log);
    bad.invalid = true;
    let drivers: Vec<Box<dyn NetworkDriver>> =
        vec![Fake::boxed("a", &log), bad, Fake::boxed("c", &log)];
    let e = validate(drivers, &mut socks).err().expect("b is invalid");
    assert_eq!(e.to_string(), "network b: bad");
    assert_eq!(*log.borrow(), ["validate a", "validate b"]);
}

#[test]
fn a_setup_failing_midway_rolls_back_its_own_steps_then_the_earlier_ones() {
    let log = Log::default();
    let ns = netns();
    let mut socks = Sockets::new(ns.as_fd());
    let mut bad = Fake::boxed("b", &log);
    bad.fail_after = Some(1);
    let drivers: Vec<Box<dyn NetworkDriver>> =
        vec![Fake::boxed("a", &log), bad, Fake::boxed("c", &log)];
    let v = validate(drivers, &mut socks).unwrap();
    let failed = v.setup(&mut socks).err().expect("b fails");
    assert_eq!(failed.error.to_string(), "network b: setup failed");
    assert_eq!(failed.rollback.len(), 2);
    assert_eq!(
        failed.to_string(),
        "network b: setup failed; rolling back: network b: rollback noted; \
         rolling back: network a: rollback noted"
    );
    assert_eq!(
        *log.borrow(),
        [
            "validate a",
            "validate b",
            "validate c",
            "setup a",
            "setup b",
            "undo HostLink(\"b-0\")",
            "undo HostLink(\"a-1\")",
            "undo HostLink(\"a-0\")",
        ],
        "c is never set up"
    );
}

#[test]
fn drivers_by_network_and_mode() {
    let n = network("n");
    let ep = crate::state::network::Endpoint {
        name: "c".into(),
        ip: "10.9.0.2".parse().unwrap(),
        mac: String::new(),
        aliases: Vec::new(),
    };
    let info = |n| DriverInfo {
        network: n,
        endpoint: &ep,
        mac: [2, 0x42, 10, 9, 0, 2],
        ifname: "eth0".into(),
        host_if: "veth01234567".into(),
        default_route: true,
        ports: false,
    };
    assert_eq!(for_network(info(&n)).ok().unwrap().network(), "n");
    let mut overlay = network("n");
    overlay.driver = "overlay".into();
    let e = for_network(info(&overlay)).err().unwrap();
    assert_eq!(
        e.to_string(),
        "network n: unknown network driver \"overlay\""
    );
    assert_eq!(for_mode("host").unwrap().network(), "host");
    assert_eq!(for_mode("none").unwrap().network(), "none");
    assert_eq!(
        for_mode("container:abc").unwrap().network(),
        "container:abc"
    );
    assert!(for_mode("mynet").is_none());
}

#[test]
fn endpoint_checks_need_no_kernel() {
    let n = network("n");
    let ep = |ip: &str| crate::state::network::Endpoint {
        name: "c".into(),
        ip: ip.parse().unwrap(),
        mac: String::new(),
        aliases: Vec::new(),
    };
    let check = |ip: &str, ifname: &str| {
        let e = ep(ip);
        validate_endpoint(&DriverInfo {
            network: &n,
            endpoint: &e,
            mac: [0; 6],
            ifname: ifname.into(),
            host_if: String::new(),
            default_route: false,
            ports: false,
        })
        .map_err(|e| e.to_string())
    };
    assert_eq!(check("10.9.0.2", "eth0"), Ok(()));
    assert_eq!(
        check("10.9.0.1", "eth0"),
        Err("network n: address 10.9.0.1 is not a host of 10.9.0.0/24".into())
    );
    assert!(check("10.8.0.2", "eth0").is_err());
    assert_eq!(
        check("10.9.0.2", "an-interface-name-too-long"),
        Err("network n: bad interface name \"an-interface-name-too-long\"".into())
    );
}
