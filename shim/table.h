// The one table from syscall number to handler, with every entry's declared disposition. The
// kernel dispatches through it and `jvmos --syscalls` (later) prints it; a syscall missing from
// it is unknown: ENOSYS, reported once by name under --strace.
#pragma once

#include "base/errno.h"
#include "shim/syscall.h"
#include "shim/syscall_list.h"

namespace jvmos::shim {

enum class Disposition : u8 {
    Unknown,     // not in the table: ENOSYS
    Local,       // implemented by libjvmos
    Shipped,     // forwarded to linux-proxy
    Partial,     // implemented with restrictions (see note)
    Unsupported, // deliberately refused with `error`
};

struct SyscallInfo {
    const char* name;
    Disposition disposition;
    SyscallHandler handler; // nullptr for Unknown/Unsupported
    const char* note;       // what Partial leaves out, why Unsupported
    Errno error;            // returned when there is no handler
};

// The entry for `nr` (an Unknown entry for numbers outside the table).
const SyscallInfo& syscall_info(u64 nr);

// Prints the compatibility table (every Linux syscall with its disposition and note) to the
// monitor's stdout-bound log: `jvmos --syscalls`.
void print_syscall_table();

} // namespace jvmos::shim
