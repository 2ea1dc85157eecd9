// strace-format rendering of one finished system call, for the monitor's --strace output.
//
// The line matches what `strace -f -s 32` (strace 6.x) prints for the call, minus the "[pid N] "
// prefix and minus strace's padding of the call to column 40 before " = ": e.g.
//   write(1, "hello\n", 6) = 6
//   openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
//   mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
//   exit_group(0) = ?
// Strings are escaped and truncated at 32 bytes as strace does; structures, flag sets and enum
// arguments are decoded for the common syscalls (see strace.cpp for the list), every other
// syscall gets its arguments in hex.
//
// Unlike strace, which reads input arguments when the call starts, everything is read from user
// memory once the call has returned: call the formatter before the process can change them
// (i.e. before returning to user mode), and do not use it after a successful execve.
//
// Freestanding: no allocation, no globals with constructors; the output goes to a caller buffer.
#pragma once

#include "base/types.h"

namespace jvmos::shim {

// Read access to the traced process's memory. Implementations must never fault: a range that is
// not (entirely) mapped readable is reported by returning false. The formatter then prints the
// address in hex, as strace does for a pointer it cannot follow.
class UserMemory {
  public:
    // Copies [addr, addr+len) to out; false (out unspecified) if any byte is not readable.
    virtual bool read(u64 addr, void* out, usize len) const = 0;

  protected:
    ~UserMemory() = default;
};

// The syscall's name ("openat") for an x86-64 Linux syscall number, or nullptr if unknown.
const char* syscall_name(u64 nr);

// Renders the call `nr(args...)` that returned `result` (the raw return value; -4095..-1 is
// -errno) as one strace line ending in "\n". snprintf semantics: writes at most size-1 characters
// plus a NUL (nothing if size == 0) and returns the length of the full line, so a return value
// >= size means the line was truncated. args holds the six syscall argument registers
// (rdi, rsi, rdx, r10, r8, r9); unused ones are ignored.
usize format_syscall(char* buf, usize size, u64 nr, const u64 args[6], i64 result,
                     const UserMemory& mem);

// As format_syscall for a call that does not return (exit, exit_group, or a thread killed in the
// middle of a call): the line ends in " = ?\n" and output-only buffers are printed as pointers.
usize format_syscall_noreturn(char* buf, usize size, u64 nr, const u64 args[6],
                              const UserMemory& mem);

} // namespace jvmos::shim
