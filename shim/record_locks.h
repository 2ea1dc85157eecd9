// fcntl record locks: Linux's struct flock and commands, and the answer for files that no other
// process can reach (a memfd, a /proc file), which jvmos serves without the proxy.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {

// struct flock on x86-64.
struct LinuxFlock {
    i16 l_type;
    i16 l_whence;
    u32 pad0;
    i64 l_start;
    i64 l_len;
    i32 l_pid;
    u32 pad1;
};
static_assert(sizeof(LinuxFlock) == 32);

inline constexpr u64 F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7;
inline constexpr u64 F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
inline constexpr i16 F_UNLCK = 2;

// Whether `cmd` is one of the record-lock commands above.
inline bool is_record_lock_command(u64 cmd) {
    return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK ||
           cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

// A record-lock command on a file only this process can reach: nothing ever conflicts, so a
// query reports F_UNLCK and a lock is granted; a bad `arg` is EFAULT as on Linux.
inline Result<u64> local_record_lock(u64 cmd, u64 arg) {
    LinuxFlock l = TRY(UserPtr<LinuxFlock>(arg).read());
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        l.l_type = F_UNLCK;
        TRY(UserPtr<LinuxFlock>(arg).write(l));
    }
    return 0;
}

} // namespace jvmos::shim
