//! A classic-BPF interpreter for tests: runs a seccomp program on a
//! `struct seccomp_data` as the kernel would, after the kernel's checks
//! (`bpf_check_classic` and `seccomp_check_filter`).

/// `struct seccomp_data`, laid out in `big_endian` or little-endian order
/// (a big-endian arch's kernel stores it big-endian).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Data {
    pub(super) nr: u32,
    pub(super) arch: u32,
    pub(super) ip: u64,
    pub(super) args: [u64; 6],
    pub(super) big_endian: bool,
}

impl Data {
    fn bytes(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        let be = self.big_endian;
        let w32 = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let w64 = |v: u64| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        b[0..4].copy_from_slice(&w32(self.nr));
        b[4..8].copy_from_slice(&w32(self.arch));
        b[8..16].copy_from_slice(&w64(self.ip));
        for (i, a) in self.args.iter().enumerate() {
            b[16 + 8 * i..24 + 8 * i].copy_from_slice(&w64(*a));
        }
        b
    }
}

#[derive(Debug, Clone, Copy)]
struct Insn {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

fn decode(prog: &[u8]) -> Vec<Insn> {
    prog.chunks_exact(8)
        .map(|c| Insn {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect()
}

const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_ST: u16 = 0x02;
const BPF_STX: u16 = 0x03;
const BPF_ALU: u16 = 0x04;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_MISC: u16 = 0x07;

/// A program that passed the kernel's checks, ready to run.
pub(super) struct Prog(Vec<Insn>);

impl Prog {
    pub(super) fn new(prog: &[u8]) -> Result<Prog, String> {
        validate(prog)?;
        Ok(Prog(decode(prog)))
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    /// What the program returns for `data`.
    pub(super) fn run(&self, data: &Data) -> u32 {
        run(&self.0, data)
    }
}

/// The kernel's checks; Err names the first bad instruction.
fn validate(prog: &[u8]) -> Result<(), String> {
    if prog.is_empty() || !prog.len().is_multiple_of(8) || prog.len() / 8 > 4096 {
        return Err(format!("bad length {}", prog.len()));
    }
    let insns = decode(prog);
    let n = insns.len();
    for (pc, i) in insns.iter().enumerate() {
        let bad = |what: &str| Err(format!("insn {pc} {i:?}: {what}"));
        let left = n - pc - 1;
        match i.code {
            // ld/ldx [k] (seccomp_data, aligned), ld len, ld/ldx imm, mem.
            0x20 if i.k % 4 != 0 || i.k >= 64 => return bad("load outside seccomp_data"),
            0x20 | 0x80 | 0x81 | 0x00 | 0x01 => {}
            0x60 | 0x61 | 0x02 | 0x03 if i.k >= 16 => return bad("scratch slot"),
            0x60 | 0x61 | 0x02 | 0x03 => {}
            0x05 if i.k as usize >= left => return bad("ja out of range"),
            0x05 => {}
            c if c & 0x07 == BPF_JMP => {
                if !matches!(c & 0xf0, 0x10 | 0x20 | 0x30 | 0x40) {
                    return bad("jump op");
                }
                if usize::from(i.jt) >= left || usize::from(i.jf) >= left {
                    return bad("jump out of range");
                }
            }
            c if c & 0x07 == BPF_ALU => {
                if c & 0xf0 == 0x30 && c & 0x08 == 0 && i.k == 0 {
                    return bad("division by zero");
                }
            }
            0x06 | 0x16 | 0x07 | 0x87 => {}
            _ => return bad("unknown opcode"),
        }
    }
    if !matches!(insns[n - 1].code, 0x06 | 0x16) {
        return Err("the last instruction is not a ret".into());
    }
    Ok(())
}

fn run(insns: &[Insn], data: &Data) -> u32 {
    let bytes = data.bytes();
    let word = |off: u32| {
        let b: [u8; 4] = bytes[off as usize..off as usize + 4].try_into().unwrap();
        if data.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let (mut a, mut x, mut mem) = (0u32, 0u32, [0u32; 16]);
    let mut pc = 0usize;
    loop {
        let i = insns[pc];
        pc += 1;
        let src = if i.code & 0x08 != 0 { x } else { i.k };
        match i.code & 0x07 {
            BPF_LD | BPF_LDX => {
                let v = match i.code & 0xe0 {
                    0x20 => word(i.k),
                    0x80 => 64,
                    0x00 => i.k,
                    0x60 => mem[i.k as usize],
                    _ => panic!("load {i:?}"),
                };
                if i.code & 0x07 == BPF_LD {
                    a = v;
                } else {
                    x = v;
                }
            }
            BPF_ST => mem[i.k as usize] = a,
            BPF_STX => mem[i.k as usize] = x,
            BPF_ALU => a = alu(i.code & 0xf0, a, src),
            BPF_JMP => {
                let taken = match i.code & 0xf0 {
                    0x00 => {
                        pc += i.k as usize;
                        continue;
                    }
                    0x10 => a == src,
                    0x20 => a > src,
                    0x30 => a >= src,
                    0x40 => a & src != 0,
                    _ => panic!("jump {i:?}"),
                };
                pc += usize::from(if taken { i.jt } else { i.jf });
            }
            BPF_RET => return if i.code & 0x18 == 0x10 { a } else { i.k },
            BPF_MISC => {
                if i.code & 0xf8 == 0 {
                    x = a;
                } else {
                    a = x;
                }
            }
            _ => unreachable!(),
        }
    }
}

fn alu(op: u16, a: u32, src: u32) -> u32 {
    match op {
        0x00 => a.wrapping_add(src),
        0x10 => a.wrapping_sub(src),
        0x20 => a.wrapping_mul(src),
        0x30 => a / src,
        0x40 => a | src,
        0x50 => a & src,
        0x60 => a.wrapping_shl(src),
        0x70 => a.wrapping_shr(src),
        0x80 => a.wrapping_neg(),
        0x90 => a % src,
        0xa0 => a ^ src,
        _ => panic!("alu op {op:#x}"),
    }
}
