//! Reading a network namespace's IPv4 routes from a netlink socket made
//! there (the runtime's route watch, see `runtime::Hooks::before_exec`):
//! is there a default route yet? Enough netlink for that, no more.

use std::os::fd::{AsRawFd, OwnedFd};

const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const RT_TABLE_MAIN: u8 = 254;
const RTN_UNICAST: u8 = 1;
const NLMSG_HDRLEN: usize = 16;
const RTMSG_LEN: usize = 12;

/// Asks for the namespace's IPv4 routes (the answers come with the
/// changes the socket hears).
pub fn request_dump(sock: &OwnedFd) -> std::io::Result<()> {
    let mut msg = [0u8; NLMSG_HDRLEN + RTMSG_LEN];
    msg[0..4].copy_from_slice(&((NLMSG_HDRLEN + RTMSG_LEN) as u32).to_ne_bytes());
    msg[4..6].copy_from_slice(&RTM_GETROUTE.to_ne_bytes());
    msg[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    msg[8..12].copy_from_slice(&1u32.to_ne_bytes());
    msg[NLMSG_HDRLEN] = libc::AF_INET as u8;
    // SAFETY: send(2) of a buffer we own, of its length.
    let n = unsafe { libc::send(sock.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
    if n < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Reads what is there without waiting; true once a default IPv4 route
/// of the main table was among it.
pub fn default_route_seen(sock: &OwnedFd) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 32 * 1024];
    let mut seen = false;
    loop {
        // SAFETY: recv(2) into a buffer we own, of its length.
        let n = unsafe {
            libc::recv(
                sock.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            return match e.kind() {
                std::io::ErrorKind::WouldBlock => Ok(seen),
                std::io::ErrorKind::Interrupted => continue,
                _ => Err(e),
            };
        }
        seen |= has_default_route(&buf[..n as usize]);
        if seen {
            return Ok(true);
        }
    }
}

/// Whether the netlink messages in `buf` add a default IPv4 route.
fn has_default_route(buf: &[u8]) -> bool {
    let mut off = 0;
    while off + NLMSG_HDRLEN <= buf.len() {
        let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            break;
        }
        let kind = u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap());
        if kind == RTM_NEWROUTE && len >= NLMSG_HDRLEN + RTMSG_LEN {
            let rt = &buf[off + NLMSG_HDRLEN..off + NLMSG_HDRLEN + RTMSG_LEN];
            // rtmsg: family, dst_len, src_len, tos, table, protocol,
            // scope, type, flags.
            if rt[0] == libc::AF_INET as u8
                && rt[1] == 0
                && rt[4] == RT_TABLE_MAIN
                && rt[7] == RTN_UNICAST
            {
                return true;
            }
        }
        off += (len + 3) & !3;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(family: u8, dst_len: u8, table: u8, kind: u8) -> Vec<u8> {
        let mut m = vec![0u8; NLMSG_HDRLEN + RTMSG_LEN + 8];
        let len = m.len() as u32;
        m[0..4].copy_from_slice(&len.to_ne_bytes());
        m[4..6].copy_from_slice(&RTM_NEWROUTE.to_ne_bytes());
        m[NLMSG_HDRLEN] = family;
        m[NLMSG_HDRLEN + 1] = dst_len;
        m[NLMSG_HDRLEN + 4] = table;
        m[NLMSG_HDRLEN + 7] = kind;
        m
    }

    #[test]
    fn only_a_default_ipv4_route_of_the_main_table_counts() {
        let inet = libc::AF_INET as u8;
        let prefix = route(inet, 24, RT_TABLE_MAIN, RTN_UNICAST);
        let local = route(inet, 32, 255, 2);
        let v6 = route(libc::AF_INET6 as u8, 0, RT_TABLE_MAIN, RTN_UNICAST);
        let default = route(inet, 0, RT_TABLE_MAIN, RTN_UNICAST);
        let mut no = prefix.clone();
        no.extend(&local);
        no.extend(&v6);
        assert!(!has_default_route(&no));
        let mut yes = no.clone();
        yes.extend(&default);
        assert!(has_default_route(&yes));
        assert!(!has_default_route(&yes[..yes.len() - 3]), "a cut message");
    }

    #[test]
    fn this_namespace_has_or_has_not_a_default_route() {
        // The host's own routes, read as the gate reads a container's.
        // SAFETY: plain socket(2); owned at once.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        assert!(raw >= 0);
        // SAFETY: a descriptor just made.
        let sock = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) };
        request_dump(&sock).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let seen = default_route_seen(&sock).unwrap();
        let expected = std::fs::read_to_string("/proc/net/route")
            .unwrap()
            .lines()
            .skip(1)
            .any(|l| l.split_whitespace().nth(1) == Some("00000000"));
        assert_eq!(seen, expected);
    }
}
