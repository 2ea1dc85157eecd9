#include "worker_pool.h"

#include <kj/debug.h>
#include <kj/io.h>

#include <cerrno>
#include <ctime>
#include <mutex>
#include <vector>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid // glibc names only the union member
#endif

namespace jvmos::proxy {

// ---- BlockingCall --------------------------------------------------------------------------

bool BlockingCall::wait_ready(int fd, short events) const {
    if (fd < 0) return !cancelled();
    for (;;) {
        if (cancelled()) return false;
        struct pollfd fds[2] = {{fd, events, 0}, {m_wake_fd, POLLIN, 0}};
        int n = poll(fds, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return !cancelled(); // let the real system call report the problem
        }
        if (fds[1].revents != 0) return false;
        if (fds[0].revents != 0) return !cancelled();
    }
}

bool BlockingCall::sleep(int milliseconds) const {
    if (cancelled()) return false;
    struct pollfd wake = {m_wake_fd, POLLIN, 0};
    int n = poll(&wake, 1, milliseconds);
    return !(n > 0 || cancelled());
}

int BlockingCall::poll(struct pollfd* fds, size_t count, int64_t timeout_ns) const {
    // One more entry for the wake-up eventfd, which becomes readable when the job is cancelled.
    std::vector<struct pollfd> all(fds, fds + count);
    all.push_back({m_wake_fd, POLLIN, 0});
    // A deadline ~146 years away is no limit either, and keeps the arithmetic below in range.
    constexpr int64_t LONGEST_NS = int64_t(1) << 62;
    if (timeout_ns > LONGEST_NS) timeout_ns = LONGEST_NS;
    struct timespec deadline {};
    if (timeout_ns >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        const int64_t nsec = deadline.tv_nsec + timeout_ns % 1'000'000'000;
        deadline.tv_sec += time_t(timeout_ns / 1'000'000'000 + nsec / 1'000'000'000);
        deadline.tv_nsec = long(nsec % 1'000'000'000);
    }
    for (;;) {
        if (cancelled()) {
            errno = ECANCELED;
            return -1;
        }
        struct timespec left {};
        if (timeout_ns >= 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            int64_t ns = (deadline.tv_sec - now.tv_sec) * 1'000'000'000 +
                         (deadline.tv_nsec - now.tv_nsec);
            if (ns < 0) ns = 0;
            left = {time_t(ns / 1'000'000'000), long(ns % 1'000'000'000)};
        }
        int n = ppoll(all.data(), all.size(), timeout_ns >= 0 ? &left : nullptr, nullptr);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (all.back().revents != 0 || cancelled()) {
            errno = ECANCELED;
            return -1;
        }
        for (size_t i = 0; i < count; i++) fds[i].revents = all[i].revents;
        return n;
    }
}

namespace {

// How often an interruptible() call is interrupted anyway, to look at its cancellation.
constexpr long INTERRUPT_PERIOD_NS = 100'000'000;

void on_interrupt(int) {} // only there to make the waiting system call fail with EINTR

void install_interrupt_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action = {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0; // no SA_RESTART: the interrupted call must return EINTR
        if (sigaction(WorkerPool::interrupt_signal(), &action, nullptr) != 0)
            KJ_FAIL_SYSCALL("sigaction", errno);
    });
}

pid_t current_tid() { return pid_t(syscall(SYS_gettid)); }

} // namespace

int BlockingCall::interruptible(kj::FunctionParam<int()> call) const {
    const int signal = WorkerPool::interrupt_signal();
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signal);

    // The periodic interruption, aimed at this thread only.
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = signal;
    event.sigev_notify_thread_id = current_tid();
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) return -1; // errno: EAGAIN...
    struct itimerspec period = {};
    period.it_value.tv_nsec = INTERRUPT_PERIOD_NS;
    period.it_interval.tv_nsec = INTERRUPT_PERIOD_NS;
    timer_settime(timer, 0, &period, nullptr);

    m_interruptible.store(true, std::memory_order_seq_cst);
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    int result;
    int error;
    for (;;) {
        if (cancelled()) {
            result = -1;
            error = ECANCELED;
            break;
        }
        result = call();
        error = errno;
        if (result != -1 || error != EINTR) break;
    }
    pthread_sigmask(SIG_BLOCK, &only, nullptr);
    m_interruptible.store(false, std::memory_order_seq_cst);
    timer_delete(timer);
    // A signal sent after the call ended stays pending (blocked) and costs the next
    // interruptible() call one extra EINTR: harmless.
    errno = error;
    return result;
}

// ---- WorkerPool ----------------------------------------------------------------------------

int WorkerPool::interrupt_signal() { return SIGRTMIN + 3; }

struct WorkerPool::Job {
    enum class State { QUEUED, RUNNING, DONE };
    kj::Function<void(const BlockingCall&)> body;
    kj::Maybe<kj::Function<void()>> on_cancel;
    State state = State::QUEUED; // guarded by the pool's m_mutex
    Worker* worker = nullptr;    // guarded by the pool's m_mutex; set while RUNNING
    std::atomic<bool> cancelled{false};
    std::atomic<bool> interruptible{false}; // in BlockingCall::interruptible()
    uint64_t token = 0;                      // interrupt_call()'s name for it (0: none)

    Job(kj::Function<void(const BlockingCall&)> body, kj::Maybe<kj::Function<void()>> on_cancel)
        : body(kj::mv(body)), on_cancel(kj::mv(on_cancel)) {}
};

struct WorkerPool::Worker {
    kj::AutoCloseFd wake; // eventfd: written to cancel the running job, drained after each job
    std::shared_ptr<Job> current; // guarded by the pool's m_mutex
    std::thread thread;
    std::atomic<pid_t> tid{0};    // the thread's id once it runs (for interrupting it)
};

WorkerPool::Ticket::Ticket(WorkerPool& pool, std::shared_ptr<Job> job)
    : m_pool(pool), m_job(kj::mv(job)) {}

WorkerPool::Ticket::~Ticket() { m_pool.cancel(m_job); }

namespace {

void signal_wake(int fd) {
    uint64_t one = 1;
    // An eventfd write fails only when the counter would overflow: it is then readable anyway.
    ssize_t n = write(fd, &one, sizeof one);
    (void)n;
}

void drain_wake(int fd) {
    uint64_t value;
    ssize_t n = read(fd, &value, sizeof value); // EFD_NONBLOCK: EAGAIN when already drained
    (void)n;
}

} // namespace

WorkerPool::WorkerPool(unsigned max_threads) : m_max_threads(max_threads > 0 ? max_threads : 1) {
    install_interrupt_handler();
}

void WorkerPool::interrupt(Job& job) {
    if (!job.interruptible.load(std::memory_order_seq_cst)) return;
    const pid_t tid = job.worker->tid.load(std::memory_order_acquire);
    if (tid != 0) syscall(SYS_tgkill, getpid(), tid, interrupt_signal());
}

WorkerPool::~WorkerPool() {
    std::vector<std::shared_ptr<Job>> dropped;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
        for (auto& worker : m_workers) {
            if (auto& job = worker->current) {
                job->cancelled.store(true, std::memory_order_seq_cst);
                signal_wake(worker->wake);
                interrupt(*job);
                KJ_IF_MAYBE (hook, job->on_cancel) { (*hook)(); }
            }
        }
        dropped.assign(m_queue.begin(), m_queue.end());
        m_queue.clear();
    }
    m_work_ready.notify_all();
    for (auto& worker : m_workers) worker->thread.join();
    // `dropped` (queued jobs that never ran) goes here, on this thread, rejecting their
    // fulfillers (nobody waits for them any more).
}

size_t WorkerPool::thread_count() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_workers.size();
}

kj::Own<WorkerPool::Ticket> WorkerPool::submit(kj::Function<void(const BlockingCall&)> body,
                                               kj::Maybe<kj::Function<void()>> on_cancel,
                                               uint64_t token) {
    auto job = std::make_shared<Job>(kj::mv(body), kj::mv(on_cancel));
    job->token = token;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        KJ_ASSERT(!m_stopping, "job submitted to a pool being destroyed");
        m_queue.push_back(job);
        if (token != 0) m_tokens[token] = job;
        if (m_idle == 0 && m_workers.size() < m_max_threads) {
            int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) KJ_FAIL_SYSCALL("eventfd", errno);
            auto worker = std::make_unique<Worker>();
            worker->wake = kj::AutoCloseFd(fd);
            Worker& ref = *worker;
            worker->thread = std::thread([this, &ref]() { worker_main(ref); });
            m_workers.push_back(kj::mv(worker));
        }
    }
    m_work_ready.notify_one();
    return kj::heap<Ticket>(*this, kj::mv(job));
}

void WorkerPool::cancel(const std::shared_ptr<Job>& job) {
    std::shared_ptr<Job> dropped; // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(m_mutex);
    switch (job->state) {
    case Job::State::QUEUED:
        for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
            if (*it == job) {
                dropped = kj::mv(*it);
                m_queue.erase(it);
                break;
            }
        }
        job->state = Job::State::DONE;
        if (job->token != 0) m_tokens.erase(job->token);
        break;
    case Job::State::RUNNING:
        job->cancelled.store(true, std::memory_order_seq_cst);
        signal_wake(job->worker->wake);
        interrupt(*job);
        KJ_IF_MAYBE (hook, job->on_cancel) { (*hook)(); }
        break;
    case Job::State::DONE:
        break;
    }
}

void WorkerPool::interrupt_call(uint64_t token) {
    std::shared_ptr<Job> job; // released after the lock, as in cancel()
    std::lock_guard<std::mutex> lock(m_mutex);
    auto found = m_tokens.find(token);
    if (found == m_tokens.end()) return;
    job = found->second.lock();
    if (!job) return;
    // A queued job sees the flag as soon as it runs; a running one is woken from its wait.
    job->cancelled.store(true, std::memory_order_seq_cst);
    if (job->state == Job::State::RUNNING) {
        signal_wake(job->worker->wake);
        interrupt(*job);
        KJ_IF_MAYBE (hook, job->on_cancel) { (*hook)(); }
    }
}

void WorkerPool::worker_main(Worker& self) {
    // Asynchronous signals are the main thread's business; a write to a closed pipe on a worker
    // then fails with EPIPE (the signal stays pending on this thread) instead of killing.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    self.tid.store(current_tid(), std::memory_order_release);
    for (;;) {
        std::shared_ptr<Job> job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            ++m_idle;
            m_work_ready.wait(lock, [this]() { return m_stopping || !m_queue.empty(); });
            --m_idle;
            if (m_stopping) return;
            job = kj::mv(m_queue.front());
            m_queue.pop_front();
            job->state = Job::State::RUNNING;
            job->worker = &self;
            self.current = job;
        }
        job->body(BlockingCall(self.wake, job->cancelled, job->interruptible));
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            job->state = Job::State::DONE;
            if (job->token != 0) m_tokens.erase(job->token);
            job->worker = nullptr;
            self.current = nullptr;
            drain_wake(self.wake); // a cancel of this job must not wake the next one
        }
    }
}

} // namespace jvmos::proxy
