#include "signal/signal.h"

#include "arch/x86_64/arch.h"
#include "base/assert.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/memory.h"
#include "kernel/process.h"
#include "sched/scheduler.h"

namespace jvmos::signal {
namespace {

constexpr u64 SIG_DFL = 0, SIG_IGN = 1;
constexpr u64 SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_ONSTACK = 0x08000000;
constexpr u64 SA_RESTORER = 0x04000000, SA_RESTART = 0x10000000;
constexpr u64 NR_RESTART_SYSCALL = 219;
constexpr u32 SS_ONSTACK = 1, SS_DISABLE = 2;
constexpr u64 UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
constexpr u32 FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
constexpr u64 RED_ZONE = 128;
// RFLAGS bits the program may set through rt_sigreturn (Linux's FIX_EFLAGS).
constexpr u64 FIX_EFLAGS = 0x50dd5;
constexpr u64 UNBLOCKABLE = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));

struct Sigcontext {
    u64 r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    u64 eflags;
    u16 cs, gs, fs, ss;
    u64 err, trapno, oldmask, cr2;
    u64 fpstate;
    u64 reserved1[8];
};
static_assert(sizeof(Sigcontext) == 256);

struct StackT {
    u64 ss_sp;
    i32 ss_flags;
    i32 pad;
    u64 ss_size;
};

struct Ucontext {
    u64 uc_flags;
    u64 uc_link;
    StackT uc_stack;
    Sigcontext uc_mcontext;
    u64 uc_sigmask;
};
static_assert(sizeof(Ucontext) == 304);

struct Siginfo {
    i32 si_signo;
    i32 si_errno;
    i32 si_code;
    i32 pad;
    union {
        u64 addr;
        struct {
            i32 pid;
            u32 uid;
            u64 value; // si_value (rt_sigqueueinfo)
        } kill;
        u8 bytes[112];
    } fields;
};
static_assert(sizeof(Siginfo) == 128);

struct RtSigframe {
    u64 pretcode;
    Ucontext uc;
    Siginfo info;
};
static_assert(sizeof(RtSigframe) == 440);

constexpr u64 bit(int sig) { return 1ull << (sig - 1); }

enum class Default : u8 { Terminate, Core, Ignore };

Default default_action(int sig) {
    switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case 24: case 25: case 31:
        return Default::Core;
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case 20: case 21: case 22: // stopping is not supported: ignored
        return Default::Ignore;
    default:
        return Default::Terminate;
    }
}

bool on_altstack(const kernel::Thread& t, u64 sp) {
    return t.altstack_size && sp > t.altstack_sp && sp <= t.altstack_sp + t.altstack_size;
}

// An area in the init state for a handler's fresh FPU/vector registers.
void* init_fpu_area() {
    static void* area;
    if (!area) {
        area = kernel::heap().allocate(arch::xsave_area_size(), 64);
        JVMOS_ASSERT(area);
        arch::xsave_init_area(area);
    }
    return area;
}

// siginfo_t as the program sees it.
Siginfo to_siginfo(const SigInfo& info) {
    const int sig = info.signo;
    Siginfo out{};
    out.si_signo = sig;
    out.si_code = info.code;
    if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP) {
        out.fields.addr = info.addr;
    } else {
        out.fields.kill.pid = info.pid;
        out.fields.kill.uid = info.uid;
        out.fields.kill.value = info.value;
    }
    return out;
}

// What a syscall on its way out asks for if a signal interrupted it (frame.rax holds its
// return value): Linux's ERESTART* codes.
enum class Restart : u8 { None, Sys, NoIntr, NoHand, Block };

Restart restart_request(const arch::TrapFrame& frame, i64 syscall_nr) {
    if (syscall_nr < 0) return Restart::None;
    switch (-i64(frame.rax)) {
    case i64(Errno::ERESTARTSYS): return Restart::Sys;
    case i64(Errno::ERESTARTNOINTR): return Restart::NoIntr;
    case i64(Errno::ERESTARTNOHAND): return Restart::NoHand;
    case i64(Errno::ERESTART_RESTARTBLOCK): return Restart::Block;
    default: return Restart::None;
    }
}

// Re-executes the `syscall` instruction (2 bytes) with RAX = `nr`; the other argument
// registers still hold the call's arguments.
void rewind_syscall(arch::TrapFrame& frame, u64 nr) {
    frame.rax = nr;
    frame.rip -= 2;
}

// A handler is about to run (Linux's handle_signal): the call fails with EINTR unless it is
// one that SA_RESTART (or nothing) restarts.
void restart_for_handler(arch::TrapFrame& frame, Restart r, const kernel::SigAction& act, i64 nr) {
    switch (r) {
    case Restart::None: return;
    case Restart::NoHand:
    case Restart::Block: frame.rax = u64(-i64(Errno::EINTR)); return;
    case Restart::Sys:
        if (!(act.flags & SA_RESTART)) {
            frame.rax = u64(-i64(Errno::EINTR));
            return;
        }
        [[fallthrough]];
    case Restart::NoIntr: rewind_syscall(frame, u64(nr)); return;
    }
}

// No handler ran (the signal was ignored, or none is pending): every interrupted call
// restarts; ERESTART_RESTARTBLOCK ones through restart_syscall(2).
void restart_without_handler(arch::TrapFrame& frame, Restart r, i64 nr) {
    if (r == Restart::None) return;
    rewind_syscall(frame, r == Restart::Block ? NR_RESTART_SYSCALL : u64(nr));
}

bool ignored(const kernel::Process& p, int sig) {
    const kernel::SigAction& act = p.actions[sig];
    if (sig == SIGKILL) return false;
    return act.handler == SIG_IGN ||
           (act.handler == SIG_DFL && default_action(sig) == Default::Ignore);
}

[[noreturn]] void die_of(int sig, const arch::TrapFrame* frame, u64 addr) {
    kernel::kill_process(sig, frame, addr);
}

// Builds the rt_sigframe for `sig` and points `frame` at the handler. False if the stack is
// not writable (the caller then kills the program with SIGSEGV, as Linux does).
bool setup_frame(arch::TrapFrame& frame, int sig, const SigInfo& info,
                 const kernel::SigAction& act) {
    kernel::Thread& t = kernel::current_thread();
    mm::AddressSpace& as = kernel::current_address_space();
    if (!(act.flags & SA_RESTORER)) return false;

    u64 sp = frame.rsp;
    const bool use_alt = (act.flags & SA_ONSTACK) && t.altstack_size &&
                         !(t.altstack_flags & SS_DISABLE) && !on_altstack(t, sp);
    if (use_alt) sp = t.altstack_sp + t.altstack_size;
    else sp -= RED_ZONE;
    const usize xsize = arch::xsave_area_size();
    const u64 fp = align_down(sp - (xsize + 4), 64);
    const u64 frame_addr = align_down(fp - sizeof(RtSigframe), 16) - 8;

    // The FPU/vector state, with the software bytes Linux puts in the legacy area's reserved
    // tail and the trailing magic.
    auto* xs = static_cast<u8*>(t.xsave_area);
    arch::xsave(xs);
    struct {
        u32 magic1;
        u32 extended_size;
        u64 xfeatures;
        u32 xstate_size;
        u32 padding[7];
    } sw = {FP_XSTATE_MAGIC1, u32(xsize + 4), arch::xsave_mask(), u32(xsize), {}};
    static_assert(sizeof sw == 48);
    memcpy(xs + 464, &sw, sizeof sw);
    const u32 magic2 = FP_XSTATE_MAGIC2;
    if (as.copy_to_user(fp, xs, xsize).is_error()) return false;
    if (as.copy_to_user(fp + xsize, &magic2, 4).is_error()) return false;

    RtSigframe f{};
    f.pretcode = act.restorer;
    f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f.uc.uc_stack = {t.altstack_sp,
                     i32(t.altstack_size == 0 ? SS_DISABLE
                                              : (on_altstack(t, frame.rsp) ? SS_ONSTACK : 0)),
                     0, t.altstack_size};
    Sigcontext& sc = f.uc.uc_mcontext;
    sc.r8 = frame.r8, sc.r9 = frame.r9, sc.r10 = frame.r10, sc.r11 = frame.r11;
    sc.r12 = frame.r12, sc.r13 = frame.r13, sc.r14 = frame.r14, sc.r15 = frame.r15;
    sc.rdi = frame.rdi, sc.rsi = frame.rsi, sc.rbp = frame.rbp, sc.rbx = frame.rbx;
    sc.rdx = frame.rdx, sc.rax = frame.rax, sc.rcx = frame.rcx, sc.rsp = frame.rsp;
    sc.rip = frame.rip;
    sc.eflags = frame.rflags;
    sc.cs = u16(frame.cs);
    sc.ss = u16(frame.ss);
    const bool exception = frame.vector < 32;
    sc.err = exception ? frame.error : 0;
    sc.trapno = exception ? frame.vector : 0;
    // After rt_sigsuspend the handler's return restores the mask from before the call.
    const u64 return_mask = t.has_saved_mask ? t.saved_mask : t.signal_mask;
    t.has_saved_mask = false;
    sc.oldmask = return_mask;
    sc.cr2 = (exception && frame.vector == 14) ? info.addr : 0;
    sc.fpstate = fp;
    f.uc.uc_sigmask = return_mask;
    f.info = to_siginfo(info);
    if (as.copy_to_user(frame_addr, &f, sizeof f).is_error()) return false;

    // Enter the handler like a call: handler(sig, &info, &uc), fresh FPU state.
    frame.rdi = u64(sig);
    frame.rsi = frame_addr + offsetof(RtSigframe, info);
    frame.rdx = frame_addr + offsetof(RtSigframe, uc);
    frame.rax = 0;
    frame.rsp = frame_addr;
    frame.rip = act.handler;
    frame.rflags &= ~u64(0x400 | 0x100 | 0x10000); // DF, TF, RF
    frame.cs = JVMOS_SEL_USER_CS;
    frame.ss = JVMOS_SEL_USER_DS;
    arch::xrstor(init_fpu_area());

    t.signal_mask |= act.mask | (act.flags & SA_NODEFER ? 0 : bit(sig));
    t.signal_mask &= ~UNBLOCKABLE;
    if (act.flags & SA_RESETHAND) kernel::current_process().actions[sig] = {};
    return true;
}

// Delivers `sig` now: handler, ignore, or the default action. True if a handler frame was
// set up (after applying `restart` for the interrupted syscall `nr`).
bool deliver(arch::TrapFrame& frame, int sig, const SigInfo& info, Restart restart, i64 nr) {
    kernel::SigAction& act = kernel::current_process().actions[sig];
    if (sig != SIGKILL && act.handler == SIG_IGN) return false;
    if (sig == SIGKILL || act.handler == SIG_DFL) {
        if (default_action(sig) == Default::Ignore) return false;
        die_of(sig, frame.vector < 32 ? &frame : nullptr, info.addr);
    }
    // The frame the handler's return restores holds the restart decision.
    restart_for_handler(frame, restart, act, nr);
    if (!setup_frame(frame, sig, info, act)) die_of(SIGSEGV, &frame, frame.rsp);
    return true;
}

constexpr int SIGRTMIN_KERNEL = 32; // the first real-time signal (glibc keeps 32 and 33)
u64 g_rt_queued;                     // real-time instances pending in the guest

Result<void> queue(kernel::Thread* t, const SigInfo& info) {
    const int sig = info.signo;
    // Linux drops a signal that is ignored and not blocked (nor waited for) at once: it never
    // interrupts a blocking call.
    const kernel::Process& p = t->process ? *t->process : kernel::first_process();
    if (!((t->signal_mask | t->sigwait_set) & bit(sig)) && ignored(p, sig)) return {};
    if (sig >= SIGRTMIN_KERNEL) {
        if (g_rt_queued >= MAX_QUEUED_SIGNALS) return Errno::EAGAIN;
        auto* q = static_cast<sched::QueuedSignal*>(
            kernel::heap().allocate(sizeof(sched::QueuedSignal), alignof(sched::QueuedSignal)));
        if (!q) return Errno::EAGAIN;
        *q = {nullptr, sig, info.code, info.pid, info.value};
        sched::QueuedSignal** tail = &t->rt_queue;
        while (*tail) tail = &(*tail)->next;
        *tail = q;
        g_rt_queued++;
    } else if (t->pending_signals & bit(sig)) {
        return {}; // already pending: Linux drops the second one (the first's siginfo stays)
    } else {
        t->pending_code[sig - 1] = info.code;
        t->pending_pid[sig - 1] = info.pid;
        t->pending_value[sig - 1] = info.value;
    }
    t->pending_signals |= bit(sig);
    if (!(t->signal_mask & bit(sig)) || sig == SIGKILL) {
        sched::interrupt(t);
        sched::kick(t); // running on another vCPU: it delivers the signal on its way back
    }
    return {};
}

// Takes one pending instance of `sig` (whose bit is set) from `t`: the oldest queued one for a
// real-time signal, whose bit stays set while more are queued.
SigInfo take(kernel::Thread& t, int sig) {
    SigInfo info{sig, t.pending_code[sig - 1], 0, t.pending_pid[sig - 1],
                 kernel::current_process().uid, t.pending_value[sig - 1]};
    bool more = false;
    if (sig >= SIGRTMIN_KERNEL) {
        sched::QueuedSignal** p = &t.rt_queue;
        while (*p && (*p)->signo != sig) p = &(*p)->next;
        if (sched::QueuedSignal* q = *p) {
            info.code = q->code;
            info.pid = q->pid;
            info.value = q->value;
            *p = q->next;
            kernel::heap().deallocate(q, sizeof *q);
            g_rt_queued--;
            for (sched::QueuedSignal* r = *p; r && !more; r = r->next) more = r->signo == sig;
        }
    }
    if (!more) t.pending_signals &= ~bit(sig);
    return info;
}

// Drops every pending instance of `sig` from `t`.
void discard(kernel::Thread& t, int sig) {
    t.pending_signals &= ~bit(sig);
    for (sched::QueuedSignal** p = &t.rt_queue; *p;) {
        sched::QueuedSignal* q = *p;
        if (q->signo != sig) {
            p = &q->next;
            continue;
        }
        *p = q->next;
        kernel::heap().deallocate(q, sizeof *q);
        g_rt_queued--;
    }
}

} // namespace

u64 queued_count(const sched::Thread& t) {
    u64 n = u64(__builtin_popcountll(t.pending_signals & (bit(SIGRTMIN_KERNEL) - 1)));
    for (const sched::QueuedSignal* q = t.rt_queue; q; q = q->next) n++;
    return n;
}

void force_fault_signal(arch::TrapFrame& frame, const SigInfo& info) {
    const int sig = info.signo;
    kernel::Thread& t = kernel::current_thread();
    kernel::SigAction& act = kernel::current_process().actions[sig];
    // Linux's force_sig_fault: a blocked or ignored fault signal cannot be delivered to a
    // handler, so the program dies of it.
    if ((t.signal_mask & bit(sig)) || act.handler == SIG_IGN || act.handler == SIG_DFL)
        die_of(sig, &frame, info.addr);
    if (!setup_frame(frame, sig, info, act)) die_of(SIGSEGV, &frame, frame.rsp);
}

Result<void> send_to_thread(i32 tid, const SigInfo& info) {
    kernel::Thread* t = sched::find_thread(tid);
    if (!t) return Errno::ESRCH;
    if (info.signo == 0) return {};
    return queue(t, info);
}

Result<void> send_to_process(kernel::Process& p, const SigInfo& info) {
    if (info.signo == 0 || p.state == kernel::ProcessState::Zombie) return {};
    // To a thread that does not block it (the current one first), else any of its threads. From
    // an interrupt on an idle vCPU the current thread is that vCPU's idle thread: never a target.
    kernel::Thread* target = nullptr;
    kernel::Thread* any = nullptr;
    kernel::Thread& self = kernel::current_thread();
    if (!self.idle && self.process == &p && !(self.signal_mask & bit(info.signo))) target = &self;
    for (kernel::Thread* t = sched::first_thread(); t && !target; t = sched::next_thread(t)) {
        if (t->process != &p) continue;
        if (!any) any = t;
        if (!(t->signal_mask & bit(info.signo))) target = t;
    }
    if (!target) target = any;
    if (target) return queue(target, info);
    return {};
}

Result<void> send_to_process(const SigInfo& info) {
    return send_to_process(kernel::current_process(), info);
}

void kill_thread(kernel::Thread& t) {
    t.pending_signals |= bit(SIGKILL);
    t.pending_code[SIGKILL - 1] = SI_KERNEL;
    sched::interrupt(&t);
    sched::kick(&t);
}

bool deliver_pending(arch::TrapFrame& frame, i64 syscall_nr) {
    kernel::Thread& t = kernel::current_thread();
    const Restart restart = restart_request(frame, syscall_nr);
    const u64 rip = frame.rip, rsp = frame.rsp;
    bool handled = false;
    // Ignored signals are discarded and the next one is looked at, as Linux's get_signal does.
    // As Linux, every signal deliverable now gets its frame before the return to user mode:
    // the next one's frame goes on top of the previous handler's (which its mask now blocks
    // more of), so the last one set up runs first. The interrupted call's restart is decided
    // by the first handler only.
    for (;;) {
        const u64 ready = t.pending_signals & (~t.signal_mask | UNBLOCKABLE);
        if (!ready) break;
        const int sig = __builtin_ctzll(ready) + 1;
        const SigInfo info = take(t, sig);
        if (deliver(frame, sig, info, handled ? Restart::None : restart,
                    handled ? -1 : syscall_nr))
            handled = true;
    }
    if (!handled) restart_without_handler(frame, restart, syscall_nr);
    if (t.has_saved_mask) { // a sigsuspend ended without a handler taking the saved mask
        t.signal_mask = t.saved_mask;
        t.has_saved_mask = false;
    }
    return frame.rip != rip || frame.rsp != rsp;
}

static int take_waited(u64 set, SigInfo& out) {
    kernel::Thread& t = kernel::current_thread();
    const u64 ready = t.pending_signals & set & ~UNBLOCKABLE;
    if (!ready) return 0;
    const int sig = __builtin_ctzll(ready) + 1;
    out = take(t, sig);
    return sig;
}

Result<int> wait_for(u64 set, i64 deadline_ns, SigInfo& out) {
    kernel::Thread& t = kernel::current_thread();
    set &= ~UNBLOCKABLE;
    if (const int sig = take_waited(set, out)) return sig;
    if (deadline_ns < 0) return Errno::EAGAIN;
    // As Linux: the waited-for signals are unblocked for the wait (so that sending one wakes
    // this thread), and the old mask is back before the call returns.
    const u64 old_mask = t.signal_mask;
    t.sigwait_set = set;
    t.signal_mask &= ~set;
    sched::WakeReason why = sched::WakeReason::Woken;
    while (!(t.pending_signals & ~t.signal_mask) && why != sched::WakeReason::TimedOut)
        why = sched::block_interruptible(deadline_ns);
    t.signal_mask = old_mask;
    t.sigwait_set = 0;
    if (const int sig = take_waited(set, out)) return sig;
    return why == sched::WakeReason::TimedOut ? Errno::EAGAIN : Errno::EINTR;
}

Result<void> copy_siginfo_to_user(u64 addr, const SigInfo& info) {
    const Siginfo si = to_siginfo(info);
    return kernel::current_address_space().copy_to_user(addr, &si, sizeof si);
}

void discard_if_ignored(int sig) {
    kernel::Process& p = kernel::current_process();
    if (!ignored(p, sig)) return;
    for (kernel::Thread* t = sched::first_thread(); t; t = sched::next_thread(t))
        if (t->process == &p) discard(*t, sig);
}

void take_host_signals() {
    auto& boot = const_cast<jvmos_boot_info&>(kernel::boot_info());
    u64 bits = __atomic_exchange_n(&boot.host_signals, 0, __ATOMIC_ACQ_REL);
    while (bits) {
        const int sig = __builtin_ctzll(bits) + 1;
        bits &= bits - 1;
        SigInfo info{};
        info.signo = sig;
        info.code = SI_USER; // sent from outside the guest: the sender's pid is unknown (0)
        // jvmos's pid is the first process's: the host's kill reaches it.
        (void)send_to_process(kernel::first_process(), info);
    }
}

Result<void> sigreturn(arch::TrapFrame& frame) {
    kernel::Thread& t = kernel::current_thread();
    mm::AddressSpace& as = kernel::current_address_space();
    const u64 frame_addr = frame.rsp - 8; // the handler's `ret` popped pretcode
    RtSigframe f;
    if (as.copy_from_user(&f, frame_addr, sizeof f).is_error()) die_of(SIGSEGV, &frame, frame.rsp);
    const Sigcontext& sc = f.uc.uc_mcontext;
    // Extended state first: a malformed one kills the program, as on Linux.
    const usize xsize = arch::xsave_area_size();
    auto* xs = static_cast<u8*>(t.xsave_area);
    if (sc.fpstate) {
        if (as.copy_from_user(xs, sc.fpstate, xsize).is_error()) die_of(SIGSEGV, &frame, sc.fpstate);
        u64 xstate_bv, xcomp_bv;
        memcpy(&xstate_bv, xs + 512, 8);
        memcpy(&xcomp_bv, xs + 520, 8);
        u32 mxcsr;
        memcpy(&mxcsr, xs + 24, 4);
        // XRSTOR faults on reserved header bits, compacted format or reserved MXCSR bits.
        if ((xstate_bv & ~arch::xsave_mask()) || xcomp_bv || (mxcsr & 0xffff0000))
            die_of(SIGSEGV, &frame, sc.fpstate);
        for (usize i = 528; i < 576; i++) xs[i] = 0;
        arch::xrstor(xs);
    } else {
        arch::xrstor(init_fpu_area());
    }
    frame.r8 = sc.r8, frame.r9 = sc.r9, frame.r10 = sc.r10, frame.r11 = sc.r11;
    frame.r12 = sc.r12, frame.r13 = sc.r13, frame.r14 = sc.r14, frame.r15 = sc.r15;
    frame.rdi = sc.rdi, frame.rsi = sc.rsi, frame.rbp = sc.rbp, frame.rbx = sc.rbx;
    frame.rdx = sc.rdx, frame.rax = sc.rax, frame.rcx = sc.rcx, frame.rsp = sc.rsp;
    frame.rip = sc.rip;
    frame.rflags = (frame.rflags & ~FIX_EFLAGS) | (sc.eflags & FIX_EFLAGS) | 0x200;
    frame.cs = JVMOS_SEL_USER_CS;
    frame.ss = JVMOS_SEL_USER_DS;
    t.signal_mask = f.uc.uc_sigmask & ~UNBLOCKABLE;
    t.restart.kind = 0; // a call interrupted before the handler is not resumed any more (EINTR)
    // The altstack settings travel in uc_stack (restore_altstack()).
    const StackT& st = f.uc.uc_stack;
    if (!(st.ss_flags & SS_DISABLE) && st.ss_size && !on_altstack(t, frame.rsp)) {
        t.altstack_sp = st.ss_sp;
        t.altstack_size = st.ss_size;
        t.altstack_flags = 0;
    }
    return {};
}

} // namespace jvmos::signal
