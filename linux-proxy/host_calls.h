// Host system calls whose results cross the wire in a Linux layout: stat and statfs conversion,
// the three ioctls the schema allows, and readiness probes for possibly-blocking fds.
#pragma once

#include "jvmos.capnp.h"

#include <kj/array.h>

#include <cstdint>
#include <sys/stat.h>
#include <sys/statfs.h>

namespace jvmos::proxy {

// proto::Stat from a host struct stat (x86-64 Linux: the guest's layout too).
void fill_stat(proto::Stat::Builder out, const struct stat& st);

// proto::StatFs from a host struct statfs; `read_only` adds ST_RDONLY (a read-only mount on a
// writable host file system).
void fill_statfs(proto::StatFs::Builder out, const struct statfs& fs, bool read_only);

// The byte size of an ioctl's argument struct as the guest's kernel ABI lays it out, for the
// requests the proxy performs: TCGETS (struct termios, kernel layout: 36 bytes), TIOCGWINSZ
// (struct winsize: 8) and FIONREAD (int: 4). Zero for every other request (ENOTTY).
size_t ioctl_arg_size(uint32_t request);

// Performs one of those ioctls on `fd`. On success `error` is 0, `result` the ioctl's return
// value and `arg` the output struct's bytes; else `error` is the errno.
struct IoctlOutcome {
    int error = 0;
    int result = 0;
    kj::Array<kj::byte> arg;
};
IoctlOutcome host_ioctl(int fd, uint32_t request);

// True if `fd` is ready now for any of `events` (or reports an error/hang-up, which the
// following call will then report): the system call will not block.
bool ready_now(int fd, short events);

} // namespace jvmos::proxy
