// The initial stack of a Linux x86-64 process: what a program's _start (or ld.so) finds at RSP
// on its first instruction. Laid out as Linux's execve does, from the top of the stack down:
//
//   stack_top_va  ->  8 zero bytes (end marker)
//                     execfn string                       (AT_EXECFN points here)
//                     envp strings, in order
//                     argv strings, in order
//                     platform string                     (AT_PLATFORM)
//                     16 random bytes                     (AT_RANDOM)
//                     zero padding to 16 bytes
//                     auxv: (type, value) pairs ..., AT_NULL
//                     NULL, envp[envc - 1] ... envp[0]    (pointers, read upwards)
//                     NULL, argv[argc - 1] ... argv[0]
//   RSP           ->  argc                                (16-byte aligned)
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::proc {

// Auxiliary vector entry types (Linux include/uapi/linux/auxvec.h, x86-64).
inline constexpr u64 AT_NULL = 0;
inline constexpr u64 AT_IGNORE = 1;
inline constexpr u64 AT_EXECFD = 2;
inline constexpr u64 AT_PHDR = 3;
inline constexpr u64 AT_PHENT = 4;
inline constexpr u64 AT_PHNUM = 5;
inline constexpr u64 AT_PAGESZ = 6;
inline constexpr u64 AT_BASE = 7;
inline constexpr u64 AT_FLAGS = 8;
inline constexpr u64 AT_ENTRY = 9;
inline constexpr u64 AT_NOTELF = 10;
inline constexpr u64 AT_UID = 11;
inline constexpr u64 AT_EUID = 12;
inline constexpr u64 AT_GID = 13;
inline constexpr u64 AT_EGID = 14;
inline constexpr u64 AT_PLATFORM = 15;
inline constexpr u64 AT_HWCAP = 16;
inline constexpr u64 AT_CLKTCK = 17;
inline constexpr u64 AT_SECURE = 23;
inline constexpr u64 AT_BASE_PLATFORM = 24;
inline constexpr u64 AT_RANDOM = 25;
inline constexpr u64 AT_HWCAP2 = 26;
inline constexpr u64 AT_EXECFN = 31;
inline constexpr u64 AT_SYSINFO_EHDR = 33;
inline constexpr u64 AT_MINSIGSTKSZ = 51;

// One auxv pair.
struct AuxEntry {
    u64 type;
    u64 value;
};

// Everything that goes on the stack. Strings are NUL-terminated kernel copies (the caller has
// already fetched them from user memory).
struct InitialStackSpec {
    const char* const* argv; // argc strings (argv may be nullptr when argc == 0)
    usize argc;
    const char* const* envp; // envc strings (envp may be nullptr when envc == 0)
    usize envc;
    // Caller-chosen entries (AT_PHDR, AT_ENTRY, AT_PAGESZ, ...), emitted in this order. Must not
    // contain AT_NULL, AT_RANDOM, AT_EXECFN or AT_PLATFORM: the builder adds those itself.
    const AuxEntry* aux;
    usize aux_count;
    const u8* random16;   // 16 bytes for AT_RANDOM, or nullptr for no AT_RANDOM
    const char* execfn;   // the path given to execve, for AT_EXECFN, or nullptr for none
    const char* platform; // "x86_64" for AT_PLATFORM, or nullptr for none
};

// Bytes of stack the layout needs below stack_top_va, whatever stack_top_va's alignment:
// build_initial_stack() succeeds whenever buf_size is at least this. Saturates at the largest
// usize if the strings' total length overflows.
usize initial_stack_size(const InitialStackSpec& spec);

// Writes the initial stack into buf, which stands for the user addresses
// [stack_top_va - buf_size, stack_top_va) (so buf[buf_size - 1] is the byte just below
// stack_top_va); all pointers written are those user addresses. Returns the initial RSP (the
// user address of argc, 16-byte aligned). Errno::E2BIG if the layout does not fit in buf (then
// buf may have been partly written, but nothing outside it). Requires stack_top_va >= buf_size.
Result<u64> build_initial_stack(const InitialStackSpec& spec, u8* buf, usize buf_size,
                                u64 stack_top_va);

} // namespace jvmos::proc
