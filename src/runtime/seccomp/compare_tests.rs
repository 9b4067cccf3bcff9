//! skiff's compiler against libseccomp: both build the filter of one plan
//! (`libseccomp_ref.rs` is the code skiff used before), and the two
//! programs must answer alike, in the BPF interpreter, for every syscall
//! number up to 20 past the arch's highest, for argument values around
//! every condition of the plan, on every arch of the filter and on arches
//! that are not in it.

use std::collections::{BTreeMap, BTreeSet};

use super::arch::{Arch, X32_SYSCALL_BIT};
use super::compile::{plan, program_of, Plan};
use super::host::HostEnv;
use super::interp::{Data, Prog};
use super::layout::BAD_ARCH;
use super::libseccomp_ref::reference_program;
use super::profile::{parse_profile, ProfileJson, DEFAULT_PROFILE_JSON};
use super::rules::{Cmp, Cond};

pub(super) fn env_for(arch: Arch) -> HostEnv {
    let info = arch.info();
    HostEnv {
        arch,
        docker_arch: info.docker,
        scmp_arch_name: info.scmp,
        kernel_release: "6.18.0-test".into(),
        kernel: (6, 18),
    }
}

fn default_caps() -> Vec<String> {
    crate::runtime::spec::DEFAULT_CAPABILITIES
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn all_caps() -> Vec<String> {
    caps::all().into_iter().map(|c| c.to_string()).collect()
}

/// Values that land on, around and across a condition (both words).
fn near(cond: &Cond) -> [u64; 12] {
    let v = cond.value;
    let m = match cond.op {
        Cmp::MaskedEq(m) => m,
        _ => u64::MAX,
    };
    let low_bit = m & m.wrapping_neg();
    [
        v,
        v.wrapping_sub(1),
        v.wrapping_add(1),
        v ^ (1 << 32),
        v | (1 << 32),
        v & 0xffff_ffff,
        v.wrapping_add(1 << 32),
        v.wrapping_sub(1 << 32),
        v & m,
        (v & m) | !m,
        (v & m) ^ low_bit,
        v ^ (1 << 63),
    ]
}

/// What the default profile's conditions are about: clone flags (with and
/// without CLONE_NEWUSER, a thread's), personality values, socket families.
const ABOUT: [u64; 12] = [
    0x1000_0000,
    0x7e02_0000,
    0x003d_0f00,
    0x103d_0f00,
    0x0002_0011,
    0x11,
    0x0004_0000,
    0x0002_0008,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_ffff_ffff,
    0x8000_0000,
];

/// The plan's rules by the numbers libseccomp gives their names on `arch`
/// (socketcall(2) / ipc(2) with their call number in argument 0).
fn rules_by_number(plan: &Plan<'_>, arch: Arch) -> BTreeMap<u32, Vec<Vec<Cond>>> {
    let mut out: BTreeMap<u32, Vec<Vec<Cond>>> = BTreeMap::new();
    for rule in &plan.rules {
        for name in &rule.names {
            if let Some(nr) = arch.syscall(name) {
                out.entry(nr).or_default().push(rule.conds.clone());
            }
            if let Some((mux, call)) = arch.multiplexed(name) {
                let mut conds = rule.conds.clone();
                conds.push(Cond {
                    index: 0,
                    op: Cmp::Eq,
                    value: u64::from(call),
                });
                out.entry(mux).or_default().push(conds);
            }
        }
    }
    out
}

/// 0 to 20 past the arch's highest number, but around arm's private
/// syscalls (from 0xf0001) only their neighbours; and the edges of the
/// number space.
fn numbers_of(arch: Arch) -> Vec<u32> {
    let base = if arch == Arch::X32 {
        X32_SYSCALL_BIT
    } else {
        0
    };
    let table: Vec<u32> = super::syscalls::SYSCALLS
        .iter()
        .filter_map(|r| arch.syscall(r.0))
        .map(|n| n & !base)
        .collect();
    let regular = table
        .iter()
        .copied()
        .filter(|&n| n < 0x10000)
        .max()
        .unwrap();
    let mut nrs: BTreeSet<u32> = (0..=regular + 20).collect();
    for &n in table.iter().filter(|&&n| n >= 0x10000) {
        nrs.extend([n - 1, n, n + 1, n + 20]);
    }
    let mut nrs: Vec<u32> = nrs.into_iter().map(|n| base | n).collect();
    nrs.extend([
        0x3fff_ffff,
        X32_SYSCALL_BIT,
        X32_SYSCALL_BIT | 1,
        0x7fff_ffff,
        0x8000_0000,
        0xbfff_ffff,
        0xc000_0000,
        0xffff_fffe,
        u32::MAX,
    ]);
    nrs
}

/// Argument vectors for one number: a few for any; for one with rules,
/// values around each condition, and around each pair of conditions of a
/// rule together.
fn vectors(rules: Option<&Vec<Vec<Cond>>>) -> Vec<[u64; 6]> {
    let mut out = vec![[0; 6], [u64::MAX; 6], [0xffff_ffff; 6], [1 << 32; 6]];
    out.extend((0..=24).map(|v| [v, 0, 0, 0, 0, 0]));
    let Some(rules) = rules else { return out };
    let one = |i: u8, v: u64| {
        let mut a = [0; 6];
        a[usize::from(i)] = v;
        a
    };
    for i in 0..6 {
        out.extend(
            ABOUT
                .iter()
                .chain(&[25, 38, 39, 40, 41, 45])
                .map(|&v| one(i, v)),
        );
    }
    for conds in rules {
        for (x, c) in conds.iter().enumerate() {
            out.extend(near(c).iter().map(|&v| one(c.index, v)));
            for d in conds[x + 1..].iter().filter(|d| d.index != c.index) {
                for &vc in &near(c) {
                    for &vd in &near(d) {
                        let mut a = one(c.index, vc);
                        a[usize::from(d.index)] = vd;
                        out.push(a);
                    }
                }
            }
        }
    }
    out
}

/// Instruction counts (ours, libseccomp's) after checking every answer.
fn compare(plan: &Plan<'_>, label: &str) -> (usize, usize) {
    let ours = program_of(plan).unwrap_or_else(|e| panic!("{label}: {e}"));
    let theirs = reference_program(plan).unwrap_or_else(|e| panic!("{label}: {e}"));
    let ours = Prog::new(&ours).unwrap_or_else(|e| panic!("{label}: ours: {e}"));
    let theirs = Prog::new(&theirs).unwrap_or_else(|e| panic!("{label}: libseccomp's: {e}"));
    let mut bad = Vec::new();
    let mut checked = 0usize;
    let mut check = |d: Data| {
        checked += 1;
        let (a, b) = (ours.run(&d), theirs.run(&d));
        if a != b && bad.len() < 30 {
            bad.push(format!("{d:x?}: skiff {a:#x}, libseccomp {b:#x}"));
        }
    };
    for &arch in &plan.arches {
        let info = arch.info();
        let rules = rules_by_number(plan, arch);
        for nr in numbers_of(arch) {
            for args in vectors(rules.get(&nr)) {
                check(Data {
                    nr,
                    arch: info.audit,
                    ip: 0x1234,
                    args,
                    big_endian: info.big_endian,
                });
            }
        }
    }
    let audits: Vec<u32> = plan.arches.iter().map(|a| a.info().audit).collect();
    for foreign in [
        0x4000_0028,
        0xC000_00B7,
        0xC000_003E,
        0x4000_0003,
        0,
        0xdead_beef,
    ] {
        if audits.contains(&foreign) {
            continue;
        }
        for nr in [0, 1, 59, 102, 0xffff_ffff] {
            let d = Data {
                nr,
                arch: foreign,
                ..Data::default()
            };
            assert_eq!(ours.run(&d), BAD_ARCH.ret(), "{label}: foreign {d:x?}");
            check(d);
        }
    }
    assert!(
        bad.is_empty(),
        "{label}: answers differ:\n{}",
        bad.join("\n")
    );
    let counts = (ours.len(), theirs.len());
    eprintln!(
        "{label}: {checked} answers alike; {} instructions (libseccomp {})",
        counts.0, counts.1
    );
    counts
}

fn compare_profile(text: &str, arch: Arch, caps: &[String], label: &str) -> (usize, usize) {
    let p: ProfileJson = parse_profile(text, label).unwrap();
    let plan = plan(&p, caps, &env_for(arch)).unwrap().unwrap();
    compare(&plan, label)
}

#[test]
fn default_profile_answers_as_libseccomp_on_amd64() {
    let mut admin = default_caps();
    admin.push("CAP_SYS_ADMIN".into());
    for (caps, what) in [
        (default_caps(), "default caps"),
        (admin, "+CAP_SYS_ADMIN"),
        (all_caps(), "all caps"),
    ] {
        let (ours, theirs) = compare_profile(
            DEFAULT_PROFILE_JSON,
            Arch::X8664,
            &caps,
            &format!("amd64, {what}"),
        );
        assert!(
            ours < theirs,
            "{what}: {ours} instructions, libseccomp {theirs}"
        );
    }
}

#[test]
fn default_profile_answers_as_libseccomp_on_other_hosts() {
    for arch in [
        Arch::Aarch64,
        Arch::Riscv64,
        Arch::S390X,
        Arch::Ppc64Le,
        Arch::Mips64,
        Arch::Mipsel64N32,
    ] {
        for caps in [default_caps(), all_caps()] {
            let label = format!("{} host, {} caps", arch.info().docker, caps.len());
            compare_profile(DEFAULT_PROFILE_JSON, arch, &caps, &label);
        }
    }
}

/// Every arch libseccomp knows (of one byte order: libseccomp refuses to
/// mix them), every comparison on both words, errnoRet,
/// several conditions on one argument, socket and IPC calls.
const TRICKY: &str = r#"{
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 13,
    "architectures": ARCHES,
    "syscalls": [
        {"names": ["read", "write", "exit_group", "socketcall", "no_such_call"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
        {"names": ["close"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["openat"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 2, "value": 18446744069414584320, "valueTwo": 4294967296, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 1, "value": 21474836480, "op": "SCMP_CMP_LT"},
            {"index": 2, "value": 7, "op": "SCMP_CMP_LE"}]},
        {"names": ["munmap"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 1, "value": 12884901889, "op": "SCMP_CMP_GT"}]},
        {"names": ["mprotect"], "action": "SCMP_ACT_LOG", "args": [
            {"index": 0, "value": 4294967297, "op": "SCMP_CMP_GE"}]},
        {"names": ["dup3"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 2, "value": 8589934594, "op": "SCMP_CMP_NE"}]},
        {"names": ["fcntl"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 1, "value": 1, "op": "SCMP_CMP_EQ"},
            {"index": 1, "value": 4294967298, "op": "SCMP_CMP_EQ"},
            {"index": 1, "value": 1030, "op": "SCMP_CMP_GE"}]},
        {"names": ["prctl"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 255, "valueTwo": 15, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 1, "value": 0, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["socket", "accept4", "recvmmsg", "send"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 40, "op": "SCMP_CMP_NE"},
            {"index": 1, "value": 3, "op": "SCMP_CMP_LE"}]},
        {"names": ["semop", "shmget", "msgrcv"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95, "args": [
            {"index": 0, "value": 5, "op": "SCMP_CMP_GT"}]},
        {"names": ["ipc"], "action": "SCMP_ACT_TRAP"},
        {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS", "args": [
            {"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
        {"names": ["kill"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["tkill"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
        {"names": ["getpid", "gettid"], "action": "SCMP_ACT_KILL_THREAD"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
            {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
        {"names": ["breakpoint", "cacheflush", "s390_runtime_instr", "arch_prctl"], "action": "SCMP_ACT_ALLOW"}
    ]
}"#;

#[test]
fn tricky_profile_answers_as_libseccomp_on_every_arch() {
    for (host, big_endian) in [(Arch::X8664, false), (Arch::S390X, true)] {
        let arches: Vec<String> = super::arch::ARCHES
            .iter()
            .filter(|a| a.big_endian == big_endian && a.table.is_some())
            .map(|a| format!("{:?}", a.scmp))
            .collect();
        let text = TRICKY.replace("ARCHES", &format!("[{}]", arches.join(", ")));
        let label = format!("tricky, {} host", host.info().docker);
        compare_profile(&text, host, &[], &label);
    }
}

#[test]
fn every_default_action_answers_as_libseccomp() {
    let arches = r#""architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]"#;
    for (default, extra) in [
        ("SCMP_ACT_ALLOW", ""),
        ("SCMP_ACT_LOG", ""),
        ("SCMP_ACT_KILL_PROCESS", ""),
        ("SCMP_ACT_KILL", ""),
        ("SCMP_ACT_TRAP", ""),
        ("SCMP_ACT_TRACE", r#""defaultErrnoRet": 3,"#),
        ("SCMP_ACT_ERRNO", r#""defaultErrnoRet": 38,"#),
    ] {
        let text = format!(
            r#"{{"defaultAction": "{default}", {extra} {arches}, "syscalls": [
                {{"names": ["mkdir", "mkdirat", "socket"], "action": "SCMP_ACT_ERRNO"}},
                {{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}},
                {{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [
                    {{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}}]}}
            ]}}"#
        );
        compare_profile(&text, Arch::X8664, &[], default);
    }
}

/// x86_64 and x32 share an audit arch: either alone, or both.
#[test]
fn x86_64_and_x32_alone_or_together() {
    for arches in [r#"[]"#, r#"["SCMP_ARCH_X32"]"#] {
        let text = format!(
            r#"{{"defaultAction": "SCMP_ACT_ERRNO", "architectures": {arches}, "syscalls": [
                {{"names": ["read", "write", "rt_sigaction", "execveat"], "action": "SCMP_ACT_ALLOW"}}]}}"#
        );
        compare_profile(&text, Arch::X8664, &[], &format!("x86_64 host, {arches}"));
    }
    // A profile for x32 alone (as on an x32 host).
    let p: ProfileJson = parse_profile(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read", "rt_sigaction"], "action": "SCMP_ACT_ALLOW"}]}"#,
        "x32",
    )
    .unwrap();
    let plan = plan(&p, &[], &env_for(Arch::X32)).unwrap().unwrap();
    assert_eq!(plan.arches, [Arch::X32]);
    compare(&plan, "x32 alone");
}

/// Many syscalls with conditions of their own: a program long enough that
/// jumps need `ja` (a conditional jump reaches 255 instructions).
#[test]
fn long_programs_answer_as_libseccomp() {
    let names: Vec<&str> = super::syscalls::SYSCALLS
        .iter()
        .map(|r| r.0)
        .filter(|n| Arch::X8664.syscall(n).is_some())
        .take(150)
        .collect();
    let rules: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                r#"{{"names": ["{n}"], "action": "SCMP_ACT_ALLOW", "args": [
                    {{"index": {}, "value": {}, "op": "SCMP_CMP_EQ"}}]}}"#,
                i % 6,
                (i as u64) << (i % 40)
            )
        })
        .collect();
    let text = format!(
        r#"{{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"],
            "syscalls": [{}]}}"#,
        rules.join(",")
    );
    let (ours, _) = compare_profile(&text, Arch::X8664, &[], "150 conditional syscalls");
    assert!(
        ours > 600,
        "{ours} instructions: too short to need long jumps"
    );
}

/// Too long for the kernel: an error that says so.
#[test]
fn programs_over_the_kernel_limit_are_refused() {
    let names: Vec<&str> = super::syscalls::SYSCALLS.iter().map(|r| r.0).collect();
    let args: Vec<String> = (0..6)
        .map(|i| {
            format!(
                r#"{{"index": {i}, "value": {}, "op": "SCMP_CMP_GT"}}"#,
                7u64 << 33
            )
        })
        .collect();
    let text = format!(
        r#"{{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{}]}}"#,
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let a = args
                    .join(",")
                    .replace("SCMP_CMP_GT", ["SCMP_CMP_GT", "SCMP_CMP_LT"][i % 2]);
                let a = a.replace(
                    &(7u64 << 33).to_string(),
                    &((7u64 << 33) + i as u64).to_string(),
                );
                format!(r#"{{"names": ["{n}"], "action": "SCMP_ACT_ALLOW", "args": [{a}]}}"#)
            })
            .collect::<Vec<_>>()
            .join(",")
    );
    let p = parse_profile(&text, "huge").unwrap();
    let plan = plan(&p, &[], &env_for(Arch::X8664)).unwrap().unwrap();
    let err = program_of(&plan).unwrap_err().to_string();
    assert!(err.contains("at most 4096"), "{err}");
}

/// Conditional rules of one syscall with different actions: the first
/// that matches, in profile order, decides; an unconditional rule decides
/// whatever its place. (libseccomp orders such rules by argument, operator
/// and value instead, and refuses two with the same condition.)
#[test]
fn overlapping_rules_go_in_profile_order() {
    let p = parse_profile(
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_GT"}]},
            {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [
                {"index": 0, "value": 5, "op": "SCMP_CMP_GT"}]},
            {"names": ["sendfile"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["sendfile"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["kill"], "action": "SCMP_ACT_LOG"}
        ]}"#,
        "overlaps",
    )
    .unwrap();
    let plan = plan(&p, &[], &env_for(Arch::X8664)).unwrap().unwrap();
    let prog = Prog::new(&program_of(&plan).unwrap()).unwrap();
    let answer = |nr: u32, a0: u64, a1: u64| {
        prog.run(&Data {
            nr,
            arch: 0xC000_003E,
            args: [a0, a1, 0, 0, 0, 0],
            ..Data::default()
        })
    };
    let (allow, errno5, eperm, log) = (0x7fff_0000, 0x0005_0005, 0x0005_0001, 0x7ffc_0000);
    assert_eq!(answer(39, 1, 2), errno5, "getpid: the first rule");
    assert_eq!(answer(39, 0, 2), allow);
    assert_eq!(answer(39, 0, 0), eperm);
    assert_eq!(answer(41, 9, 0), allow, "socket: GT 1 comes first");
    assert_eq!(answer(40, 1, 0), allow, "sendfile: the first of two alike");
    assert_eq!(answer(62, 1, 0), log, "kill: unconditional");
}

#[test]
fn tables_as_libseccomp_numbers_them() {
    for info in super::arch::ARCHES {
        if let Some(t) = info.table {
            assert!(super::syscalls::COLUMNS.contains(&t), "{t}");
        }
    }
    let read = |a: Arch| a.syscall("read");
    assert_eq!(read(Arch::X8664), Some(0));
    assert_eq!(read(Arch::X32), Some(X32_SYSCALL_BIT));
    assert_eq!(read(Arch::X86), Some(3));
    assert_eq!(read(Arch::Aarch64), Some(63));
    assert_eq!(read(Arch::Mipsel), Some(4003));
    assert_eq!(read(Arch::Mips64N32), Some(6000));
    assert_eq!(read(Arch::Loongarch64), None);
    assert_eq!(Arch::X32.syscall("recvmmsg"), Some(X32_SYSCALL_BIT | 537));
    assert_eq!(Arch::Arm.syscall("breakpoint"), Some(0xf0001));
    assert_eq!(Arch::X8664.syscall("socketcall"), None);
    assert_eq!(Arch::X8664.syscall("no_such_call"), None);
    // i386: socket calls direct and through socketcall(2), IPC through ipc(2).
    assert_eq!(Arch::X86.syscall("socket"), Some(359));
    assert_eq!(Arch::X86.multiplexed("socket"), Some((102, 1)));
    assert_eq!(Arch::X86.multiplexed("accept"), Some((102, 5)));
    assert_eq!(Arch::X86.syscall("accept"), None);
    assert_eq!(Arch::X86.multiplexed("shmget"), Some((117, 23)));
    assert_eq!(Arch::Mips.multiplexed("send"), Some((4102, 9)));
    assert_eq!(Arch::Mips.syscall("send"), Some(4178));
    assert_eq!(Arch::X8664.multiplexed("socket"), None);
    assert_eq!(Arch::X86.resolved("socket"), None);
}

/// The interpreter itself, on a program with known answers.
#[test]
fn interpreter_runs_the_default_profile_as_the_kernel() {
    let p = parse_profile(DEFAULT_PROFILE_JSON, "default").unwrap();
    let plan = plan(&p, &default_caps(), &env_for(Arch::X8664))
        .unwrap()
        .unwrap();
    let prog = Prog::new(&program_of(&plan).unwrap()).unwrap();
    let run = |arch: u32, nr: u32, a0: u64| {
        prog.run(&Data {
            nr,
            arch,
            args: [a0, 0, 0, 0, 0, 0],
            ..Data::default()
        })
    };
    let (x86_64, i386) = (0xC000_003E, 0x4000_0003);
    assert_eq!(run(x86_64, 39, 0), 0x7fff_0000, "getpid");
    assert_eq!(run(x86_64, 165, 0), 0x0005_0001, "mount: EPERM");
    assert_eq!(run(x86_64, 435, 0), 0x0005_0026, "clone3: ENOSYS");
    assert_eq!(run(x86_64, 56, 0x003d_0f00), 0x7fff_0000, "clone a thread");
    assert_eq!(
        run(x86_64, 56, 0x1000_0011),
        0x0005_0001,
        "clone(CLONE_NEWUSER)"
    );
    assert_eq!(run(x86_64, 41, 40), 0x0005_0001, "socket(AF_VSOCK)");
    assert_eq!(run(x86_64, 41, 1), 0x7fff_0000, "socket(AF_UNIX)");
    assert_eq!(
        run(x86_64, 1000, 0),
        0x0005_0026,
        "past the profile: ENOSYS"
    );
    assert_eq!(run(i386, 102, 40), 0x7fff_0000, "i386 socketcall");
    assert_eq!(run(0x4000_0028, 0, 0), 0, "arm: not in the filter");
    let wrong = Prog::new(&[0x06, 0, 0, 0, 0, 0, 0]);
    assert!(wrong.is_err());
    let ld_outside = [0x20u8, 0, 0, 0, 64, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0];
    assert!(Prog::new(&ld_outside).is_err());
}
