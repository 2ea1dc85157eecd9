/*
 * Kernel entry and exit paths for both backends.
 *
 *  - _start: first instruction of vCPU 0. On a kvm_pvm host it registers the VIF page while
 *    still instruction-emulated, which switches the vCPU to native execution (shared/PVM.md).
 *  - syscall entries (one per backend): build a TrapFrame on the per-CPU kernel stack, call
 *    jvmos_syscall_entry(), return with `int $0x19` (PV) or `sysretq` (HW), or through the full
 *    frame-restoring path when the handler asks for it.
 *  - 256 exception/interrupt stubs feeding trap_common, which calls jvmos_trap_entry().
 *  - return to user: HW `iretq`; PV the IRET_FRAME hypercall, which restores every register
 *    (ERETU would clobber the user's RSI, acceptable only on the syscall path).
 */
#include "arch/x86_64/frame.h"
#include "jvmos/abi/abi.h"

#define PV_MSR_VIF 0x4b564d10
#define PV_FLAGS 0x7f
#define PV_HC_IRET_FRAME 0x100d
#define BOOT_INFO_BACKEND 8
#define JVMOS_AP_STACK_SHIFT 14 /* 16 KiB boot stack per vCPU (arch.cpp) */

.macro PUSH_REGS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .section .text.entry, "ax"
    .global _start
_start:
    /* RDI = boot info (physmap VA), RSI = vCPU index, RSP = boot stack (vCPU 0 only; the
     * others take theirs from jvmos_ap_stacks), interrupts off. */
    test %rsi, %rsi
    jz 3f
    mov %rsi, %rax
    shl $JVMOS_AP_STACK_SHIFT, %rax
    lea jvmos_ap_stacks(%rip), %rsp
    add %rax, %rsp              /* the top of stack index-1 = base + index << shift */
3:  cmpl $JVMOS_BACKEND_PV, BOOT_INFO_BACKEND(%rdi)
    jne 1f
    mov %rdi, %rbx
    mov %rsi, %r12
    mov %rsi, %rax              /* this vCPU's VIF page: jvmos_vif_pages[index] */
    shl $12, %rax
    lea jvmos_vif_pages(%rip), %rcx
    add %rcx, %rax
    movabs $JVMOS_PHYSMAP_BASE, %rcx
    sub %rcx, %rax
    or $PV_FLAGS, %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $PV_MSR_VIF, %ecx
    wrmsr                      /* from here on the kernel runs natively */
    mov %rbx, %rdi
    mov %r12, %rsi
1:  xor %ebp, %ebp
    cld
    test %rsi, %rsi
    jnz 4f
    call jvmos_kernel_main
2:  ud2
    jmp 2b
4:  call jvmos_ap_main
    jmp 2b

    .text

/* The shared body of both syscall entries, entered with the kernel GS loaded and RSP still
 * the user's: build a TrapFrame on the per-CPU kernel stack, dispatch, and either take the
 * full-restore return or leave with RCX = user RIP, R11 = user RFLAGS, RSP = user RSP for the
 * backend's fast return. */
.macro SYSCALL_BODY
    mov %rsp, %gs:JVMOS_PERCPU_USER_RSP
    mov %gs:JVMOS_PERCPU_KSTACK_TOP, %rsp
    pushq $JVMOS_SEL_USER_DS
    pushq %gs:JVMOS_PERCPU_USER_RSP
    push %r11
    pushq $JVMOS_SEL_USER_CS
    push %rcx
    pushq $0
    pushq $JVMOS_VECTOR_SYSCALL
    PUSH_REGS
    mov %rsp, %rdi
    call jvmos_syscall_entry
    test %eax, %eax
    jnz jvmos_return_to_user_full
    POP_REGS
    add $16, %rsp
    pop %rcx                  /* rip */
    add $8, %rsp
    pop %r11                  /* rflags */
    pop %rsp
.endm

/* ---- syscall, paravirtual backend --------------------------------------------------------
 * With preflip_syscall the kernel GS and CR3 are already loaded; RSP is still the user's. */
    .global jvmos_pv_syscall_entry
    .align 16
jvmos_pv_syscall_entry:
    cmp $JVMOS_SYS_NOP, %rax
    je 9f
    SYSCALL_BODY
    int $0x19                 /* PV sysret: RIP = RCX, RFLAGS = R11, RSP unchanged */
9:  xor %eax, %eax            /* JVMOS_SYS_NOP: the platform floor */
    int $0x19

/* ---- syscall, hardware-virtualisation backend ------------------------------------------- */
    .global jvmos_hw_syscall_entry
    .align 16
jvmos_hw_syscall_entry:
    swapgs
    cmp $JVMOS_SYS_NOP, %rax
    je 9f
    SYSCALL_BODY
    swapgs
    sysretq
9:  xor %eax, %eax
    swapgs
    sysretq

/* ---- exceptions and interrupts ----------------------------------------------------------- */
.macro TRAP_STUB vec
    .align 16
jvmos_trap_stub_\vec:
    .if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

    .align 16
    .global jvmos_trap_stubs_start
jvmos_trap_stubs_start:
.altmacro
.set vec, 0
.rept 256
    TRAP_STUB %vec
    .set vec, vec + 1
.endr

trap_common:
    /* From user mode on hardware virtualisation GS is still the user's; the PV host has
     * already swapped it (pre-flip). */
    testb $3, 24(%rsp)          /* CS in the hardware frame (after vector and error) */
    jz 1f
    cmpb $0, jvmos_arch_is_pv(%rip)
    jne 1f
    swapgs
1:  PUSH_REGS
    mov %rsp, %rdi
    cld
    call jvmos_trap_entry
    testb $3, JVMOS_FRAME_CS(%rsp)
    jnz jvmos_return_to_user_full
    /* Back to kernel mode. On the PV host the frame CS is the virtual 0x10 and `iretq` is
     * emulated (one exit); kernel-mode traps are rare. */
    POP_REGS
    add $16, %rsp
    iretq

/* jvmos_return_to_user_full: RSP = a complete TrapFrame for user mode; restores every
 * register from it. Also the first entry to user mode (jvmos_enter_user). */
    .global jvmos_return_to_user_full
jvmos_return_to_user_full:
    cmpb $0, jvmos_arch_is_pv(%rip)
    jne 2f
    POP_REGS
    add $16, %rsp
    swapgs
    iretq
2:  /* IRET_FRAME hypercall: RBX -> {rax, rbx, rdi, rip, cs, rflags, rsp, ss}; it restores
     * rax/rbx/rdi itself, everything else is loaded here first. */
    mov %gs:JVMOS_PERCPU_SELF, %rbx
    add $JVMOS_PERCPU_IRET_BLOCK, %rbx
    mov JVMOS_FRAME_RAX(%rsp), %rax
    mov %rax, 0(%rbx)
    mov JVMOS_FRAME_RBX(%rsp), %rax
    mov %rax, 8(%rbx)
    mov JVMOS_FRAME_RDI(%rsp), %rax
    mov %rax, 16(%rbx)
    mov JVMOS_FRAME_RIP(%rsp), %rax
    mov %rax, 24(%rbx)
    mov JVMOS_FRAME_CS(%rsp), %rax
    mov %rax, 32(%rbx)
    mov JVMOS_FRAME_RFLAGS(%rsp), %rax
    mov %rax, 40(%rbx)
    mov JVMOS_FRAME_RSP(%rsp), %rax
    mov %rax, 48(%rbx)
    mov JVMOS_FRAME_SS(%rsp), %rax
    mov %rax, 56(%rbx)
    mov JVMOS_FRAME_R15(%rsp), %r15
    mov JVMOS_FRAME_R14(%rsp), %r14
    mov JVMOS_FRAME_R13(%rsp), %r13
    mov JVMOS_FRAME_R12(%rsp), %r12
    mov JVMOS_FRAME_R11(%rsp), %r11
    mov JVMOS_FRAME_R10(%rsp), %r10
    mov JVMOS_FRAME_R9(%rsp), %r9
    mov JVMOS_FRAME_R8(%rsp), %r8
    mov JVMOS_FRAME_RBP(%rsp), %rbp
    mov JVMOS_FRAME_RSI(%rsp), %rsi
    mov JVMOS_FRAME_RDX(%rsp), %rdx
    mov JVMOS_FRAME_RCX(%rsp), %rcx
    mov $PV_HC_IRET_FRAME, %eax
    int $0x1b
3:  ud2
    jmp 3b

/* void jvmos_enter_user(TrapFrame* frame): switch to `frame` (on a kernel stack) and return
 * to user mode through it. */
    .global jvmos_enter_user
jvmos_enter_user:
    mov %rdi, %rsp
    jmp jvmos_return_to_user_full

/* void jvmos_switch_context(u64* save_rsp, u64 new_rsp): saves the callee-saved registers on
 * the current kernel stack, stores its RSP in *save_rsp, and resumes the context at new_rsp. */
    .global jvmos_switch_context
jvmos_switch_context:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* A new thread's first context: RSP points at its user TrapFrame. */
    .global jvmos_thread_start
jvmos_thread_start:
    call jvmos_sched_thread_first_run
    jmp jvmos_return_to_user_full

    .section .note.GNU-stack, "", @progbits
