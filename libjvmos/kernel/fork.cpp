#include "kernel/fork.h"

#include "arch/x86_64/arch.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/files.h"
#include "kernel/itimer.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "mm/frame_refs.h"
#include "sched/scheduler.h"
#include "signal/signal.h"

#include <new>

namespace jvmos::kernel {
namespace {

constexpr u64 SIG_IGN = 1;
constexpr u64 SA_NOCLDWAIT = 2;
constexpr i32 CLD_EXITED = 1, CLD_KILLED = 2;

Process* g_all; // every process, newest first
usize g_count;
i32 g_next_tid;
Process* g_unfreed; // reaped while a thread of it may still be on its way out
mm::FrameRefs g_frame_refs;

// The end of guest RAM: the frame counts cover every frame below it.
u64 ram_end() {
    const jvmos_boot_info& b = boot_info();
    u64 end = 0;
    for (u32 i = 0; i < b.mem_range_count && i < JVMOS_MAX_MEM_RANGES; i++)
        if (b.mem_ranges[i].gpa + b.mem_ranges[i].size > end)
            end = b.mem_ranges[i].gpa + b.mem_ranges[i].size;
    return end;
}

// Roots of exited processes, kept for the next fork (linked through their first word): a
// root is an 8 KiB-aligned pair of frames, and the frame allocator's search for such a pair
// is first-fit from the bottom of RAM (half a millisecond per fork when measured).
u64 g_free_roots;

void free_root(u64 root) {
    auto* words = static_cast<u64*>(frames().to_virt(root));
    words[0] = g_free_roots; // the user half is empty: the word is free to link
    g_free_roots = root;
}

// A page-table root for a new address space: the kernel half shared (the same PML4 entries as
// the boot root), the user half empty, and the paravirtual user root right after it.
Result<u64> new_root() {
    u64 root;
    if (g_free_roots) {
        root = g_free_roots;
        auto* words = static_cast<u64*>(frames().to_virt(root));
        g_free_roots = words[0];
        words[0] = 0;
    } else {
        root = TRY(frames().alloc_contiguous(2, 2));
    }
    const auto* boot = static_cast<const u64*>(frames().to_virt(boot_info().pml4_gpa));
    auto* fresh = static_cast<u64*>(frames().to_virt(root));
    for (usize i = 256; i < 512; i++) fresh[i] = boot[i];
    return root;
}

Result<mm::AddressSpace*> fork_address_space(mm::AddressSpace& from) {
    TRY(g_frame_refs.init(frames(), ram_end()));
    const u64 root = TRY(new_root());
    void* storage = heap().allocate(sizeof(mm::AddressSpace), alignof(mm::AddressSpace));
    if (!storage) {
        free_root(root);
        return Errno::ENOMEM;
    }
    auto* as = new (storage) mm::AddressSpace(frames(), heap(), root, from.page_table().options());
    if (from.fork_into(*as, g_frame_refs).is_error()) {
        as->release_all();
        as->~AddressSpace();
        heap().deallocate(storage, sizeof(mm::AddressSpace));
        free_root(root);
        return Errno::ENOMEM;
    }
    return as;
}

// Frees an address space whose page table no vCPU has loaded.
void destroy_address_space(mm::AddressSpace* as) {
    const u64 root = as->page_table().root_gpa();
    as->release_all();
    as->~AddressSpace();
    heap().deallocate(as, sizeof(mm::AddressSpace));
    free_root(root);
}

void free_unfreed() {
    while (Process* p = g_unfreed) {
        g_unfreed = p->all_next;
        heap().deallocate(p, sizeof(Process));
    }
}

void unlink_child(Process& parent, Process& child) {
    for (Process** c = &parent.first_child; *c; c = &(*c)->next_sibling) {
        if (*c != &child) continue;
        *c = child.next_sibling;
        break;
    }
    child.next_sibling = nullptr;
}

// A zombie goes away: its parent accounts its CPU time and the process is freed (later: the
// thread that made it a zombie may still be running its last steps).
void reap(Process& child) {
    Process& parent = *child.parent;
    unlink_child(parent, child);
    parent.children_ns += child.dead_threads_ns + child.children_ns;
    for (Process** p = &g_all; *p; p = &(*p)->all_next) {
        if (*p != &child) continue;
        *p = child.all_next;
        break;
    }
    g_count--;
    child.all_next = g_unfreed;
    g_unfreed = &child;
}

void wake_waiters(Process& p) {
    while (Thread* t = p.child_waiters.pop()) sched::wake(t);
}

// Whether the parent reaps its children by itself (SIGCHLD ignored, or SA_NOCLDWAIT).
bool reaps_automatically(const Process& parent) {
    const SigAction& act = parent.actions[signal::SIGCHLD];
    return act.handler == SIG_IGN || (act.flags & SA_NOCLDWAIT);
}

// The child became a zombie: its parent hears of it (SIGCHLD, waiters woken), or reaps it at
// once if it does not want zombies.
void notify_parent(Process& child) {
    Process& parent = *child.parent;
    const bool exited = (child.wait_status & 0x7f) == 0;
    signal::SigInfo info{};
    info.signo = signal::SIGCHLD;
    info.code = exited ? CLD_EXITED : CLD_KILLED;
    info.pid = child.pid;
    info.uid = child.uid;
    info.value = u32(exited ? (child.wait_status >> 8) & 0xff : child.wait_status & 0x7f);
    if (parent.state == ProcessState::Running) (void)signal::send_to_process(parent, info);
    if (reaps_automatically(parent)) reap(child);
    wake_waiters(parent);
}

// Orphans go to the first process, as Linux gives them to init (or a subreaper).
void reparent_children(Process& p) {
    Process& adopter = first_process();
    while (Process* c = p.first_child) {
        p.first_child = c->next_sibling;
        if (c->parent_death_signal && c->state == ProcessState::Running) {
            signal::SigInfo info{};
            info.signo = c->parent_death_signal;
            info.code = signal::SI_USER;
            info.pid = p.pid;
            info.uid = p.uid;
            (void)signal::send_to_process(*c, info);
        }
        c->parent = &adopter;
        c->ppid = adopter.pid;
        c->next_sibling = adopter.first_child;
        adopter.first_child = c;
        if (c->state == ProcessState::Zombie) {
            if (reaps_automatically(adopter)) reap(*c);
            wake_waiters(adopter);
        }
    }
}

// The last thread of an ending process: everything it holds is released and it becomes a
// zombie. Runs on that thread, which exits right after.
void finish_process(Process& p) {
    drop_real_timer(p);
    close_fd_table(p.files);
    p.files = nullptr;
    if (p.cwd) put(p.cwd);
    p.cwd = nullptr;
    // Off this process's page table before it is freed (the kernel half is the same in all).
    sched::load_boot_page_table();
    current_thread().page_table_root = 0;
    // While jvmos ends, the first process may be writing this address space's shared file
    // pages back (blocked in a shipped write): it stays, and goes with the VM.
    if (!jvmos_ending()) {
        destroy_address_space(p.address_space);
        p.address_space = nullptr;
    }
    reparent_children(p);
    p.state = ProcessState::Zombie;
    notify_parent(p);
}

// The calling thread leaves its process; the last one out finishes it.
[[noreturn]] void leave_process() {
    Thread& t = current_thread();
    Process& p = *t.process;
    p.dead_threads_ns += sched::thread_cpu_ns(&t);
    if (--p.threads == 0) finish_process(p);
    sched::exit_current();
}

bool selected(const Process& c, const WaitSelector& s) {
    switch (s.kind) {
    case WaitSelector::Kind::any:
        return true;
    case WaitSelector::Kind::pid:
        return c.pid == s.id;
    case WaitSelector::Kind::group:
        return c.pgid == s.id;
    }
    return false;
}

} // namespace

void register_first_process(Process* p) {
    p->all_next = g_all;
    g_all = p;
    g_count++;
    g_next_tid = p->pid + 1;
}

Process* find_process(i32 pid) {
    for (Process* p = g_all; p; p = p->all_next)
        if (p->pid == pid) return p;
    return nullptr;
}
Process* all_processes() {
    return g_all;
}
usize process_count() {
    return g_count;
}
i32 allocate_tid() {
    return g_next_tid++;
}

u64 process_cpu_ns(const Process& p) {
    u64 ns = p.dead_threads_ns;
    for (Thread* t = sched::first_thread(); t; t = sched::next_thread(t))
        if (t->process == &p) ns += sched::thread_cpu_ns(t);
    return ns;
}

usize live_threads() {
    return current_process().threads;
}

Result<i32> fork_process(const arch::TrapFrame& frame, const ForkRequest& request) {
    free_unfreed();
    Process& parent = current_process();
    Thread& caller = current_thread();
    auto* c = static_cast<Process*>(heap().allocate(sizeof(Process), alignof(Process)));
    if (!c) return Errno::EAGAIN;
    memset(c, 0, sizeof *c);
    memcpy(c->actions, parent.actions, sizeof c->actions);
    memcpy(c->rlimits, parent.rlimits, sizeof c->rlimits);
    memcpy(c->exe_path, parent.exe_path, sizeof c->exe_path);
    c->uid = parent.uid, c->euid = parent.euid, c->gid = parent.gid, c->egid = parent.egid;
    c->strace = parent.strace;
    c->umask = parent.umask;
    c->parent_death_signal = 0; // not inherited, as on Linux
    c->pgid = parent.pgid;
    c->sid = parent.sid;

    Result<mm::AddressSpace*> as = fork_address_space(*parent.address_space);
    if (as.is_error()) {
        heap().deallocate(c, sizeof *c);
        return as.error();
    }
    c->address_space = as.value();
    Result<FdTable*> files = fork_fd_table(*parent.files);
    const i32 pid = g_next_tid;
    arch::TrapFrame child_frame = frame;
    child_frame.rax = 0; // the child sees fork return 0
    if (request.stack) child_frame.rsp = request.stack;
    Result<Thread*> thread =
        files.is_ok() ? sched::create_thread(child_frame, pid) : Result<Thread*>(files.error());
    if (thread.is_error()) {
        if (files.is_ok()) close_fd_table(files.value());
        destroy_address_space(c->address_space);
        heap().deallocate(c, sizeof *c);
        return Errno::EAGAIN;
    }
    g_next_tid++;
    c->files = files.value();
    c->cwd = parent.cwd;
    if (c->cwd) retain(c->cwd);
    c->pid = pid;
    c->ppid = parent.pid;

    // Only the calling thread exists in the child: its registers, FPU state, mask and
    // alternate signal stack, none of its pending signals.
    Thread* t = thread.value();
    t->process = c;
    t->page_table_root = c->address_space->page_table().root_gpa();
    t->fs_base = request.set_tls ? request.tls : caller.fs_base;
    t->gs_base = caller.gs_base;
    t->signal_mask = caller.signal_mask;
    t->altstack_sp = caller.altstack_sp;
    t->altstack_size = caller.altstack_size;
    t->altstack_flags = caller.altstack_flags;
    memcpy(t->name, caller.name, sizeof t->name);
    arch::xsave(t->xsave_area);
    if (request.clear_child_tid) t->clear_child_tid = request.child_tid;
    if (request.set_child_tid)
        (void)c->address_space->copy_to_user(request.child_tid, &pid, sizeof pid);
    if (request.set_parent_tid)
        (void)parent.address_space->copy_to_user(request.parent_tid, &pid, sizeof pid);
    c->main_thread = t;
    c->threads = 1;
    c->state = ProcessState::Running;
    c->parent = &parent;
    c->next_sibling = parent.first_child;
    parent.first_child = c;
    c->all_next = g_all;
    g_all = c;
    g_count++;
    t->state = sched::ThreadState::Blocked; // make_runnable() queues it
    sched::make_runnable(t);
    return pid;
}

void end_child_process(i32 wait_status) {
    Process& p = current_process();
    if (p.state == ProcessState::Running) {
        p.state = ProcessState::Exiting;
        p.wait_status = wait_status;
        // The others die at their next return to user mode (SIGKILL cannot be blocked).
        for (Thread* t = sched::first_thread(); t; t = sched::next_thread(t))
            if (t->process == &p && t != &current_thread()) signal::kill_thread(*t);
    }
    leave_process();
}

void exit_thread() {
    leave_process();
}

Result<i32> wait_child(const WaitSelector& selector, WaitFlags flags, WaitResult& out) {
    free_unfreed();
    Process& p = current_process();
    bool interrupted = false;
    for (;;) {
        bool any = false;
        for (Process* c = p.first_child; c; c = c->next_sibling) {
            if (!selected(*c, selector)) continue;
            any = true;
            if (c->state != ProcessState::Zombie) continue;
            out = {c->pid, c->wait_status, c->uid, c->dead_threads_ns + c->children_ns};
            if (!has(flags, WaitFlags::no_reap)) reap(*c);
            return out.pid;
        }
        if (!any) return Errno::ECHILD;
        if (has(flags, WaitFlags::no_hang)) return 0;
        // A child's end both queues SIGCHLD and wakes this wait: the zombie is looked for
        // first, so that a SIGCHLD handler does not turn the wait into EINTR (as on Linux).
        if (interrupted) return Errno::ERESTARTSYS;
        Thread& t = current_thread();
        p.child_waiters.push(&t);
        interrupted = sched::block_interruptible(0) == sched::WakeReason::Interrupted;
        p.child_waiters.remove(&t);
    }
}

} // namespace jvmos::kernel
