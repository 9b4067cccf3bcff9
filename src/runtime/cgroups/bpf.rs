//! cgroup v2 device control: a `BPF_PROG_TYPE_CGROUP_DEVICE` program
//! generated from a [`Policy`], loaded with `bpf(BPF_PROG_LOAD)` and
//! attached to the container's cgroup (`BPF_CGROUP_DEVICE`,
//! `BPF_F_ALLOW_MULTI`, so the programs of the cgroups above still run).
//!
//! The program (as runc's and crun's): read the type, access, major and
//! minor from `struct bpf_cgroup_dev_ctx`, then one block per exception,
//! each jumping to the next block on the first mismatch and returning the
//! exception's verdict when everything matches; the last block returns the
//! default. With a default deny an exception must grant all the access
//! asked for; with a default allow a deny exception blocks any overlap
//! (the v1 controller's rules). Comparisons are 32-bit (`BPF_JMP32`).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use super::devices::{DeviceKind, Policy};

/// One BPF instruction, `struct bpf_insn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    pub code: u8,
    /// dst_reg in the low nibble, src_reg in the high one.
    pub regs: u8,
    pub off: i16,
    pub imm: i32,
}

// Instruction classes, operations and sources (linux/bpf_common.h, bpf.h).
pub const LDX_MEM_W: u8 = 0x01 | 0x60; // BPF_LDX | BPF_MEM | BPF_W
pub const ALU32_AND_K: u8 = 0x04 | 0x50;
pub const ALU32_RSH_K: u8 = 0x04 | 0x70;
pub const ALU32_MOV_K: u8 = 0x04 | 0xb0;
pub const ALU32_MOV_X: u8 = 0x04 | 0xb0 | 0x08;
pub const JMP32_JNE_K: u8 = 0x06 | 0x50;
pub const JMP32_JNE_X: u8 = 0x06 | 0x50 | 0x08;
pub const JMP32_JEQ_K: u8 = 0x06 | 0x10;
pub const EXIT: u8 = 0x05 | 0x90; // BPF_JMP | BPF_EXIT

/// `BPF_DEVCG_DEV_BLOCK`, `BPF_DEVCG_DEV_CHAR`.
const DEV_BLOCK: i32 = 1;
const DEV_CHAR: i32 = 2;

/// The license the program is loaded with (runc's choice too).
pub const LICENSE: &std::ffi::CStr = c"Apache";

const fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (src << 4) | (dst & 0x0f),
        off,
        imm,
    }
}

/// A jump to the end of the current block, fixed up when the block ends.
const TO_NEXT: i16 = i16::MIN;

/// The device filter for `policy`.
pub fn device_program(policy: &Policy) -> Vec<Insn> {
    let mut p = vec![
        // r2 = type (low 16 bits of access_type), r3 = access (high 16)
        insn(LDX_MEM_W, 2, 1, 0, 0),
        insn(ALU32_AND_K, 2, 0, 0, 0xffff),
        insn(LDX_MEM_W, 3, 1, 0, 0),
        insn(ALU32_RSH_K, 3, 0, 0, 16),
        // r4 = major, r5 = minor
        insn(LDX_MEM_W, 4, 1, 4, 0),
        insn(LDX_MEM_W, 5, 1, 8, 0),
    ];
    for e in &policy.exceptions {
        let mut block = Vec::new();
        match e.kind {
            DeviceKind::Char => block.push(insn(JMP32_JNE_K, 2, 0, TO_NEXT, DEV_CHAR)),
            DeviceKind::Block => block.push(insn(JMP32_JNE_K, 2, 0, TO_NEXT, DEV_BLOCK)),
            DeviceKind::All => {}
        }
        let acc = i32::from(e.access.bits());
        if policy.default_allow {
            // a deny exception: any of its access bits asked for
            block.push(insn(ALU32_MOV_X, 1, 3, 0, 0));
            block.push(insn(ALU32_AND_K, 1, 0, 0, acc));
            block.push(insn(JMP32_JEQ_K, 1, 0, TO_NEXT, 0));
        } else if e.access.bits() != 7 {
            // an allow exception: every access bit asked for is granted
            block.push(insn(ALU32_MOV_X, 1, 3, 0, 0));
            block.push(insn(ALU32_AND_K, 1, 0, 0, acc));
            block.push(insn(JMP32_JNE_X, 1, 3, TO_NEXT, 0));
        }
        if let Some(m) = e.major {
            block.push(insn(JMP32_JNE_K, 4, 0, TO_NEXT, m as i32));
        }
        if let Some(m) = e.minor {
            block.push(insn(JMP32_JNE_K, 5, 0, TO_NEXT, m as i32));
        }
        block.push(insn(ALU32_MOV_K, 0, 0, 0, i32::from(!policy.default_allow)));
        block.push(insn(EXIT, 0, 0, 0, 0));
        let len = block.len();
        for (i, ins) in block.iter_mut().enumerate() {
            if ins.off == TO_NEXT {
                ins.off = (len - i - 1) as i16;
            }
        }
        p.extend(block);
    }
    p.push(insn(ALU32_MOV_K, 0, 0, 0, i32::from(policy.default_allow)));
    p.push(insn(EXIT, 0, 0, 0, 0));
    p
}

// bpf(2) commands, program and attach types, flags.
const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_ATTACH: libc::c_long = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE: u32 = 15;
const BPF_CGROUP_DEVICE: u32 = 6;
const BPF_F_ALLOW_MULTI: u32 = 2;

/// The `BPF_PROG_LOAD` part of `union bpf_attr`.
#[repr(C)]
#[derive(Default)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
    prog_ifindex: u32,
    expected_attach_type: u32,
}

/// The `BPF_PROG_ATTACH` part of `union bpf_attr`.
#[repr(C)]
struct AttachAttr {
    target_fd: u32,
    attach_bpf_fd: u32,
    attach_type: u32,
    attach_flags: u32,
    replace_bpf_fd: u32,
}

fn bpf<T>(cmd: libc::c_long, attr: &mut T) -> io::Result<libc::c_long> {
    // SAFETY: attr is a live, initialised #[repr(C)] prefix of union
    // bpf_attr and its size is passed; the kernel reads (and for LOAD
    // writes the log into) only memory the attr points to.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr as *mut T as *mut libc::c_void,
            std::mem::size_of::<T>() as libc::c_uint,
        )
    };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Loads a device program; a verifier rejection carries the last line
/// of the verifier's log.
pub fn load(prog: &[Insn]) -> io::Result<OwnedFd> {
    let mut attr = ProgLoadAttr {
        prog_type: BPF_PROG_TYPE_CGROUP_DEVICE,
        insn_cnt: prog.len() as u32,
        insns: prog.as_ptr() as u64,
        license: LICENSE.as_ptr() as u64,
        ..Default::default()
    };
    attr.prog_name[..6].copy_from_slice(b"skiff\0");
    match bpf(BPF_PROG_LOAD, &mut attr) {
        // SAFETY: a successful BPF_PROG_LOAD returns a new fd we own.
        Ok(fd) => Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) }),
        Err(e)
            if e.raw_os_error() == Some(libc::EINVAL) || e.raw_os_error() == Some(libc::EACCES) =>
        {
            let mut log = vec![0u8; 64 << 10];
            attr.log_level = 1;
            attr.log_size = log.len() as u32;
            attr.log_buf = log.as_mut_ptr() as u64;
            let again = bpf(BPF_PROG_LOAD, &mut attr);
            if let Ok(fd) = again {
                // SAFETY: as above.
                return Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) });
            }
            let text =
                String::from_utf8_lossy(&log[..log.iter().position(|&b| b == 0).unwrap_or(0)])
                    .into_owned();
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            if last.is_empty() {
                Err(e)
            } else {
                Err(io::Error::new(e.kind(), format!("{e} (verifier: {last})")))
            }
        }
        Err(e) => Err(e),
    }
}

/// Attaches a loaded device program to the cgroup open at `cgroup`.
pub fn attach(cgroup: BorrowedFd<'_>, prog: BorrowedFd<'_>) -> io::Result<()> {
    let mut attr = AttachAttr {
        target_fd: cgroup.as_raw_fd() as u32,
        attach_bpf_fd: prog.as_raw_fd() as u32,
        attach_type: BPF_CGROUP_DEVICE,
        attach_flags: BPF_F_ALLOW_MULTI,
        replace_bpf_fd: 0,
    };
    bpf(BPF_PROG_ATTACH, &mut attr).map(|_| ())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::devices::{docker_rules, parse_rule, Access, DeviceRule, Policy};
    use super::*;

    /// Runs a device program on (type, access, major, minor) with a small
    /// interpreter of the instructions [`device_program`] emits.
    pub(crate) fn run(
        prog: &[Insn],
        kind: DeviceKind,
        access: Access,
        major: u32,
        minor: u32,
    ) -> bool {
        let ty = match kind {
            DeviceKind::Block => DEV_BLOCK as u32,
            DeviceKind::Char => DEV_CHAR as u32,
            DeviceKind::All => panic!("no such device type"),
        };
        let ctx = [(u32::from(access.bits()) << 16) | ty, major, minor];
        let mut r = [0u64; 11];
        let mut pc = 0usize;
        for _ in 0..10_000 {
            let i = prog[pc];
            let (dst, src) = ((i.regs & 0x0f) as usize, (i.regs >> 4) as usize);
            let imm32 = i.imm as u32;
            let mut next = pc + 1;
            let jump = |taken: bool| {
                if taken {
                    (pc as i64 + 1 + i64::from(i.off)) as usize
                } else {
                    pc + 1
                }
            };
            match i.code {
                LDX_MEM_W => {
                    assert_eq!(src, 1, "loads only from the context");
                    r[dst] = u64::from(ctx[i.off as usize / 4]);
                }
                ALU32_AND_K => r[dst] = u64::from(r[dst] as u32 & imm32),
                ALU32_RSH_K => r[dst] = u64::from((r[dst] as u32) >> imm32),
                ALU32_MOV_K => r[dst] = u64::from(imm32),
                ALU32_MOV_X => r[dst] = u64::from(r[src] as u32),
                JMP32_JNE_K => next = jump(r[dst] as u32 != imm32),
                JMP32_JNE_X => next = jump(r[dst] as u32 != r[src] as u32),
                JMP32_JEQ_K => next = jump(r[dst] as u32 == imm32),
                EXIT => return r[0] as u32 == 1,
                c => panic!("unexpected opcode {c:#x} at {pc}"),
            }
            assert!(next < prog.len(), "jump out of the program at {pc}");
            pc = next;
        }
        panic!("the program does not terminate")
    }

    /// Every (type, access, major, minor) worth trying against `policy`.
    fn check_all(policy: &Policy) {
        let prog = device_program(policy);
        let accesses = ["m", "r", "rm", "w", "wm", "rw", "rwm"].map(|a| Access::parse(a).unwrap());
        let mut majors: Vec<u32> = vec![0, 1, 4, 5, 7, 8, 10, 136, 250, 4095];
        let mut minors: Vec<u32> = vec![0, 1, 2, 3, 5, 7, 8, 9, 200, 229, 237, 1 << 19];
        for e in &policy.exceptions {
            majors.extend(e.major);
            minors.extend(e.minor);
        }
        for kind in [DeviceKind::Char, DeviceKind::Block] {
            for acc in accesses {
                for &ma in &majors {
                    for &mi in &minors {
                        assert_eq!(
                            run(&prog, kind, acc, ma, mi),
                            policy.allows(kind, ma, mi, acc),
                            "{kind:?} {ma}:{mi} {acc}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn program_verdicts_match_the_rules() {
        check_all(&Policy::from_rules(&docker_rules(false, &[])));
        check_all(&Policy::from_rules(&docker_rules(true, &[])));
        let extra = [
            parse_rule(true, "c 10:237 r").unwrap(),
            parse_rule(true, "b 7:* rw").unwrap(),
        ];
        check_all(&Policy::from_rules(&docker_rules(false, &extra)));
        check_all(&Policy::from_rules(&[
            parse_rule(false, "c 1:3 w").unwrap(),
            parse_rule(false, "b *:* rwm").unwrap(),
        ]));
    }

    #[test]
    fn default_program_spot_checks() {
        let prog = device_program(&Policy::from_rules(&docker_rules(false, &[])));
        let rw = Access::READ | Access::WRITE;
        assert!(run(&prog, DeviceKind::Char, rw, 1, 3));
        assert!(run(&prog, DeviceKind::Char, rw, 136, 42));
        assert!(run(&prog, DeviceKind::Block, Access::MKNOD, 8, 0));
        assert!(!run(&prog, DeviceKind::Block, Access::READ, 8, 0));
        assert!(!run(&prog, DeviceKind::Char, Access::READ, 10, 229));
        let all = device_program(&Policy::from_rules(&[DeviceRule::all(true)]));
        assert_eq!(all.len(), 8); // the loads, then "allow"
        assert!(run(&all, DeviceKind::Block, Access::RWM, 8, 0));
    }

    #[test]
    fn the_kernel_accepts_the_programs() {
        if !rustix::process::geteuid().is_root() {
            crate::util::test_skip("loading a BPF program needs root");
            return;
        }
        let extra = [parse_rule(true, "c 10:237 r").unwrap()];
        for rules in [
            docker_rules(false, &[]),
            docker_rules(true, &[]),
            docker_rules(false, &extra),
            vec![parse_rule(false, "c 1:3 w").unwrap()],
        ] {
            let prog = device_program(&Policy::from_rules(&rules));
            if let Err(e) = load(&prog) {
                panic!("BPF_PROG_LOAD of {} instructions: {e}", prog.len());
            }
        }
    }

    /// The cgroup2 mount and this process's cgroup2 dir in it.
    fn own_cgroup2() -> Option<std::path::PathBuf> {
        let mi = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        let cg = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let m = super::super::layout::parse_mountinfo(&mi)
            .into_iter()
            .find(|m| m.fstype == "cgroup2")?;
        let own = super::super::OwnCgroups::parse(&cg).ok()?.v2?;
        let rel = super::super::layout::strip_mount_root(&own, &m.root)?;
        Some(m.mount_point.join(rel.trim_start_matches('/')))
    }

    #[test]
    fn an_attached_program_denies_a_disk_in_its_cgroup() {
        if !rustix::process::geteuid().is_root() {
            crate::util::test_skip("attaching a BPF program needs root");
            return;
        }
        let Some(own) = own_cgroup2() else {
            crate::util::test_skip("no cgroup2 mount");
            return;
        };
        if std::fs::symlink_metadata("/dev/loop0").is_err() {
            crate::util::test_skip("no /dev/loop0 to try");
            return;
        }
        // beneath our own cgroup2 dir, removed at the end
        let dir = own.join(format!("skiff-bpf-test-{}", std::process::id()));
        if let Err(e) = std::fs::create_dir(&dir) {
            crate::util::test_skip(&format!("cannot create {}: {e}", dir.display()));
            return;
        }
        struct Rm(std::path::PathBuf);
        impl Drop for Rm {
            fn drop(&mut self) {
                for _ in 0..50 {
                    if std::fs::remove_dir(&self.0).is_ok() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        }
        let _rm = Rm(dir.clone());
        let prog = device_program(&Policy::from_rules(&docker_rules(false, &[])));
        let cgroup = std::fs::File::open(&dir).unwrap();
        let loaded = load(&prog).unwrap();
        use std::os::fd::AsFd;
        attach(cgroup.as_fd(), loaded.as_fd()).unwrap();
        // a shell that moves itself into the cgroup, then opens devices
        let script = format!(
            "echo $$ > {}/cgroup.procs || exit 9; \
             head -c1 /dev/loop0 >/dev/null && echo disk; head -c1 /dev/zero >/dev/null && echo zero",
            dir.display()
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stdout, "zero\n", "stderr: {stderr}");
        assert!(stderr.contains("Operation not permitted"), "{stderr}");
    }
}
