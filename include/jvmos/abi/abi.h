/*
 * jvmos guest <-> host ABI.
 *
 * The one contract between the `jvmos` monitor (host, boot/) and the libjvmos guest kernel.
 * Plain C-compatible structs and constants, no code. Both sides include this header; nothing
 * else is shared except the Cap'n Proto schema (shipper/proto).
 *
 * Field tags:
 *   IN   written by the monitor before the guest runs; the guest only reads it.
 *   OUT  written by the guest; the monitor reads it and must treat it as hostile input
 *        (every guest-physical address is bounds-checked before use).
 *
 * Bump JVMOS_ABI_VERSION on any incompatible change. The guest refuses to boot with a
 * different version (it panics with a clear message).
 */
#ifndef JVMOS_ABI_ABI_H
#define JVMOS_ABI_ABI_H

#ifdef __ASSEMBLER__
#define JVMOS_U64(x) x
#else
#include <stdint.h>
#define JVMOS_U64(x) x##ull
#endif

#define JVMOS_ABI_VERSION 6 /* 6: JVMOS_SHIP_POLL (a monitor without it kills the guest at its first poll) */
#define JVMOS_BOOT_MAGIC 0x534f4d56 /* "VMOS" little-endian */

/*
 * ---- Guest virtual layout ------------------------------------------------------------------
 * All guest RAM is mapped at JVMOS_PHYSMAP_BASE + GPA ("physmap") in the upper half. The kernel
 * image is linked inside the physmap (at JVMOS_PHYSMAP_BASE + JVMOS_KERNEL_LOAD_GPA), so a kernel
 * virtual address minus JVMOS_PHYSMAP_BASE is its guest-physical address.
 *
 * PML4 slot 384 (0xffffc000_00000000) is used because, on kvm_pvm hosts, slot 256 causes a #PF
 * loop and slot 511 holds the host's trampoline (see shared/PVM.md, section 1.2).
 */
#define JVMOS_PHYSMAP_BASE JVMOS_U64(0xffffc00000000000)
#define JVMOS_PHYSMAP_PML4_SLOT 384
#define JVMOS_KERNEL_LOAD_GPA JVMOS_U64(0x100000) /* 1 MiB: the kernel's first PT_LOAD lands here */

/* Program addresses are below this (the Linux x86-64 user limit: 47 bits minus one page). */
#define JVMOS_USER_TOP JVMOS_U64(0x00007ffffffff000)

/*
 * ---- Boot ---------------------------------------------------------------------------------
 * The monitor puts vCPU 0 in 64-bit long mode with paging on (CR3 = boot_info.pml4_gpa), CS =
 * 0x10, DS/SS = 0x18, a per-vCPU GDT and TSS it built (selectors below), RFLAGS = 0x2 (interrupts
 * off), RIP = kernel ELF entry, RSP = boot_info.boot_stack_top (a physmap address) and
 * RDI = the physmap address of the boot info.
 *
 * The boot page tables map all guest RAM at the physmap with 2 MiB pages; nothing below is
 * mapped. The PML4 page at pml4_gpa is 8 KiB aligned, and the page right after it
 * (pml4_gpa + 0x1000) is zeroed and reserved for the paravirtual backend's user-half-only root.
 * Leaf and table entries carry the U bit iff the host is kvm_pvm (flag JVMOS_BOOT_HOST_PVM): its
 * shadow MMU needs U=1 everywhere, whichever backend runs; on hardware virtualisation kernel
 * pages are supervisor-only.
 */
#define JVMOS_SEL_KERNEL_CS 0x10
#define JVMOS_SEL_KERNEL_DS 0x18
#define JVMOS_SEL_USER32_CS 0x23
#define JVMOS_SEL_USER_DS 0x2b
#define JVMOS_SEL_USER_CS 0x33
#define JVMOS_SEL_TSS 0x40 /* 16-byte system descriptor at GDT entries 8 and 9 */
#define JVMOS_GDT_ENTRIES 10

/* Which arch/x86_64 backend the guest must use. Chosen by the monitor's detection (it can probe
 * the host safely, the guest cannot: an unknown MSR is a #GP before the guest has an IDT) and
 * confirmed by the guest. */
#define JVMOS_BACKEND_HW 1 /* hardware virtualisation: ring 0, IDT, sysret, invlpg, hlt */
#define JVMOS_BACKEND_PV 2 /* kvm_pvm paravirtual native mode: VIF page, int gates */

/* boot_info.flags */
#define JVMOS_BOOT_STRACE (1u << 0)      /* print every syscall in strace format */
#define JVMOS_BOOT_KERNEL_BENCH (1u << 1) /* run the in-kernel benchmarks, print, exit 0 */
#define JVMOS_BOOT_HOST_PVM (1u << 2)     /* the host is kvm_pvm (U=1 on every page) */
#define JVMOS_BOOT_LIST_SYSCALLS (1u << 3) /* print the syscall compatibility table, exit 0 */
#define JVMOS_BOOT_STATS (1u << 4)         /* keep run-time counters (struct jvmos_stats) */

#define JVMOS_MAX_CPUS 64
#define JVMOS_MAX_MEM_RANGES 4
#define JVMOS_UTS_LEN 65

#ifndef __ASSEMBLER__
/* One range of guest RAM: [gpa, gpa + size). Ranges are sorted and disjoint; the gap between
 * them is the 32-bit MMIO hole (IOAPIC, LAPIC) that must not be backed by RAM. */
struct jvmos_mem_range {
    uint64_t gpa;
    uint64_t size;
};

/* Resource limit as prlimit64 reports it. */
struct jvmos_rlimit {
    uint64_t cur;
    uint64_t max;
};

struct jvmos_boot_info {
    uint32_t magic;       /* IN  JVMOS_BOOT_MAGIC */
    uint32_t abi_version; /* IN  JVMOS_ABI_VERSION */
    uint32_t backend;     /* IN  JVMOS_BACKEND_* */
    uint32_t flags;       /* IN  JVMOS_BOOT_* */
    uint32_t cpus;        /* IN  number of vCPUs created (>= 1) */
    uint32_t mem_range_count; /* IN entries used in mem_ranges */
    struct jvmos_mem_range mem_ranges[JVMOS_MAX_MEM_RANGES]; /* IN guest RAM */

    uint64_t pml4_gpa;        /* IN  boot page-table root (8 KiB aligned, see above) */
    uint64_t reserved_end;    /* IN  every GPA below this is in use (kernel, tables, images) */
    uint64_t boot_stack_top;  /* IN  physmap address vCPU 0 starts on */
    uint64_t gdt_gpa[JVMOS_MAX_CPUS]; /* IN per-vCPU GDT (JVMOS_GDT_ENTRIES entries) */
    uint64_t tss_gpa[JVMOS_MAX_CPUS]; /* IN per-vCPU 64-bit TSS (104 bytes, 128-byte aligned) */

    /* Time. The monitor sets every vCPU's TSC to the host TSC, then samples the three clocks
     * together, so guest time = boot clock + (rdtsc - boot_tsc) / tsc_khz. */
    uint64_t tsc_khz;           /* IN  TSC frequency */
    uint64_t boot_tsc;          /* IN  TSC at the moment below */
    int64_t boot_realtime_ns;   /* IN  host CLOCK_REALTIME then */
    int64_t boot_monotonic_ns;  /* IN  host CLOCK_MONOTONIC then */

    /* The program is read by the guest through the shipper (the path is AT_EXECFN below). */
    /* argv then envp as NUL-terminated strings back to back, then the program path as given
     * to execve (AT_EXECFN). */
    uint64_t strings_gpa;  /* IN */
    uint64_t strings_size; /* IN  total bytes */
    uint32_t argc;         /* IN */
    uint32_t envc;         /* IN */

    /* Identity the program sees (the caller's). */
    int32_t pid, ppid;     /* IN */
    int32_t pgid, sid;     /* IN  the caller's process group and session */
    uint32_t uid, euid, gid, egid; /* IN */
    struct jvmos_rlimit rlimit_stack;  /* IN  the caller's RLIMIT_STACK */
    struct jvmos_rlimit rlimit_nofile; /* IN  RLIMIT_NOFILE */

    /* uname(2) fields; the guest reports itself as the host's Linux. */
    char uts_sysname[JVMOS_UTS_LEN];
    char uts_nodename[JVMOS_UTS_LEN];
    char uts_release[JVMOS_UTS_LEN];
    char uts_version[JVMOS_UTS_LEN];
    char uts_machine[JVMOS_UTS_LEN];
    char uts_domainname[JVMOS_UTS_LEN];

    /* Signals the caller left ignored (bit N-1 = signal N, e.g. SIGINT for a background job
     * or under nohup): the program starts with them ignored too, as after execve. IN. */
    uint64_t ignored_signals;

    /* Run time. Signals the jvmos process received (SIGINT, SIGTERM, SIGQUIT, SIGHUP; bit N-1 =
     * signal N), for the guest to deliver to the program. The monitor ORs bits in and raises
     * the ship completion interrupt (JVMOS_SHIP_VECTOR); the guest takes them with an atomic
     * exchange. OUT by the monitor while the guest runs. */
    volatile uint64_t host_signals;

    /* --stats (JVMOS_BOOT_STATS): where the guest kernel keeps its run-time counters, a struct
     * jvmos_stats (below) of stats_size bytes; both 0 until the kernel has set it up (or without
     * the flag). The monitor reads it when the program has ended, however it ended. OUT. */
    uint64_t stats_gpa;
    uint64_t stats_size;
};

#endif /* __ASSEMBLER__ */

/*
 * ---- Hypercall ports ----------------------------------------------------------------------
 * The guest talks to the monitor's userspace with a 32-bit `out` to a port; each costs a full
 * exit (~25 us on kvm_pvm), so these are for rare events only. The value written is the GPA of a
 * struct jvmos_host_request (below 4 GiB, 64-byte aligned) or, for JVMOS_PORT_EXIT, the status.
 */
#define JVMOS_PORT_REQUEST 0x7a0 /* OUT: value = GPA of a jvmos_host_request */
#define JVMOS_PORT_EXIT 0x7a4    /* OUT: value = the program's exit status (0..255) */

#ifndef __ASSEMBLER__
enum jvmos_host_op {
    /* 1, 2: the temporary stdio path of ABI version 1, removed (the shipper serves fds 0-2). */
    /* Diagnostic text for the monitor's stderr (strace lines, kernel log). args[1] = GPA,
     * args[2] = length. result = 0. */
    JVMOS_HOST_LOG = 3,
    /* The guest kernel panicked. args[1] = GPA of a text report, args[2] = its length. The
     * monitor prints it and exits with JVMOS_EXIT_PANIC. Does not return. */
    JVMOS_HOST_PANIC = 4,
    /* The program died of signal args[0]; args[1]/args[2] = GPA/length of a one-line report
     * for stderr. The monitor exits with 128 + signal. Does not return. */
    JVMOS_HOST_KILLED = 5,
    /* Sets up shipping: args[0] = GPA of a struct jvmos_ship_ring (page aligned) whose slots'
     * data_gpa fields are filled in. The monitor connects the relay, fills in `cwd`, creates
     * handles 1..5 and returns 0, or -errno (the guest kernel then panics with the reason). */
    JVMOS_HOST_SHIP_SETUP = 6,
};

struct jvmos_host_request {
    uint32_t op;      /* OUT jvmos_host_op */
    uint32_t pad;     /* OUT zero */
    uint64_t args[6]; /* OUT per op */
    int64_t result;   /* IN  written by the monitor before the guest resumes */
};

#endif /* __ASSEMBLER__ */

/*
 * ---- The ship ring ------------------------------------------------------------------------
 * Shipped calls (files, pipes, the terminal) go from guest threads to the monitor's relay
 * thread through a ring of slots in guest memory, and from there as Cap'n Proto calls to
 * jvmos-proxy (shipper/proto/jvmos.capnp). No exit to the monitor's userspace per call:
 *
 *   guest: fill a FREE slot, store state = SUBMITTED (release), and ring the doorbell (a 32-bit
 *          `out` to JVMOS_PORT_DOORBELL, an ioeventfd: the vCPU does not wait for userspace)
 *          unless the relay advertises `relay_polling`. Then wait for state == DONE: spin a
 *          little, then set `guest_waiting` and halt until the completion interrupt.
 *   relay: take SUBMITTED slots (state = TAKEN), make the RPC, write the results, store
 *          state = DONE (release), and raise the completion interrupt (MSI vector
 *          JVMOS_SHIP_VECTOR through an irqfd) if `guest_waiting` is set.
 *   guest: read the results, state = FREE.
 *
 * Open files are capabilities held by the relay; the guest names them by a handle id (u32).
 * Ids 1..5 exist from setup (below); new ids come back in `new_handle`; JVMOS_SHIP_RELEASE
 * drops one. The relay validates every slot: a bad GPA, length, op or handle id is the guest's
 * bug and kills the guest with a report (never the monitor).
 */
#define JVMOS_PORT_DOORBELL 0x7a8     /* OUT (ioeventfd): any value */
#define JVMOS_SHIP_VECTOR 0x40        /* completion interrupt (MSI to vCPU 0's x2APIC) */
#define JVMOS_SHIP_RING_MAGIC 0x474e4952 /* "RING" */
#define JVMOS_SHIP_SLOTS 32
#define JVMOS_SHIP_SLOT_DATA (256u << 10) /* per-slot data buffer; larger I/O is split */

/* Handle ids that exist once the ring is set up. */
#define JVMOS_SHIP_HANDLE_ROOT 1
#define JVMOS_SHIP_HANDLE_CWD 2
#define JVMOS_SHIP_HANDLE_STDIN 3
#define JVMOS_SHIP_HANDLE_STDOUT 4
#define JVMOS_SHIP_HANDLE_STDERR 5

/* Slot states. */
#define JVMOS_SHIP_FREE 0
#define JVMOS_SHIP_SUBMITTED 1
#define JVMOS_SHIP_TAKEN 2
#define JVMOS_SHIP_DONE 3

#ifndef __ASSEMBLER__
/* Operations: one per Handle/Session method of the schema. `handle` is the Handle the call is
 * made on; paths are NUL-terminated in the data buffer (at offset 0, the second one of renameAt,
 * linkAt and symlinkAt at `path2_off`). Outputs that are Linux structs (struct stat, struct statfs, the ioctl
 * argument, linux_dirent64 records) are written to the data buffer in Linux's layout. */
enum jvmos_ship_op {
    JVMOS_SHIP_READ = 1,        /* args[0] = count                      -> out = data        */
    JVMOS_SHIP_WRITE = 2,       /* in = data                            -> result = written  */
    JVMOS_SHIP_PREAD = 3,       /* args[0] = count, args[1] = offset    -> out = data        */
    JVMOS_SHIP_PWRITE = 4,      /* in = data, args[1] = offset          -> result = written  */
    JVMOS_SHIP_SEEK = 5,        /* args[0] = offset, args[1] = whence   -> result = position */
    JVMOS_SHIP_STAT = 6,        /*                                      -> out = struct stat */
    JVMOS_SHIP_STATFS = 7,      /*                                      -> out = struct statfs */
    JVMOS_SHIP_TRUNCATE = 8,    /* args[0] = length                                          */
    JVMOS_SHIP_SYNC = 9,        /* args[0] = 1 for fdatasync                                 */
    JVMOS_SHIP_FLOCK = 10,      /* args[0] = operation                                       */
    JVMOS_SHIP_GETFL = 11,      /*                                      -> result = flags    */
    JVMOS_SHIP_SETFL = 12,      /* args[0] = flags                                           */
    JVMOS_SHIP_IOCTL = 13,      /* args[0] = request, in = arg bytes    -> out = arg bytes, result */
    JVMOS_SHIP_CHMOD = 14,      /* args[0] = mode                                            */
    JVMOS_SHIP_GETDENTS = 15,   /* args[0] = max bytes                  -> out = dirents     */
    JVMOS_SHIP_OPENAT = 16,     /* path, args[0] = O_ flags, args[1] = mode -> new_handle, out = struct stat */
    JVMOS_SHIP_STATAT = 17,     /* path, args[0] = AT_ flags            -> out = struct stat */
    JVMOS_SHIP_READLINKAT = 18, /* path, args[0] = max bytes            -> out = target      */
    JVMOS_SHIP_ACCESSAT = 19,   /* path, args[0] = mode, args[1] = AT_ flags                 */
    JVMOS_SHIP_MKDIRAT = 20,    /* path, args[0] = mode                                      */
    JVMOS_SHIP_UNLINKAT = 21,   /* path, args[0] = AT_ flags                                 */
    JVMOS_SHIP_RENAMEAT = 22,   /* path, path2, handle2 = new dir, args[0] = flags           */
    JVMOS_SHIP_CHMODAT = 23,    /* path, args[0] = mode, args[1] = AT_ flags                 */
    JVMOS_SHIP_PIPE = 24,       /* args[0] = O_NONBLOCK or 0            -> new_handle (read), new_handle2 (write) */
    JVMOS_SHIP_RELEASE = 25,    /* drops `handle` (close of its last fd)                     */
    JVMOS_SHIP_SOCKETPAIR = 27, /* args[0] = SOCK_ type | SOCK_NONBLOCK -> new_handle, new_handle2 */
    JVMOS_SHIP_COPY_RANGE = 26, /* handle -> handle2, args[0] = in offset, args[1] = out offset
                                   (-1: the file position), args[2] = length -> result = copied */
    JVMOS_SHIP_SYMLINKAT = 28,  /* path = the new link, path2 = its target (stored verbatim)   */
    JVMOS_SHIP_LINKAT = 29,     /* path, path2, handle2 = new dir, args[0] = AT_ flags         */
    JVMOS_SHIP_CHOWNAT = 30,    /* path, args[0] = uid, args[1] = gid (u32, 0xffffffff keeps),
                                   args[2] = AT_ flags                                          */
    JVMOS_SHIP_UTIMENSAT = 31,  /* path, args[0] = atime sec, args[1] = mtime sec, args[2] =
                                   atime nsec | mtime nsec << 32 (UTIME_NOW/UTIME_OMIT
                                   allowed), args[3] = AT_ flags                                */
    JVMOS_SHIP_LOCK = 32,       /* args[0] = F_GETLK/F_SETLK/F_SETLKW or their F_OFD_ forms,
                                   in = struct flock (32 bytes, Linux layout) -> out = struct
                                   flock for the GETLK forms (l_pid 0: held by the guest)     */
    JVMOS_SHIP_POLL = 33,       /* Session.poll; `handle` unused. in = in_len / 8 struct
                                   jvmos_ship_poll_entry (1..32768, every handle open), args[0]
                                   = timeout in ns (int64; 0: do not wait, negative: no limit)
                                   -> result = entries ready, out = the same entries with
                                   revents set (out_len = in_len). Interruptible, as READ.   */
};

/* One shipped fd of a JVMOS_SHIP_POLL set. */
struct jvmos_ship_poll_entry {
    uint32_t handle;  /* OUT the Handle id */
    uint16_t events;  /* OUT poll(2) events asked for */
    uint16_t revents; /* IN  poll(2) revents */
};

struct jvmos_ship_slot {
    volatile uint32_t state; /* JVMOS_SHIP_FREE/SUBMITTED (guest) TAKEN/DONE (relay) */
    uint32_t op;             /* OUT jvmos_ship_op */
    uint32_t handle;         /* OUT the Handle the call is made on */
    uint32_t handle2;        /* OUT a second Handle (renameAt's and linkAt's new directory) */
    uint64_t args[4];        /* OUT op-specific integers */
    uint32_t in_len;         /* OUT bytes of input in the data buffer */
    uint32_t path2_off;      /* OUT offset of the second path (renameAt, linkAt, symlinkAt) */
    int32_t error;           /* IN  0 or a positive Linux errno */
    uint32_t out_len;        /* IN  bytes of output in the data buffer */
    int64_t result;          /* IN  op-specific result */
    uint32_t new_handle;     /* IN  Handle id created by the call, 0 if none */
    uint32_t new_handle2;    /* IN  second Handle id (pipe's write end) */
    uint64_t data_gpa;       /* OUT this slot's data buffer (JVMOS_SHIP_SLOT_DATA bytes,
                                    physically contiguous); fixed at setup */
};

struct jvmos_ship_ring {
    uint32_t magic;                   /* OUT JVMOS_SHIP_RING_MAGIC */
    uint32_t slot_count;              /* OUT JVMOS_SHIP_SLOTS */
    volatile uint32_t relay_polling;  /* IN  nonzero while the relay spins on the ring: no
                                              doorbell needed */
    volatile uint32_t guest_waiting;  /* OUT nonzero when a guest thread may halt waiting for
                                              a completion: the relay must interrupt */
    char cwd[4096];                   /* IN  the guest's starting directory (guest path) */
    uint64_t calls;                   /* IN  shipped calls completed (for --strace's summary) */
    volatile uint32_t interrupt_slots; /* OUT bit per slot: a signal interrupts the thread
                                              waiting in that slot's call (read, write, flock,
                                              F_SETLKW, poll): the relay asks the proxy to end
                                              the call's wait, takes the bit (atomic
                                              exchange) and the call completes as usual:
                                              EINTR if it had transferred
                                              nothing yet, else its partial result. The guest
                                              clears its bit before it frees the slot. */
    uint32_t reserved32;
    uint64_t reserved[6];
    struct jvmos_ship_slot slots[JVMOS_SHIP_SLOTS];
};
#endif /* __ASSEMBLER__ */

/*
 * ---- Run-time counters (--stats) ------------------------------------------------------------
 * With JVMOS_BOOT_STATS the guest kernel allocates one stats block (physically contiguous) at
 * boot and publishes it in boot_info.stats_gpa / stats_size: a struct jvmos_stats, followed at
 * offset sizeof(struct jvmos_stats) by cpu_count struct jvmos_stats_cpu, one per vCPU. Each vCPU
 * adds only to its own jvmos_stats_cpu (no shared cache lines, no atomics); the monitor sums
 * them once the program has ended, however it ended. Times are TSC ticks (boot_info.tsc_khz
 * converts them). Everything in the block is OUT: the monitor checks the magic, the sizes and
 * the counts, and NUL-terminates the names itself.
 */
#define JVMOS_STATS_MAGIC 0x54415453 /* "STAT" */
#define JVMOS_STATS_SYSCALLS 512     /* syscall numbers counted one by one (x86-64's are < 512) */
#define JVMOS_STATS_SHIP_OPS 64      /* ship ops counted one by one (jvmos_ship_op < 64) */
#define JVMOS_STATS_VECTORS 256      /* interrupt vectors */
#define JVMOS_STATS_NAME_LEN 24      /* NUL-padded names, "" if unnamed */

/* jvmos_stats.syscall_kind[]: each syscall's disposition in the guest's syscall table. */
#define JVMOS_STATS_SYSCALL_UNKNOWN 0
#define JVMOS_STATS_SYSCALL_LOCAL 1
#define JVMOS_STATS_SYSCALL_SHIPPED 2
#define JVMOS_STATS_SYSCALL_PARTIAL 3
#define JVMOS_STATS_SYSCALL_UNSUPPORTED 4

#ifndef __ASSEMBLER__
/* How a page fault the program took was resolved (fault_count[] / fault_tsc[] index). */
enum jvmos_stats_fault {
    JVMOS_STATS_FAULT_ANON = 0,   /* anonymous memory: the 64 KiB window around it mapped */
    JVMOS_STATS_FAULT_HUGE = 1,   /* anonymous memory: one 2 MiB page mapped */
    JVMOS_STATS_FAULT_FILE = 2,   /* file mapping: its window filled by one shipped read */
    JVMOS_STATS_FAULT_STALE = 3,  /* already mapped (by another thread, or a stale TLB entry) */
    JVMOS_STATS_FAULT_SIGNAL = 4, /* no mapping, wrong permission or no memory: a signal */
    JVMOS_STATS_FAULT_KINDS = 8,
};

/* Guest kernel operations that trap to the hypervisor without reaching the monitor
 * (trap_count[] index). On kvm_pvm hosts each is a round trip through the host kernel. */
enum jvmos_stats_trap {
    JVMOS_STATS_TRAP_HALT = 0,           /* an idle vCPU halted until an interrupt */
    JVMOS_STATS_TRAP_TIMER_WRITE = 1,    /* the TSC-deadline timer MSR written */
    JVMOS_STATS_TRAP_TLB_FLUSH_PAGE = 2, /* a one-page TLB invalidation (PV: a hypercall) */
    JVMOS_STATS_TRAP_TLB_FLUSH_ALL = 3,  /* a full TLB flush (PV: a hypercall) */
    JVMOS_STATS_TRAP_DOORBELL = 4,       /* the ship ring's doorbell (an ioeventfd) */
    JVMOS_STATS_TRAP_IRQ_WINDOW = 5,     /* PV: a hypercall to take an interrupt that arrived
                                            while interrupts were masked */
    JVMOS_STATS_TRAPS = 8,
};

struct jvmos_stats_cpu {
    uint64_t syscall_count[JVMOS_STATS_SYSCALLS];   /* OUT calls entered, by number */
    uint64_t syscall_tsc[JVMOS_STATS_SYSCALLS];     /* OUT entry to return (time blocked too) */
    uint64_t syscall_cpu_tsc[JVMOS_STATS_SYSCALLS]; /* OUT the calling thread's CPU time in it */
    uint64_t ship_count[JVMOS_STATS_SHIP_OPS];      /* OUT shipped calls, by jvmos_ship_op */
    uint64_t ship_tsc[JVMOS_STATS_SHIP_OPS];        /* OUT submitted to completion seen */
    uint64_t ship_blocked;  /* OUT shipped calls that outlasted the spin (the thread blocked) */
    uint64_t fault_count[JVMOS_STATS_FAULT_KINDS];  /* OUT page faults, by jvmos_stats_fault */
    uint64_t fault_tsc[JVMOS_STATS_FAULT_KINDS];    /* OUT in the fault handler */
    uint64_t irq_count[JVMOS_STATS_VECTORS];        /* OUT interrupts, by vector */
    uint64_t irq_tsc[JVMOS_STATS_VECTORS];          /* OUT in their handlers */
    uint64_t trap_count[JVMOS_STATS_TRAPS];         /* OUT by jvmos_stats_trap */
    uint64_t context_switches; /* OUT another thread resumed on this vCPU */
    uint64_t idle_tsc;         /* OUT halted with nothing to run */
    uint64_t reserved[6];
};

struct jvmos_stats {
    uint32_t magic;     /* OUT JVMOS_STATS_MAGIC */
    uint32_t cpu_count; /* OUT jvmos_stats_cpu blocks that follow (boot_info.cpus) */
    uint64_t start_tsc; /* OUT when the guest kernel started counting */
    uint8_t syscall_kind[JVMOS_STATS_SYSCALLS];                     /* OUT JVMOS_STATS_SYSCALL_* */
    char syscall_name[JVMOS_STATS_SYSCALLS][JVMOS_STATS_NAME_LEN]; /* OUT Linux's names */
    char vector_name[JVMOS_STATS_VECTORS][JVMOS_STATS_NAME_LEN];   /* OUT the kernel's vectors */
};
#endif /* __ASSEMBLER__ */

/* Exit status of `jvmos` when the guest kernel panics or the VM dies abnormally. */
#define JVMOS_EXIT_PANIC 125

/*
 * ---- In-guest syscall numbers private to jvmos ----------------------------------------------
 * JVMOS_SYS_NOP returns 0 from the syscall entry stub before any dispatch: the platform floor
 * of a user->kernel->user round trip, used by bench/. Linux returns ENOSYS for it.
 */
#define JVMOS_SYS_NOP 0x4a56

#endif /* JVMOS_ABI_ABI_H */
