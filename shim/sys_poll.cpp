// Readiness: poll, ppoll, select, pselect6, with Linux's semantics (fs/select.c).
//
// A set is sorted once: negative fds are skipped, fds that are not open report POLLNVAL (select:
// EBADF), local files (memfd, synthesized /proc and /sys files) are always ready for reading and
// writing as regular files are on Linux (DEFAULT_POLLMASK), and every shipped fd goes to the
// proxy in ONE Session.poll (JVMOS_SHIP_POLL), which waits on a worker there. A set with a
// local fd ready, or a zero timeout, asks the proxy not to wait (answered inline there); a set of
// local fds only never ships. The wait is interruptible like a shipped read: a signal asks the
// proxy to end it, and the call ends with ERESTARTNOHAND (poll: ERESTART_RESTARTBLOCK), so a
// handler makes it EINTR whatever its SA_RESTART and no handler restarts it, as on Linux.
#include "base/string.h"
#include "kernel/files.h"
#include "kernel/memory.h"
#include "kernel/process.h"
#include "kernel/time.h"
#include "sched/scheduler.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"
#include "shipper/guest/ship.h"

namespace jvmos::shim {
namespace {

constexpr u16 POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
              POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100,
              POLLWRBAND = 0x200;
// What a file without a poll method reports on Linux (regular files, memfd, /proc files).
constexpr u16 DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
// select's sets in poll terms (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).
constexpr u16 SELECT_IN = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
constexpr u16 SELECT_OUT = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
constexpr u16 SELECT_EX = POLLPRI;

constexpr u64 UNBLOCKABLE = (1ull << (kernel::SIGKILL - 1)) | (1ull << (kernel::SIGSTOP - 1));
constexpr usize MAX_SHIPPED = JVMOS_SHIP_SLOT_DATA / sizeof(jvmos_ship_poll_entry);

// When a wait ends: a monotonic deadline, or one of these.
constexpr i64 NO_DEADLINE = -1; // infinite
constexpr i64 DONT_WAIT = 0;    // a zero timeout (monotonic time is never 0 once booted)

struct PollFd { // struct pollfd
    i32 fd;
    i16 events;
    i16 revents;
};
static_assert(sizeof(PollFd) == 8);


// Kernel memory for one call, returned on every path.
class Scratch {
  public:
    Scratch() = default;
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch() {
        if (m_p) kernel::heap().deallocate(m_p, m_size);
    }
    Result<u8*> get(usize size) {
        m_p = static_cast<u8*>(kernel::heap().allocate(size ? size : 1, 8));
        if (!m_p) return Errno::ENOMEM;
        m_size = size ? size : 1;
        memset(m_p, 0, m_size);
        return m_p;
    }

  private:
    u8* m_p = nullptr;
    usize m_size = 0;
};

bool signal_pending() {
    const kernel::Thread& t = kernel::current_thread();
    return (t.pending_signals & ~t.signal_mask) != 0;
}

// A deadline `ns` from now (ns >= 0).
i64 deadline_after(i64 ns) {
    if (ns == 0) return DONT_WAIT;
    const i64 now = kernel::monotonic_ns();
    return ns > INT64_MAX / 2 - now ? INT64_MAX / 2 : now + ns;
}

// Nanoseconds left until `deadline` (never negative; 0 for DONT_WAIT).
i64 time_left(i64 deadline) {
    if (deadline == DONT_WAIT) return 0;
    const i64 left = deadline - kernel::monotonic_ns();
    return left > 0 ? left : 0;
}

// Fills fds[i].revents for the whole set and returns how many are nonzero; waits until one is
// or the deadline passes. ERESTARTNOHAND when a signal is pending and nothing is ready.
// `files` has room for `n` pointers (scratch).
Result<u64> poll_wait(PollFd* fds, u32 n, i64 deadline, kernel::OpenFile** files) {
    u32 ready = 0, shipped = 0;
    for (u32 i = 0; i < n; i++) {
        PollFd& p = fds[i];
        p.revents = 0;
        files[i] = nullptr;
        if (p.fd < 0) continue;
        Result<kernel::OpenFile*> f = kernel::file_of(p.fd);
        if (f.is_error()) {
            p.revents = i16(POLLNVAL);
            ready++;
            continue;
        }
        kernel::OpenFile* of = f.value();
        if (of->handle == 0) { // memfd or /proc: always ready, as Linux's files without poll
            p.revents = i16(DEFAULT_POLLMASK & (u16(p.events) | POLLERR | POLLHUP));
            if (p.revents) ready++;
            continue;
        }
        // Held for the call: a close by another thread meanwhile must not release the handle.
        kernel::retain(of);
        files[i] = of;
        shipped++;
    }
    if (shipped == 0) {
        if (ready) return ready;
        if (signal_pending()) return Errno::ERESTARTNOHAND;
        if (deadline == DONT_WAIT) return 0;
        if (deadline == NO_DEADLINE) {
            while (!signal_pending()) sched::block_interruptible(0);
            return Errno::ERESTARTNOHAND;
        }
        if (!kernel::sleep_until_monotonic(deadline)) return Errno::ERESTARTNOHAND;
        return 0;
    }
    auto put_all = [&] {
        for (u32 i = 0; i < n; i++)
            if (files[i]) kernel::put(files[i]);
    };
    if (shipped > MAX_SHIPPED) {
        put_all();
        return Errno::EINVAL;
    }
    // One round trip for every shipped fd. A pending signal makes it a look, not a wait.
    i64 timeout = ready ? 0 : deadline == NO_DEADLINE ? -1 : time_left(deadline);
    if (timeout != 0 && signal_pending()) timeout = 0;
    shipper::Call c = shipper::begin(JVMOS_SHIP_POLL, 0);
    auto* entries = reinterpret_cast<jvmos_ship_poll_entry*>(c.data());
    u32 j = 0;
    for (u32 i = 0; i < n; i++) {
        if (!files[i]) continue;
        entries[j++] = {files[i]->handle, u16(u16(fds[i].events) | POLLERR | POLLHUP), 0};
    }
    c.slot().in_len = u32(shipped * sizeof(jvmos_ship_poll_entry));
    c.slot().args[0] = u64(timeout);
    Result<i64> r = shipper::call(c);
    if (r.is_error()) {
        put_all();
        // Interrupted with nothing ready: the signal decides (EINTR or a restart).
        return r.error() == Errno::ERESTARTSYS ? Errno::ERESTARTNOHAND : r.error();
    }
    // The slot's output stays readable until the next begin() (nothing here can block).
    j = 0;
    for (u32 i = 0; i < n; i++) {
        if (!files[i]) continue;
        fds[i].revents = i16(entries[j++].revents);
        if (fds[i].revents) ready++;
    }
    put_all();
    if (!ready && signal_pending()) return Errno::ERESTARTNOHAND;
    return ready;
}

// poll's and ppoll's body: copies the set in, waits, copies revents out.
Result<u64> do_poll(u64 ufds, u64 nfds, i64 deadline) {
    if (nfds > kernel::current_process().rlimits[7].cur) return Errno::EINVAL; // RLIMIT_NOFILE
    const u32 n = u32(nfds);
    Scratch scratch;
    u8* mem = TRY(scratch.get(usize(n) * (sizeof(PollFd) + sizeof(kernel::OpenFile*))));
    auto* files = reinterpret_cast<kernel::OpenFile**>(mem);
    auto* fds = reinterpret_cast<PollFd*>(mem + usize(n) * sizeof(kernel::OpenFile*));
    TRY(copy_from_user(fds, ufds, usize(n) * sizeof(PollFd)));
    const Result<u64> ready = poll_wait(fds, n, deadline, files);
    // Linux writes every revents back, an interrupted call's zeros included.
    if (ready.is_error() && ready.error() != Errno::ERESTARTNOHAND) return ready;
    for (u32 i = 0; i < n; i++)
        TRY(UserPtr<i16>(ufds + i * sizeof(PollFd) + offsetof(PollFd, revents))
                .write(fds[i].revents));
    return ready;
}

// Restart of an interrupted poll(2) (restart_syscall): the same set, the same deadline.
Result<u64> poll_restartable(u64 ufds, u64 nfds, i64 deadline) {
    Result<u64> r = do_poll(ufds, nfds, deadline);
    if (r.is_error() && r.error() == Errno::ERESTARTNOHAND) {
        auto& restart = kernel::current_thread().restart;
        restart.kind = RESTART_POLL;
        restart.deadline = deadline;
        restart.addr = ufds;
        restart.addr2 = nfds;
        return Errno::ERESTART_RESTARTBLOCK;
    }
    return r;
}

// ppoll's and pselect6's temporary signal mask (Linux's set_user_sigmask): `mask` replaces the
// thread's; the old one comes back when the call ends, or, if a signal ended it, once that
// signal's handler returns (signal/signal.cpp: has_saved_mask).
Result<bool> swap_sigmask(u64 mask_addr, u64 sigsetsize) {
    if (!mask_addr) return false;
    if (sigsetsize != 8) return Errno::EINVAL;
    const u64 mask = TRY(UserPtr<u64>(mask_addr).read());
    kernel::Thread& t = kernel::current_thread();
    t.saved_mask = t.signal_mask;
    t.has_saved_mask = true;
    t.signal_mask = mask & ~UNBLOCKABLE;
    return true;
}

// Linux's poll_select_finish: restores the mask unless a signal handler will, and writes the
// time left back (not for a zero timeout). A failed write-back leaves the result, but an
// interrupted call then becomes EINTR (it could not restart with the right time).
enum class TimeFormat { TIMESPEC, TIMEVAL };
Result<u64> finish(Result<u64> r, bool swapped, u64 time_addr, i64 deadline, TimeFormat format) {
    const bool interrupted = r.is_error() && r.error() == Errno::ERESTARTNOHAND;
    if (swapped && !interrupted) {
        kernel::Thread& t = kernel::current_thread();
        t.signal_mask = t.saved_mask;
        t.has_saved_mask = false;
    }
    if (!time_addr || deadline == NO_DEADLINE || deadline == DONT_WAIT) return r;
    const i64 left = time_left(deadline);
    Result<void> w =
        format == TimeFormat::TIMESPEC
            ? UserPtr<Timespec>(time_addr).write({left / NSEC_PER_SEC, left % NSEC_PER_SEC})
            : UserPtr<Timeval>(time_addr).write({left / NSEC_PER_SEC, left % NSEC_PER_SEC / 1000});
    if (w.is_error() && interrupted) return Errno::EINTR;
    return r;
}

// A timespec timeout (ppoll, pselect6): EFAULT, EINVAL for a negative or unnormalised one.
Result<i64> read_timespec_deadline(u64 addr) {
    if (!addr) return NO_DEADLINE;
    return deadline_after(TRY(read_timespec_ns(addr)));
}

// select's body (Linux's core_sys_select): fd_sets in, a poll, fd_sets out.
Result<u64> do_select(i64 nfds, u64 in_addr, u64 out_addr, u64 ex_addr, i64 deadline) {
    if (nfds < 0) return Errno::EINVAL;
    // Linux caps nfds at the fd table's size (no fd can be open above it).
    u64 n = u64(nfds);
    if (n > kernel::fd_table_size()) n = kernel::fd_table_size();
    const usize words = usize((n + 63) / 64);
    Scratch sets_mem;
    u64* sets = reinterpret_cast<u64*>(TRY(sets_mem.get(words * 8 * 6)));
    u64* in = sets;
    u64* out = sets + words;
    u64* ex = sets + 2 * words;
    u64* res = sets + 3 * words; // res_in, res_out, res_ex
    if (in_addr) TRY(copy_from_user(in, in_addr, words * 8));
    if (out_addr) TRY(copy_from_user(out, out_addr, words * 8));
    if (ex_addr) TRY(copy_from_user(ex, ex_addr, words * 8));
    // Only bits below n count.
    if (n % 64) {
        const u64 keep = (1ull << (n % 64)) - 1;
        in[words - 1] &= keep;
        out[words - 1] &= keep;
        ex[words - 1] &= keep;
    }
    u32 count = 0;
    for (usize w = 0; w < words; w++) count += u32(__builtin_popcountll(in[w] | out[w] | ex[w]));
    Scratch poll_mem;
    u8* mem = TRY(poll_mem.get(usize(count) * (sizeof(PollFd) + sizeof(kernel::OpenFile*))));
    auto* files = reinterpret_cast<kernel::OpenFile**>(mem);
    auto* fds = reinterpret_cast<PollFd*>(mem + usize(count) * sizeof(kernel::OpenFile*));
    u32 k = 0;
    for (usize w = 0; w < words; w++) {
        u64 any = in[w] | out[w] | ex[w];
        while (any) {
            const u32 bit = u32(__builtin_ctzll(any));
            any &= any - 1;
            const i32 fd = i32(w * 64 + bit);
            if (kernel::file_of(fd).is_error()) return Errno::EBADF;
            const u64 m = 1ull << bit;
            u16 events = 0;
            if (in[w] & m) events |= POLLIN | POLLRDNORM | POLLRDBAND;
            if (out[w] & m) events |= POLLOUT | POLLWRNORM | POLLWRBAND;
            if (ex[w] & m) events |= POLLPRI;
            fds[k++] = {fd, i16(events), 0};
        }
    }
    TRY(poll_wait(fds, count, deadline, files));
    u64 ready = 0;
    for (u32 i = 0; i < count; i++) {
        const u32 fd = u32(fds[i].fd), w = fd / 64;
        const u64 m = 1ull << (fd % 64);
        const u16 rev = u16(fds[i].revents);
        if ((in[w] & m) && (rev & SELECT_IN)) res[w] |= m, ready++;
        if ((out[w] & m) && (rev & SELECT_OUT)) res[words + w] |= m, ready++;
        if ((ex[w] & m) && (rev & SELECT_EX)) res[2 * words + w] |= m, ready++;
    }
    // Nothing ready after the wait (a descriptor whose only news was not asked for): as Linux,
    // 0 once the time is up.
    if (in_addr) TRY(copy_to_user(in_addr, res, words * 8));
    if (out_addr) TRY(copy_to_user(out_addr, res + words, words * 8));
    if (ex_addr) TRY(copy_to_user(ex_addr, res + 2 * words, words * 8));
    return ready;
}

} // namespace

Result<u64> sys_poll(SyscallArgs& args) {
    const i32 timeout_ms = i32(args.a[2]);
    const i64 deadline = timeout_ms < 0 ? NO_DEADLINE : deadline_after(i64(timeout_ms) * 1'000'000);
    return poll_restartable(args.a[0], u32(args.a[1]) /* unsigned int */, deadline);
}

Result<u64> resume_poll(sched::Thread& t) {
    return poll_restartable(t.restart.addr, t.restart.addr2, t.restart.deadline);
}

Result<u64> sys_ppoll(SyscallArgs& args) {
    const u64 ufds = args.a[0], nfds = u32(args.a[1]) /* unsigned int */, tsp = args.a[2];
    const i64 deadline = TRY(read_timespec_deadline(tsp));
    const bool swapped = TRY(swap_sigmask(args.a[3], args.a[4]));
    return finish(do_poll(ufds, nfds, deadline), swapped, tsp, deadline, TimeFormat::TIMESPEC);
}

Result<u64> sys_select(SyscallArgs& args) {
    const u64 tvp = args.a[4];
    i64 deadline = NO_DEADLINE;
    if (tvp) {
        const Timeval tv = TRY(UserPtr<Timeval>(tvp).read());
        // Linux normalises tv_usec >= 1 s into seconds; negative values are EINVAL.
        const i64 sec = tv.tv_sec + tv.tv_usec / 1'000'000;
        const i64 nsec = (tv.tv_usec % 1'000'000) * 1000;
        if (tv.tv_sec < 0 || sec < 0 || nsec < 0) return Errno::EINVAL;
        deadline = sec > (INT64_MAX / 2) / NSEC_PER_SEC ? deadline_after(INT64_MAX / 2)
                                                        : deadline_after(sec * NSEC_PER_SEC + nsec);
    }
    return finish(do_select(i64(i32(args.a[0])), args.a[1], args.a[2], args.a[3], deadline), false,
                  tvp, deadline, TimeFormat::TIMEVAL);
}

Result<u64> sys_pselect6(SyscallArgs& args) {
    const u64 tsp = args.a[4], sig = args.a[5];
    const i64 deadline = TRY(read_timespec_deadline(tsp));
    bool swapped = false;
    if (sig) {
        struct SigsetArg {
            u64 ss;
            u64 ss_len;
        };
        const SigsetArg s = TRY(UserPtr<SigsetArg>(sig).read());
        swapped = TRY(swap_sigmask(s.ss, s.ss_len));
    }
    return finish(do_select(i64(i32(args.a[0])), args.a[1], args.a[2], args.a[3], deadline),
                  swapped, tsp, deadline, TimeFormat::TIMESPEC);
}

} // namespace jvmos::shim
