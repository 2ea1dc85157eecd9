// The register frame every kernel entry builds on the kernel stack (syscalls, exceptions,
// interrupts) and every return to user mode consumes. Its layout is shared with entry.S; the
// offsets below are checked by static_asserts in arch.cpp.
#pragma once

#define JVMOS_FRAME_R15 0
#define JVMOS_FRAME_R14 8
#define JVMOS_FRAME_R13 16
#define JVMOS_FRAME_R12 24
#define JVMOS_FRAME_R11 32
#define JVMOS_FRAME_R10 40
#define JVMOS_FRAME_R9 48
#define JVMOS_FRAME_R8 56
#define JVMOS_FRAME_RBP 64
#define JVMOS_FRAME_RDI 72
#define JVMOS_FRAME_RSI 80
#define JVMOS_FRAME_RDX 88
#define JVMOS_FRAME_RCX 96
#define JVMOS_FRAME_RBX 104
#define JVMOS_FRAME_RAX 112
#define JVMOS_FRAME_VECTOR 120
#define JVMOS_FRAME_ERROR 128
#define JVMOS_FRAME_RIP 136
#define JVMOS_FRAME_CS 144
#define JVMOS_FRAME_RFLAGS 152
#define JVMOS_FRAME_RSP 160
#define JVMOS_FRAME_SS 168
#define JVMOS_FRAME_SIZE 176

// Vector number recorded for a `syscall` entry (not a real IDT vector).
#define JVMOS_VECTOR_SYSCALL 0x100

// Per-CPU area offsets (struct PerCpu in percpu.h), reached through GS in kernel mode.
#define JVMOS_PERCPU_SELF 0
#define JVMOS_PERCPU_KSTACK_TOP 8
#define JVMOS_PERCPU_USER_RSP 16
#define JVMOS_PERCPU_IRET_BLOCK 24 /* 8 quadwords: rax rbx rdi rip cs rflags rsp ss */

#ifndef __ASSEMBLER__
#include "base/types.h"

namespace jvmos::arch {

struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector;
    u64 error;
    // The hardware interrupt frame.
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) == 3; }
};

static_assert(sizeof(TrapFrame) == JVMOS_FRAME_SIZE);

} // namespace jvmos::arch
#endif
