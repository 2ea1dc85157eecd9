// Worker threads for system calls that may block, so that the event loop never does.
//
// A shipped call that can wait (a read of an empty pipe or a terminal, a write to a full pipe,
// a blocking flock, fsync, the open of a FIFO) runs as a *job* on a worker thread; the job's
// result comes back to the event loop through a kj cross-thread fulfiller. Each job has its own
// thread while it runs (threads are reused; at most `max_threads`, further jobs queue), so a
// read blocked forever on stdin never delays a write to stdout.
//
// Cancellation: dropping the promise `run()` returned (the RPC call was cancelled, the
// connection dropped, the session went away) cancels the job: a queued job is discarded; a
// running one is told through its BlockingCall, whose waits (poll on the job's fd plus the
// worker's wake-up eventfd) return at once, and through an optional `on_cancel` hook for waits
// that cannot poll (the open of a FIFO). Jobs must therefore wait only through BlockingCall (or
// an on_cancel-able call), never in a bare blocking system call of unbounded duration.
//
// A wait that can neither poll nor be ended by another call (fcntl F_SETLKW waits for a host
// process to unlock) runs through BlockingCall::interruptible(): cancelling the job sends the
// worker thread INTERRUPT_SIGNAL (a no-op handler without SA_RESTART, unblocked on the worker
// only for that call), so the system call fails with EINTR; a periodic timer sends the same
// signal, so a cancellation that lands just before the call starts waiting is still seen.
//
// Lock order: WorkerPool::m_mutex is the only lock; on_cancel hooks run under it and must not
// block or call back into the pool.
#pragma once

#include <kj/async.h>
#include <kj/function.h>

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

struct pollfd;

namespace jvmos::proxy {

// A running job's view of its cancellation. Used on the worker thread only.
class BlockingCall {
public:
    BlockingCall(int wake_fd, const std::atomic<bool>& cancelled, std::atomic<bool>& interruptible)
        : m_wake_fd(wake_fd), m_cancelled(cancelled), m_interruptible(interruptible) {}

    // Waits until `fd` reports any of `events` (POLLIN, POLLOUT; errors and hang-ups count as
    // ready, so that the following system call reports them). False if the job was cancelled.
    // A negative fd is "ready" at once (the system call will say EBADF).
    bool wait_ready(int fd, short events) const;
    // Sleeps up to `milliseconds`; false if the job was cancelled meanwhile.
    bool sleep(int milliseconds) const;
    // poll(2) of `count` fds with the job's cancellation: waits until one of them is ready or
    // `timeout_ns` has passed (negative: no limit). Returns poll's count (0: timed out), or -1
    // with errno ECANCELED if the job was cancelled first or meanwhile (or poll's own errno).
    int poll(struct pollfd* fds, size_t count, int64_t timeout_ns) const;
    bool cancelled() const { return m_cancelled.load(std::memory_order_acquire); }
    // Runs `call`, a system call that may wait without bound and fails with EINTR when a
    // signal arrives, again after each EINTR, until it returns anything else; returns what it
    // returned (errno as it left it). If the job is cancelled first or meanwhile: -1 with errno
    // ECANCELED. See the top of this file.
    int interruptible(kj::FunctionParam<int()> call) const;

private:
    int m_wake_fd;
    const std::atomic<bool>& m_cancelled;
    std::atomic<bool>& m_interruptible; // set while interruptible() runs
};

class WorkerPool {
public:
    // The signal that ends an interruptible() call early (a real-time signal: kj reserves
    // SIGUSR1, and nothing else in the proxy uses these).
    static int interrupt_signal();

    // Threads are started on demand, up to `max_threads` (at least 1).
    explicit WorkerPool(unsigned max_threads);
    // Cancels every queued and running job and joins the threads. Runs on the event-loop thread
    // that used the pool; every promise returned by run() must be gone (they keep the pool's
    // owner alive, see run()).
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Runs `work` on a worker thread; the promise (on the calling thread's event loop) resolves
    // to its result. `work` must not touch the caller's kj objects: only what it captured (host
    // fds as HostFd references, copies of data). Dropping the promise cancels the job (see the
    // top of this file); `on_cancel`, if given, is called on this thread when a running job is
    // cancelled. The pool must outlive the promise: callers attach a reference to the pool's
    // owner.
    // `token` (nonzero, unique among the jobs in flight) names the job for interrupt_call().
    template <typename T>
    kj::Promise<T> run(kj::Function<T(const BlockingCall&)> work,
                       kj::Maybe<kj::Function<void()>> on_cancel = nullptr, uint64_t token = 0);

    // A guest signal interrupts the call that submitted the job named `token`: its waits end as
    // for a cancellation (BlockingCall::cancelled() is true, even if the job is still queued),
    // but its promise stays and resolves with what the job returns (ECANCELED, or what it
    // transferred before). No-op if no such job is queued or running.
    void interrupt_call(uint64_t token);

    // Threads started so far (for tests).
    size_t thread_count();

private:
    struct Job;
    struct Worker;
    // Attached to the promise run() returns: dropping it cancels the job (a no-op once done).
    class Ticket {
    public:
        Ticket(WorkerPool& pool, std::shared_ptr<Job> job);
        ~Ticket();
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;

    private:
        WorkerPool& m_pool;
        std::shared_ptr<Job> m_job;
    };

    kj::Own<Ticket> submit(kj::Function<void(const BlockingCall&)> body,
                           kj::Maybe<kj::Function<void()>> on_cancel, uint64_t token);
    void cancel(const std::shared_ptr<Job>& job);
    // Ends the job's interruptible() wait, if it is in one. Under m_mutex (the job is RUNNING).
    void interrupt(Job& job);
    void worker_main(Worker& worker);

    const unsigned m_max_threads;
    std::mutex m_mutex;
    std::condition_variable m_work_ready;
    std::deque<std::shared_ptr<Job>> m_queue;      // guarded by m_mutex
    std::vector<std::unique_ptr<Worker>> m_workers; // guarded by m_mutex (append only)
    unsigned m_idle = 0;                             // guarded by m_mutex
    bool m_stopping = false;                         // guarded by m_mutex
    std::unordered_map<uint64_t, std::weak_ptr<Job>> m_tokens; // guarded by m_mutex; jobs
                                                               // not DONE, by token
};

// ---- implementation of the template ---------------------------------------------------------

template <typename T>
kj::Promise<T> WorkerPool::run(kj::Function<T(const BlockingCall&)> work,
                               kj::Maybe<kj::Function<void()>> on_cancel, uint64_t token) {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<T>();
    auto body = [work = kj::mv(work),
                 fulfiller = kj::mv(paf.fulfiller)](const BlockingCall& call) mutable {
        KJ_IF_MAYBE (exception,
                     kj::runCatchingExceptions([&]() { fulfiller->fulfill(work(call)); })) {
            fulfiller->reject(kj::mv(*exception));
        }
    };
    auto ticket = submit(kj::mv(body), kj::mv(on_cancel), token);
    return paf.promise.attach(kj::mv(ticket));
}

} // namespace jvmos::proxy
