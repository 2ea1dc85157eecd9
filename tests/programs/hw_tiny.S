/* The smallest program for the hardware-virtualisation backend test: no syscall (a kvm_pvm host
 * cannot deliver `syscall` to that backend's kernel, which is emulated there), just arithmetic,
 * stack and memory use, then `ud2`: the program dies of SIGILL, exit status 132, natively and
 * under jvmos. It exercises boot, the ELF loader, page tables, the first entry to user mode,
 * a demand fault on the stack and exception delivery through the IDT. */
    .globl _start
    .text
_start:
    mov $1000, %ecx
    xor %eax, %eax
1:  add %rcx, %rax
    push %rax
    pop %rdx
    dec %ecx
    jnz 1b
    mov %rax, buffer(%rip)   /* a write to .bss */
    cmp $500500, %rax
    jne 2f
    ud2                     /* expected end: SIGILL */
2:  int3                    /* wrong sum: SIGTRAP (133) */

    .bss
buffer:
    .quad 0
    .section .note.GNU-stack, "", @progbits
