// A host file descriptor shared between the event loop and worker threads.
#pragma once

#include <kj/io.h>
#include <kj/refcount.h>

namespace jvmos::proxy {

// Owns one host fd; closed when the last reference goes. Atomically refcounted because a job
// running on a worker thread may hold the fd while the Handle that opened it is being dropped
// on the event-loop thread: the fd stays valid (and its number unreused) until the job ends.
class HostFd final : public kj::AtomicRefcounted {
public:
    // `fd` may be -1 (a Handle whose source fd was closed): every call on it then fails with
    // EBADF, as the kernel says.
    explicit HostFd(kj::AutoCloseFd fd) : m_fd(kj::mv(fd)) {}
    int get() const { return m_fd.get(); }

private:
    kj::AutoCloseFd m_fd;
};

} // namespace jvmos::proxy
