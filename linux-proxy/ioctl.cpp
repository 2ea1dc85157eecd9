// The ioctls in the guest's kernel layout. A file of its own because <asm/termbits.h> (the
// kernel's struct termios, 36 bytes) cannot share a translation unit with glibc's <termios.h>
// (a different, larger struct of the same name).
#include "host_calls.h"

#include <asm/termbits.h>
#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>

namespace jvmos::proxy {

static_assert(sizeof(struct termios) == 36, "the kernel's struct termios");
static_assert(sizeof(struct winsize) == 8);

size_t ioctl_arg_size(uint32_t request) {
    switch (request) {
    case TCGETS: return sizeof(struct termios);
    case TIOCGWINSZ: return sizeof(struct winsize);
    case FIONREAD: return sizeof(int);
    default: return 0;
    }
}

IoctlOutcome host_ioctl(int fd, uint32_t request) {
    IoctlOutcome out;
    size_t size = ioctl_arg_size(request);
    if (size == 0) {
        out.error = ENOTTY;
        return out;
    }
    // Large enough and aligned for each of the three structs.
    union {
        struct termios termios;
        struct winsize winsize;
        int count;
    } arg;
    memset(&arg, 0, sizeof arg);
    int result = ioctl(fd, request, &arg);
    if (result < 0) {
        out.error = errno != 0 ? errno : EIO;
        return out;
    }
    out.result = result;
    out.arg = kj::heapArray<kj::byte>(reinterpret_cast<const kj::byte*>(&arg), size);
    return out;
}

} // namespace jvmos::proxy
