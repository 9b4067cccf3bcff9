//! A [`Layout`] as a classic-BPF program.
//!
//! ```text
//! ld [arch]; jeq AUDIT_1 → S1; jeq AUDIT_2 → S2; ...; ret BAD_ARCH
//! S1: ld [nr]; a binary search over the section's pieces (jge per node);
//!     a piece is a `ret` or, for a syscall with conditional rules, its
//!     rules one after the other, each an AND of argument tests
//! ```
//!
//! A 64-bit argument is tested a word at a time (unsigned; the high word
//! decides unless equal), a 32-bit arch's argument on its low word only.
//! The program is written backwards, from its last instruction, so that
//! every jump's target is already placed: a conditional jump reaches 255
//! instructions at most, and a target further away gets a `ja` next to
//! the jump (or, for a `ret`, a copy of the `ret`, which is no longer).

use std::collections::HashMap;

use super::layout::{Chain, Layout, Section, Verdict};
use super::rules::{Cmp, Cond};

const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const ALU_AND_K: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
const JA: u16 = 0x05; // BPF_JMP | BPF_JA
const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGT_K: u16 = 0x25; // BPF_JMP | BPF_JGT | BPF_K
const JGE_K: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const RET_K: u16 = 0x06; // BPF_RET | BPF_K

/// Offsets in `struct seccomp_data`.
const DATA_NR: u32 = 0;
const DATA_ARCH: u32 = 4;
const DATA_ARGS: u32 = 16;

/// Longest forward jump of a conditional jump.
const MAX_SHORT: usize = 255;

/// Where control goes: an instruction already written, or a return value
/// (written where it is needed).
#[derive(Debug, Clone, Copy)]
enum Target {
    At(usize),
    Ret(u32),
}

/// An instruction; addresses count from the end of the program.
#[derive(Debug, Clone, Copy)]
struct Insn {
    code: u16,
    /// Jumps: targets' addresses (`ja`: `jt`).
    jt: usize,
    jf: usize,
    k: u32,
}

/// What a chain's code depends on: `(wide, big_endian, rules, fallback)`.
type ChainKey = (bool, bool, Vec<(Vec<Cond>, u32)>, u32);

#[derive(Default)]
struct Asm {
    /// Last instruction first.
    code: Vec<Insn>,
    /// The nearest `ret` of each value.
    rets: HashMap<u32, usize>,
    /// Chains already written (syscalls with the same rules share one).
    chains: HashMap<ChainKey, usize>,
}

impl Asm {
    fn push(&mut self, code: u16, k: u32, jt: usize, jf: usize) -> usize {
        self.code.push(Insn { code, jt, jf, k });
        self.code.len() - 1
    }

    fn ret(&mut self, v: u32) -> usize {
        let a = self.push(RET_K, v, 0, 0);
        self.rets.insert(v, a);
        a
    }

    /// An address of `t` that a jump written `slack` instructions from now
    /// reaches.
    fn reach(&mut self, t: Target, slack: usize) -> usize {
        let from = self.code.len() + slack;
        let near = |a: usize| from - a - 1 <= MAX_SHORT;
        match t {
            Target::At(a) if near(a) => a,
            Target::At(a) => self.push(JA, 0, a, 0),
            Target::Ret(v) => match self.rets.get(&v) {
                Some(&a) if near(a) => a,
                _ => self.ret(v),
            },
        }
    }

    fn jump(&mut self, code: u16, k: u32, jt: Target, jf: Target) -> Target {
        let f = self.reach(jf, 1);
        let t = self.reach(jt, 0);
        Target::At(self.push(code, k, t, f))
    }

    /// Writes `code k` to go on to `next`.
    fn stmt(&mut self, code: u16, k: u32, next: Target) -> Target {
        let here = self.code.len();
        match next {
            Target::At(a) if a + 1 == here => {}
            Target::Ret(v) if self.rets.get(&v).is_some_and(|&a| a + 1 == here) => {}
            Target::At(a) => {
                self.push(JA, 0, a, 0);
            }
            Target::Ret(v) => {
                self.ret(v);
            }
        }
        Target::At(self.push(code, k, 0, 0))
    }

    /// `ld [off]` (then `and mask`), then a jump on the word.
    fn test(
        &mut self,
        off: u32,
        mask: Option<u32>,
        jump: (u16, u32),
        jt: Target,
        jf: Target,
    ) -> Target {
        let mut t = self.jump(jump.0, jump.1, jt, jf);
        if let Some(m) = mask.filter(|&m| m != u32::MAX) {
            t = self.stmt(ALU_AND_K, m, t);
        }
        self.stmt(LD_W_ABS, off, t)
    }

    fn encode(&self) -> Vec<u8> {
        let n = self.code.len();
        let mut out = Vec::with_capacity(n * 8);
        for a in (0..n).rev() {
            let i = self.code[a];
            let short = |t: usize| u8::try_from(a - t - 1).expect("short jump in reach");
            let (jt, jf, k) = match i.code {
                JA => (0, 0, (a - i.jt - 1) as u32),
                JEQ_K | JGT_K | JGE_K => (short(i.jt), short(i.jf), i.k),
                _ => (0, 0, i.k),
            };
            out.extend_from_slice(&i.code.to_ne_bytes());
            out.push(jt);
            out.push(jf);
            out.extend_from_slice(&k.to_ne_bytes());
        }
        out
    }
}

/// Longest row of `jeq` in place of a binary search.
const MAX_ROW: usize = 6;

/// The pieces as one return value with single numbers that differ from it
/// (as few as can be), if they are that.
fn sparse(pieces: &[(u32, Verdict)], end: u64) -> Option<(u32, Vec<(u32, &Verdict)>)> {
    let single = |i: usize| {
        let next = pieces.get(i + 1).map_or(end, |p| u64::from(p.0));
        next - u64::from(pieces[i].0) == 1
    };
    let mut best: Option<(u32, Vec<(u32, &Verdict)>)> = None;
    for (_, v) in pieces {
        let Verdict::Ret(background) = v else {
            continue;
        };
        if best.as_ref().is_some_and(|b| b.0 == *background) {
            continue;
        }
        let mut odd = Vec::new();
        let mut fits = true;
        for (i, (nr, v)) in pieces.iter().enumerate() {
            if *v == Verdict::Ret(*background) {
                continue;
            }
            fits &= single(i);
            odd.push((*nr, v));
        }
        if fits && best.as_ref().is_none_or(|b| odd.len() < b.1.len()) {
            best = Some((*background, odd));
        }
    }
    best
}

fn lo(v: u64) -> u32 {
    v as u32
}

fn hi(v: u64) -> u32 {
    (v >> 32) as u32
}

impl Asm {
    fn section(&mut self, s: &Section) -> Target {
        let root = self.tree(&s.pieces, 1 << 32);
        self.stmt(LD_W_ABS, DATA_NR, root)
    }

    /// A binary search over the pieces (the last one ends before `end`),
    /// the syscall number loaded; down to a few numbers that differ from
    /// the rest, which a row of `jeq` tells apart for fewer instructions.
    fn tree(&mut self, pieces: &[(u32, Verdict)], end: u64) -> Target {
        if let [(_, v)] = pieces {
            return self.leaf(v);
        }
        if let Some((background, odd)) = sparse(pieces, end).filter(|s| s.1.len() <= MAX_ROW) {
            let mut next = Target::Ret(background);
            for (nr, v) in odd.into_iter().rev() {
                let hit = self.leaf(v);
                next = self.jump(JEQ_K, nr, hit, next);
            }
            return next;
        }
        let mid = pieces.len() / 2;
        let right = self.tree(&pieces[mid..], end);
        let left = self.tree(&pieces[..mid], u64::from(pieces[mid].0));
        self.jump(JGE_K, pieces[mid].0, right, left)
    }

    fn leaf(&mut self, v: &Verdict) -> Target {
        match v {
            Verdict::Ret(r) => Target::Ret(*r),
            Verdict::Chain(c) => self.chain(c),
        }
    }

    fn chain(&mut self, c: &Chain) -> Target {
        let info = c.arch.info();
        let key = (info.wide, info.big_endian, c.rules.clone(), c.fallback);
        if let Some(&a) = self.chains.get(&key) {
            return Target::At(a);
        }
        let entry = self.write_chain(c);
        if let Target::At(a) = entry {
            self.chains.insert(key, a);
        }
        entry
    }

    fn write_chain(&mut self, c: &Chain) -> Target {
        let mut fail = Target::Ret(c.fallback);
        for (conds, ret) in c.rules.iter().rev() {
            let mut ok = Target::Ret(*ret);
            for cond in conds.iter().rev() {
                ok = self.cond(c, cond, ok, fail);
            }
            fail = ok;
        }
        fail
    }

    /// One argument test: on to `ok` if it holds, else to `fail`.
    fn cond(&mut self, c: &Chain, cond: &Cond, ok: Target, fail: Target) -> Target {
        let info = c.arch.info();
        let arg = DATA_ARGS + 8 * u32::from(cond.index);
        let (lo_off, hi_off) = if info.big_endian {
            (arg + 4, arg)
        } else {
            (arg, arg + 4)
        };
        let v = cond.value;
        if !info.wide {
            return match cond.op {
                Cmp::Eq => self.test(lo_off, None, (JEQ_K, lo(v)), ok, fail),
                Cmp::Ne => self.test(lo_off, None, (JEQ_K, lo(v)), fail, ok),
                Cmp::Gt => self.test(lo_off, None, (JGT_K, lo(v)), ok, fail),
                Cmp::Ge => self.test(lo_off, None, (JGE_K, lo(v)), ok, fail),
                Cmp::Lt => self.test(lo_off, None, (JGE_K, lo(v)), fail, ok),
                Cmp::Le => self.test(lo_off, None, (JGT_K, lo(v)), fail, ok),
                Cmp::MaskedEq(m) => self.test(lo_off, Some(lo(m)), (JEQ_K, lo(v & m)), ok, fail),
            };
        }
        match cond.op {
            Cmp::Eq => {
                let low = self.test(lo_off, None, (JEQ_K, lo(v)), ok, fail);
                self.test(hi_off, None, (JEQ_K, hi(v)), low, fail)
            }
            Cmp::Ne => {
                let low = self.test(lo_off, None, (JEQ_K, lo(v)), fail, ok);
                self.test(hi_off, None, (JEQ_K, hi(v)), low, ok)
            }
            Cmp::MaskedEq(m) => {
                let (m, v) = (m, v & m);
                let low = if lo(m) == 0 {
                    ok
                } else {
                    self.test(lo_off, Some(lo(m)), (JEQ_K, lo(v)), ok, fail)
                };
                if hi(m) == 0 {
                    low
                } else {
                    self.test(hi_off, Some(hi(m)), (JEQ_K, hi(v)), low, fail)
                }
            }
            Cmp::Gt | Cmp::Ge => {
                let op = if cond.op == Cmp::Gt { JGT_K } else { JGE_K };
                let low = self.test(lo_off, None, (op, lo(v)), ok, fail);
                self.ordered_hi(hi_off, hi(v), ok, low, fail)
            }
            Cmp::Lt | Cmp::Le => {
                let (op, k) = if cond.op == Cmp::Lt {
                    (JGE_K, lo(v))
                } else {
                    (JGT_K, lo(v))
                };
                let low = self.test(lo_off, None, (op, k), fail, ok);
                self.ordered_hi(hi_off, hi(v), fail, low, ok)
            }
        }
    }

    /// The high word of an ordered comparison: above `h` → `above`, equal
    /// → `equal` (the low word decides), below → `below`.
    fn ordered_hi(
        &mut self,
        off: u32,
        h: u32,
        above: Target,
        equal: Target,
        below: Target,
    ) -> Target {
        let not_above = if h == 0 {
            equal
        } else {
            self.jump(JEQ_K, h, equal, below)
        };
        let t = self.jump(JGT_K, h, above, not_above);
        self.stmt(LD_W_ABS, off, t)
    }
}

/// The program, in the byte order of this host (as `seccomp(2)` takes it).
pub(super) fn assemble(layout: &Layout) -> Vec<u8> {
    let mut asm = Asm::default();
    let mut entries = Vec::new();
    for s in layout.sections.iter().rev() {
        let entry = asm.section(s);
        entries.push((s.audit, entry));
    }
    let mut next = Target::Ret(layout.bad_arch);
    for (audit, entry) in entries {
        next = asm.jump(JEQ_K, audit, entry, next);
    }
    asm.stmt(LD_W_ABS, DATA_ARCH, next);
    asm.encode()
}
