// strace-format rendering of one syscall. The target is the output of strace 6.x with `-f -s 32`
// on x86-64. Flag orders, escapes, struct field lists and the "/* X_??? */" comments were taken
// from /usr/bin/strace 6.1 tracing real programs (tests/unit/strace_test.cpp quotes those lines);
// a few rarely seen values (stx_attributes names, some ioctl argument shapes) follow strace's
// pattern without having been observed.
//
// Fully decoded: read write open close stat fstat lstat newfstatat statx lseek mmap mprotect
// munmap brk rt_sigaction rt_sigprocmask ioctl (tty and FIO requests) pread64 pwrite64 readv
// writev access faccessat faccessat2 pipe pipe2 dup dup2 dup3 nanosleep clock_nanosleep getpid
// gettid getppid getuid geteuid getgid getegid getpgrp setsid fork vfork uname fcntl flock fsync
// fdatasync ftruncate getdents64 getcwd chdir fchdir rename renameat renameat2 mkdir mkdirat
// rmdir unlink unlinkat readlink readlinkat chmod fchmod fchmodat openat exit exit_group
// utimensat utimes futimesat utime symlink symlinkat link linkat chown lchown fchown fchownat
// arch_prctl set_tid_address gettimeofday time clock_gettime clock_getres sysinfo prlimit64
// getrandom sched_getaffinity sched_yield futex kill tgkill tkill madvise mremap msync
// memfd_create fallocate clone clone3 poll ppoll select pselect6
// set_robust_list rseq. (Read after the call: select's and pselect6's fd_sets show as
// addresses when the call succeeded, their contents being the result, printed after " = " as
// strace does; the timeouts of ppoll, select and pselect6 show as addresses, the time left
// after " = ".) Every other known syscall prints its arguments in hex (as many as the
// syscall takes), an unknown number prints as syscall_0x<nr> with six hex arguments.
#include "shim/strace.h"

#include "base/errno.h"
#include "base/string.h"
#include "shim/syscall_list.h"

namespace jvmos::shim {
namespace {

// strace -s 32: longest string or buffer printed before "...", and the most array elements.
constexpr usize STRING_LIMIT = 32;
constexpr usize ARRAY_LIMIT = 32;
// strace prints path arguments up to PATH_MAX whatever -s says.
constexpr usize PATH_LIMIT = 4096;

enum class Sys : u64 {
#define JVMOS_SYSCALL_ENUM(nr, name) name = nr,
    JVMOS_LINUX_SYSCALLS(JVMOS_SYSCALL_ENUM)
#undef JVMOS_SYSCALL_ENUM
};

// ---------------------------------------------------------------------------------------------
// Output

// Appends to a caller buffer with snprintf semantics: counts everything, stores what fits.
class LineWriter {
  public:
    LineWriter(char* buf, usize size) : m_buf(buf), m_size(size) {}

    void put(char c) {
        if (m_len + 1 < m_size) m_buf[m_len] = c;
        ++m_len;
    }
    void put(const char* s) {
        while (*s) put(*s++);
    }
    void put_udec(u64 v) {
        char digits[20];
        usize n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (n > 0) put(digits[--n]);
    }
    void put_dec(i64 v) {
        if (v < 0) {
            put('-');
            put_udec(0 - static_cast<u64>(v));
        } else {
            put_udec(static_cast<u64>(v));
        }
    }
    // printf("%#lx"): "0" for zero, else 0x followed by lowercase digits.
    void put_hex(u64 v) {
        if (v == 0) {
            put('0');
            return;
        }
        put("0x");
        put_hex_digits(v, 1);
    }
    void put_hex_digits(u64 v, usize min_digits) {
        char digits[16];
        usize n = 0;
        do {
            digits[n++] = "0123456789abcdef"[v & 0xf];
            v >>= 4;
        } while (v != 0);
        while (n < min_digits) digits[n++] = '0';
        while (n > 0) put(digits[--n]);
    }
    // printf("%#03o"), strace's spelling of modes: 0 -> "000", 05 -> "005", 0644 -> "0644".
    void put_mode_octal(u64 v) {
        char digits[24];
        usize n = 0;
        do {
            digits[n++] = static_cast<char>('0' + (v & 7));
            v >>= 3;
        } while (v != 0);
        if (digits[n - 1] != '0') digits[n++] = '0';
        while (n < 3) digits[n++] = '0';
        while (n > 0) put(digits[--n]);
    }
    // Two-digit zero-padded decimal, for dates.
    void put_dec2(u64 v) {
        put(static_cast<char>('0' + v / 10 % 10));
        put(static_cast<char>('0' + v % 10));
    }

    // A position to come back to when a pointer turns out to be unreadable halfway through.
    usize mark() const { return m_len; }
    void rewind(usize mark) { m_len = mark; }

    usize finish() {
        if (m_size > 0) m_buf[m_len < m_size ? m_len : m_size - 1] = '\0';
        return m_len;
    }

  private:
    char* m_buf;
    usize m_size;
    usize m_len = 0;
};

enum class Escape { Octal, Hex };
enum class Truncation { Complete, Truncated };

// Writes one quoted string byte by byte the way strace does: \t \n \v \f \r \" \\ by name,
// other non-printables as the shortest octal escape, widened to three digits when the next byte
// is an octal digit (so "\1" then '0' becomes "\0010"); Escape::Hex gives \xNN for every byte.
class QuotedWriter {
  public:
    QuotedWriter(LineWriter& out, Escape escape) : m_out(out), m_escape(escape) { m_out.put('"'); }

    void feed(u8 c) {
        if (m_has_pending) emit(m_pending, c >= '0' && c <= '7');
        m_pending = c;
        m_has_pending = true;
    }
    void finish(Truncation truncation) {
        if (m_has_pending) emit(m_pending, false);
        m_has_pending = false;
        m_out.put('"');
        if (truncation == Truncation::Truncated) m_out.put("...");
    }

  private:
    void emit(u8 c, bool next_is_octal_digit) {
        if (m_escape == Escape::Hex) {
            m_out.put("\\x");
            m_out.put_hex_digits(c, 2);
            return;
        }
        switch (c) {
        case '"':
            m_out.put("\\\"");
            return;
        case '\\':
            m_out.put("\\\\");
            return;
        case '\t':
            m_out.put("\\t");
            return;
        case '\n':
            m_out.put("\\n");
            return;
        case '\v':
            m_out.put("\\v");
            return;
        case '\f':
            m_out.put("\\f");
            return;
        case '\r':
            m_out.put("\\r");
            return;
        default:
            break;
        }
        if (c >= 0x20 && c < 0x7f) {
            m_out.put(static_cast<char>(c));
            return;
        }
        m_out.put('\\');
        if (next_is_octal_digit || c >= 0100) m_out.put(static_cast<char>('0' + (c >> 6)));
        if (next_is_octal_digit || c >= 010) m_out.put(static_cast<char>('0' + ((c >> 3) & 7)));
        m_out.put(static_cast<char>('0' + (c & 7)));
    }

    LineWriter& m_out;
    Escape m_escape;
    u8 m_pending = 0;
    bool m_has_pending = false;
};

// ---------------------------------------------------------------------------------------------
// Symbolic names

struct Named {
    u64 value;
    const char* name;
};

struct NameTable {
    const Named* items;
    usize count;
};

template <usize N> constexpr NameTable table(const Named (&items)[N]) {
    return {items, N};
}

const char* lookup(NameTable t, u64 value) {
    for (usize i = 0; i < t.count; ++i)
        if (t.items[i].value == value) return t.items[i].name;
    return nullptr;
}

constexpr Named OPEN_ACCESS_MODES[] = {
    {0, "O_RDONLY"}, {1, "O_WRONLY"}, {2, "O_RDWR"}, {3, "O_ACCMODE"}};

// strace's order; composite flags come before their parts (O_SYNC contains O_DSYNC, O_TMPFILE
// contains O_DIRECTORY) so that the part is not printed twice.
constexpr Named OPEN_FLAGS[] = {
    {0100, "O_CREAT"},         {0200, "O_EXCL"},        {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},        {02000, "O_APPEND"},     {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},      {010000, "O_DSYNC"},     {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"},  {0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},   {010000000, "O_PATH"},   {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"},  {020000, "FASYNC"},      {04000000, "__O_SYNC"},
    {020000000, "__O_TMPFILE"}};
constexpr u64 O_CREAT = 0100;
constexpr u64 O_TMPFILE_BIT = 020000000;

constexpr Named PROT_FLAGS[] = {{1, "PROT_READ"},
                                {2, "PROT_WRITE"},
                                {4, "PROT_EXEC"},
                                {8, "PROT_SEM"},
                                {0x01000000, "PROT_GROWSDOWN"},
                                {0x02000000, "PROT_GROWSUP"}};

constexpr Named MAP_TYPES[] = {
    {0, "MAP_FILE"}, {1, "MAP_SHARED"}, {2, "MAP_PRIVATE"}, {3, "MAP_SHARED_VALIDATE"}};
constexpr Named MAP_FLAGS[] = {
    {0x10, "MAP_FIXED"},       {0x20, "MAP_ANONYMOUS"},          {0x40, "MAP_32BIT"},
    {0x4000, "MAP_NORESERVE"}, {0x8000, "MAP_POPULATE"},         {0x10000, "MAP_NONBLOCK"},
    {0x100, "MAP_GROWSDOWN"},  {0x800, "MAP_DENYWRITE"},         {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},    {0x20000, "MAP_STACK"},           {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},     {0x100000, "MAP_FIXED_NOREPLACE"}};
constexpr u64 MAP_TYPE_MASK = 0xf;
constexpr u64 MAP_HUGE_SHIFT = 26;
constexpr u64 MAP_HUGE_MASK = 0x3f;

constexpr Named MREMAP_FLAGS[] = {
    {1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};
constexpr u64 MREMAP_FIXED = 2;

constexpr Named MSYNC_FLAGS[] = {{1, "MS_ASYNC"}, {2, "MS_INVALIDATE"}, {4, "MS_SYNC"}};

constexpr Named MFD_FLAGS[] = {{1, "MFD_CLOEXEC"},     {2, "MFD_ALLOW_SEALING"},
                               {4, "MFD_HUGETLB"},     {8, "MFD_NOEXEC_SEAL"},
                               {0x10, "MFD_EXEC"}};

constexpr Named FALLOC_FLAGS[] = {{1, "FALLOC_FL_KEEP_SIZE"},      {2, "FALLOC_FL_PUNCH_HOLE"},
                                  {4, "FALLOC_FL_NO_HIDE_STALE"},  {8, "FALLOC_FL_COLLAPSE_RANGE"},
                                  {0x10, "FALLOC_FL_ZERO_RANGE"},  {0x20, "FALLOC_FL_INSERT_RANGE"},
                                  {0x40, "FALLOC_FL_UNSHARE_RANGE"}};

constexpr Named MADVISE_ADVICE[] = {
    {0, "MADV_NORMAL"},           {1, "MADV_RANDOM"},         {2, "MADV_SEQUENTIAL"},
    {3, "MADV_WILLNEED"},         {4, "MADV_DONTNEED"},       {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},           {10, "MADV_DONTFORK"},      {11, "MADV_DOFORK"},
    {12, "MADV_MERGEABLE"},       {13, "MADV_UNMERGEABLE"},   {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},      {16, "MADV_DONTDUMP"},      {17, "MADV_DODUMP"},
    {18, "MADV_WIPEONFORK"},      {19, "MADV_KEEPONFORK"},    {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},         {22, "MADV_POPULATE_READ"}, {23, "MADV_POPULATE_WRITE"},
    {24, "MADV_DONTNEED_LOCKED"}, {100, "MADV_HWPOISON"},     {101, "MADV_SOFT_OFFLINE"}};

// Shared by newfstatat, unlinkat and statx (and AT_EACCESS's value 0x200 is AT_REMOVEDIR here).
constexpr Named AT_FLAGS[] = {{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},
                              {0x400, "AT_SYMLINK_FOLLOW"},   {0x800, "AT_NO_AUTOMOUNT"},
                              {0x1000, "AT_EMPTY_PATH"},      {0x8000, "AT_RECURSIVE"}};
constexpr Named FACCESSAT_FLAGS[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"}};
constexpr i32 AT_FDCWD = -100;

constexpr Named STATX_SYNC_TYPES[] = {{0x2000, "AT_STATX_FORCE_SYNC"},
                                      {0x4000, "AT_STATX_DONT_SYNC"}};
constexpr u64 STATX_SYNC_MASK = 0x6000;
constexpr Named STATX_MASK[] = {
    {0xfff, "STATX_ALL"},      {0x7ff, "STATX_BASIC_STATS"}, {0x1, "STATX_TYPE"},
    {0x2, "STATX_MODE"},       {0x4, "STATX_NLINK"},         {0x8, "STATX_UID"},
    {0x10, "STATX_GID"},       {0x20, "STATX_ATIME"},        {0x40, "STATX_MTIME"},
    {0x80, "STATX_CTIME"},     {0x100, "STATX_INO"},         {0x200, "STATX_SIZE"},
    {0x400, "STATX_BLOCKS"},   {0x800, "STATX_BTIME"},       {0x1000, "STATX_MNT_ID"},
    {0x2000, "STATX_DIOALIGN"}};
constexpr Named STATX_ATTRIBUTES[] = {
    {0x4, "STATX_ATTR_COMPRESSED"},    {0x10, "STATX_ATTR_IMMUTABLE"},
    {0x20, "STATX_ATTR_APPEND"},       {0x40, "STATX_ATTR_NODUMP"},
    {0x800, "STATX_ATTR_ENCRYPTED"},   {0x1000, "STATX_ATTR_AUTOMOUNT"},
    {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"},
    {0x200000, "STATX_ATTR_DAX"}};

constexpr Named ACCESS_MODES[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};

constexpr Named RENAME_FLAGS[] = {
    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};

constexpr Named SEEK_WHENCE[] = {
    {0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}};

constexpr Named FLOCK_OPS[] = {{1, "LOCK_SH"}, {2, "LOCK_EX"},    {4, "LOCK_NB"},
                               {8, "LOCK_UN"}, {32, "LOCK_MAND"}, {0xc0, "LOCK_RW"}};

constexpr Named FD_FLAGS[] = {{1, "FD_CLOEXEC"}};

constexpr Named LOCK_TYPES[] = {
    {0, "F_RDLCK"}, {1, "F_WRLCK"}, {2, "F_UNLCK"}, {4, "F_EXLCK"}, {8, "F_SHLCK"}};
constexpr i64 UTIME_NOW = (1l << 30) - 1;
constexpr i64 UTIME_OMIT = (1l << 30) - 2;

constexpr Named CLOCK_IDS[] = {
    {0, "CLOCK_REALTIME"},          {1, "CLOCK_MONOTONIC"},     {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},  {7, "CLOCK_BOOTTIME"},      {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},    {10, "CLOCK_SGI_CYCLE"},    {11, "CLOCK_TAI"}};
constexpr Named TIMER_FLAGS[] = {{1, "TIMER_ABSTIME"}};

constexpr Named POLL_EVENTS[] = {
    {0x1, "POLLIN"},       {0x2, "POLLPRI"},      {0x4, "POLLOUT"},     {0x8, "POLLERR"},
    {0x10, "POLLHUP"},     {0x20, "POLLNVAL"},    {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"},
    {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},   {0x1000, "POLLREMOVE"},
    {0x2000, "POLLRDHUP"}};

constexpr Named ARCH_PRCTL_CODES[] = {{0x1001, "ARCH_SET_GS"},    {0x1002, "ARCH_SET_FS"},
                                      {0x1003, "ARCH_GET_FS"},    {0x1004, "ARCH_GET_GS"},
                                      {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"}};
constexpr u64 ARCH_GET_FS = 0x1003;
constexpr u64 ARCH_GET_GS = 0x1004;

constexpr Named RLIMIT_RESOURCES[] = {
    {0, "RLIMIT_CPU"},       {1, "RLIMIT_FSIZE"}, {2, "RLIMIT_DATA"},    {3, "RLIMIT_STACK"},
    {4, "RLIMIT_CORE"},      {5, "RLIMIT_RSS"},   {6, "RLIMIT_NPROC"},   {7, "RLIMIT_NOFILE"},
    {8, "RLIMIT_MEMLOCK"},   {9, "RLIMIT_AS"},    {10, "RLIMIT_LOCKS"},  {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"}, {15, "RLIMIT_RTTIME"}};

constexpr Named GETRANDOM_FLAGS[] = {
    {1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};

constexpr Named SIGPROCMASK_HOW[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};

constexpr Named SA_FLAGS[] = {{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"},
                              {0x10000000, "SA_RESTART"},  {0x20000000, "SA_INTERRUPT"},
                              {0x40000000, "SA_NODEFER"},  {0x80000000, "SA_RESETHAND"},
                              {4, "SA_SIGINFO"},           {1, "SA_NOCLDSTOP"},
                              {2, "SA_NOCLDWAIT"}};
constexpr u64 SA_RESTORER = 0x04000000;

// clone(2) flags; the low byte is the exit signal there, so CLONE_NEWTIME (0x80) and the two
// flags above bit 31 only exist for clone3.
constexpr Named CLONE_FLAGS[] = {{0x100, "CLONE_VM"},
                                 {0x200, "CLONE_FS"},
                                 {0x400, "CLONE_FILES"},
                                 {0x800, "CLONE_SIGHAND"},
                                 {0x1000, "CLONE_PIDFD"},
                                 {0x2000, "CLONE_PTRACE"},
                                 {0x4000, "CLONE_VFORK"},
                                 {0x8000, "CLONE_PARENT"},
                                 {0x10000, "CLONE_THREAD"},
                                 {0x20000, "CLONE_NEWNS"},
                                 {0x40000, "CLONE_SYSVSEM"},
                                 {0x80000, "CLONE_SETTLS"},
                                 {0x100000, "CLONE_PARENT_SETTID"},
                                 {0x200000, "CLONE_CHILD_CLEARTID"},
                                 {0x800000, "CLONE_UNTRACED"},
                                 {0x1000000, "CLONE_CHILD_SETTID"},
                                 {0x2000000, "CLONE_NEWCGROUP"},
                                 {0x4000000, "CLONE_NEWUTS"},
                                 {0x8000000, "CLONE_NEWIPC"},
                                 {0x10000000, "CLONE_NEWUSER"},
                                 {0x20000000, "CLONE_NEWPID"},
                                 {0x40000000, "CLONE_NEWNET"},
                                 {0x80000000, "CLONE_IO"}};
constexpr Named CLONE3_EXTRA_FLAGS[] = {{0x80, "CLONE_NEWTIME"},
                                        {0x100000000, "CLONE_CLEAR_SIGHAND"},
                                        {0x200000000, "CLONE_INTO_CGROUP"}};
constexpr u64 CLONE_PIDFD = 0x1000;
constexpr u64 CLONE_SETTLS = 0x80000;
constexpr u64 CLONE_PARENT_SETTID = 0x100000;
constexpr u64 CLONE_CHILD_CLEARTID = 0x200000;
constexpr u64 CLONE_CHILD_SETTID = 0x1000000;
constexpr u64 CLONE_INTO_CGROUP = 0x200000000;
constexpr u64 CSIGNAL = 0xff;

constexpr Named FCNTL_COMMANDS[] = {
    {0, "F_DUPFD"},         {1, "F_GETFD"},         {2, "F_SETFD"},
    {3, "F_GETFL"},         {4, "F_SETFL"},         {5, "F_GETLK"},
    {6, "F_SETLK"},         {7, "F_SETLKW"},        {8, "F_SETOWN"},
    {9, "F_GETOWN"},        {10, "F_SETSIG"},       {11, "F_GETSIG"},
    {15, "F_SETOWN_EX"},    {16, "F_GETOWN_EX"},    {36, "F_OFD_GETLK"},
    {37, "F_OFD_SETLK"},    {38, "F_OFD_SETLKW"},   {1024, "F_SETLEASE"},
    {1025, "F_GETLEASE"},   {1026, "F_NOTIFY"},     {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"}, {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"},
    {1034, "F_GET_SEALS"}};

constexpr Named FUTEX_COMMANDS[] = {{0, "FUTEX_WAIT"},
                                    {1, "FUTEX_WAKE"},
                                    {2, "FUTEX_FD"},
                                    {3, "FUTEX_REQUEUE"},
                                    {4, "FUTEX_CMP_REQUEUE"},
                                    {5, "FUTEX_WAKE_OP"},
                                    {6, "FUTEX_LOCK_PI"},
                                    {7, "FUTEX_UNLOCK_PI"},
                                    {8, "FUTEX_TRYLOCK_PI"},
                                    {9, "FUTEX_WAIT_BITSET"},
                                    {10, "FUTEX_WAKE_BITSET"},
                                    {11, "FUTEX_WAIT_REQUEUE_PI"},
                                    {12, "FUTEX_CMP_REQUEUE_PI"},
                                    {13, "FUTEX_LOCK_PI2"}};
constexpr u64 FUTEX_PRIVATE_FLAG = 128;
constexpr u64 FUTEX_CLOCK_REALTIME = 256;
constexpr Named FUTEX_WAKE_OPS[] = {{0, "FUTEX_OP_SET"},
                                    {1, "FUTEX_OP_ADD"},
                                    {2, "FUTEX_OP_OR"},
                                    {3, "FUTEX_OP_ANDN"},
                                    {4, "FUTEX_OP_XOR"}};
constexpr Named FUTEX_WAKE_CMPS[] = {{0, "FUTEX_OP_CMP_EQ"}, {1, "FUTEX_OP_CMP_NE"},
                                     {2, "FUTEX_OP_CMP_LT"}, {3, "FUTEX_OP_CMP_LE"},
                                     {4, "FUTEX_OP_CMP_GT"}, {5, "FUTEX_OP_CMP_GE"}};

// Standard signals 1..31 without the "SIG" prefix (sigsets print them that way).
constexpr const char* SIGNAL_NAMES[] = {
    nullptr, "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
    "SEGV",  "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
    "TTOU",  "URG",  "XCPU", "XFSZ", "VTALRM", "PROF",   "WINCH", "IO",   "PWR",  "SYS"};
constexpr i64 SIGRTMIN_NUMBER = 32;
constexpr i64 SIGNAL_MAX = 64;

// File types for st_mode, then the set-id bits.
constexpr Named FILE_TYPES[] = {{0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
                                {060000, "S_IFBLK"},   {040000, "S_IFDIR"},  {020000, "S_IFCHR"},
                                {010000, "S_IFIFO"}};
constexpr u64 S_IFMT = 0170000;
constexpr u64 S_IFBLK = 060000;
constexpr u64 S_IFCHR = 020000;
constexpr Named MODE_SPECIAL_BITS[] = {{04000, "S_ISUID"}, {02000, "S_ISGID"}, {01000, "S_ISVTX"}};

// ---------------------------------------------------------------------------------------------
// ioctl

enum class IoctlArg {
    None,       // no third argument printed
    Hex,        // %#lx
    Pointer,    // NULL or 0x...
    Termios,    // struct termios, read on entry
    TermiosOut, // struct termios, written by a successful call
    Winsize,
    WinsizeOut,
    IntIn, // [int]
    IntOut,
    TcxoncArg,
    TcflshArg,
};

struct IoctlInfo {
    u64 request;
    const char* name;
    IoctlArg arg;
};

// The tty and generic file ioctls, named and shaped as strace 6.1 prints them (TCSETS and
// friends share their numbers with OSS sequencer ioctls, hence the "or").
constexpr IoctlInfo IOCTLS[] = {
    {0x5401, "TCGETS", IoctlArg::TermiosOut},
    {0x5402, "SNDCTL_TMR_START or TCSETS", IoctlArg::Termios},
    {0x5403, "SNDCTL_TMR_STOP or TCSETSW", IoctlArg::Termios},
    {0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF", IoctlArg::Termios},
    {0x5405, "TCGETA", IoctlArg::Pointer},
    {0x5406, "TCSETA", IoctlArg::Pointer},
    {0x5407, "TCSETAW", IoctlArg::Pointer},
    {0x5408, "TCSETAF", IoctlArg::Pointer},
    {0x5409, "TCSBRK", IoctlArg::Hex},
    {0x540a, "TCXONC", IoctlArg::TcxoncArg},
    {0x540b, "TCFLSH", IoctlArg::TcflshArg},
    {0x540c, "TIOCEXCL", IoctlArg::None},
    {0x540d, "TIOCNXCL", IoctlArg::None},
    {0x540e, "TIOCSCTTY", IoctlArg::Hex},
    {0x540f, "TIOCGPGRP", IoctlArg::IntOut},
    {0x5410, "TIOCSPGRP", IoctlArg::IntIn},
    {0x5411, "TIOCOUTQ", IoctlArg::IntOut},
    {0x5412, "TIOCSTI", IoctlArg::Pointer},
    {0x5413, "TIOCGWINSZ", IoctlArg::WinsizeOut},
    {0x5414, "TIOCSWINSZ", IoctlArg::Winsize},
    {0x5415, "TIOCMGET", IoctlArg::Pointer},
    {0x5416, "TIOCMBIS", IoctlArg::Pointer},
    {0x5417, "TIOCMBIC", IoctlArg::Pointer},
    {0x5418, "TIOCMSET", IoctlArg::Pointer},
    {0x5419, "TIOCGSOFTCAR", IoctlArg::Pointer},
    {0x541a, "TIOCSSOFTCAR", IoctlArg::Pointer},
    {0x541b, "FIONREAD", IoctlArg::IntOut},
    {0x541c, "TIOCLINUX", IoctlArg::Hex},
    {0x541d, "TIOCCONS", IoctlArg::None},
    {0x541e, "TIOCGSERIAL", IoctlArg::Hex},
    {0x541f, "TIOCSSERIAL", IoctlArg::None},
    {0x5420, "TIOCPKT", IoctlArg::Pointer},
    {0x5421, "FIONBIO", IoctlArg::IntIn},
    {0x5422, "TIOCNOTTY", IoctlArg::None},
    {0x5423, "TIOCSETD", IoctlArg::Pointer},
    {0x5424, "TIOCGETD", IoctlArg::Pointer},
    {0x5425, "TCSBRKP", IoctlArg::Hex},
    {0x5427, "TIOCSBRK", IoctlArg::None},
    {0x5428, "TIOCCBRK", IoctlArg::None},
    {0x5429, "TIOCGSID", IoctlArg::IntOut},
    {0x5437, "TIOCVHANGUP", IoctlArg::None},
    {0x5441, "TIOCGPTPEER", IoctlArg::Hex},
    {0x5450, "FIONCLEX", IoctlArg::None},
    {0x5451, "FIOCLEX", IoctlArg::None},
    {0x5452, "FIOASYNC", IoctlArg::IntIn},
    {0x5460, "FIOQSIZE", IoctlArg::Hex},
    {0x80045430, "TIOCGPTN", IoctlArg::IntOut},
    {0x40045431, "TIOCSPTLCK", IoctlArg::IntIn},
};

constexpr Named TCXONC_ARGS[] = {{0, "TCOOFF"}, {1, "TCOON"}, {2, "TCIOFF"}, {3, "TCION"}};
constexpr Named TCFLSH_ARGS[] = {{0, "TCIFLUSH"}, {1, "TCOFLUSH"}, {2, "TCIOFLUSH"}};

constexpr Named TERMIOS_IFLAGS[] = {
    {01, "IGNBRK"},  {02, "BRKINT"},   {04, "IGNPAR"},    {010, "PARMRK"},     {020, "INPCK"},
    {040, "ISTRIP"}, {0100, "INLCR"},  {0200, "IGNCR"},   {0400, "ICRNL"},     {01000, "IUCLC"},
    {02000, "IXON"}, {04000, "IXANY"}, {010000, "IXOFF"}, {020000, "IMAXBEL"}, {040000, "IUTF8"}};
constexpr Named TERMIOS_OFLAGS[] = {{01, "OPOST"},   {02, "OLCUC"},  {04, "ONLCR"},
                                    {010, "OCRNL"},  {020, "ONOCR"}, {040, "ONLRET"},
                                    {0100, "OFILL"}, {0200, "OFDEL"}};
constexpr Named TERMIOS_CFLAGS[] = {
    {0100, "CSTOPB"}, {0200, "CREAD"},   {0400, "PARENB"},         {01000, "PARODD"},
    {02000, "HUPCL"}, {04000, "CLOCAL"}, {010000000000, "CMSPAR"}, {020000000000, "CRTSCTS"}};
constexpr Named TERMIOS_LFLAGS[] = {
    {01, "ISIG"},        {02, "ICANON"},     {04, "XCASE"},      {010, "ECHO"},
    {020, "ECHOE"},      {040, "ECHOK"},     {0100, "ECHONL"},   {0200, "NOFLSH"},
    {0100000, "IEXTEN"}, {01000, "ECHOCTL"}, {02000, "ECHOPRT"}, {04000, "ECHOKE"},
    {010000, "FLUSHO"},  {040000, "PENDIN"}, {0400, "TOSTOP"},   {0200000, "EXTPROC"}};
constexpr Named TERMIOS_BAUDS[] = {{0, "B0"},
                                   {01, "B50"},
                                   {02, "B75"},
                                   {03, "B110"},
                                   {04, "B134"},
                                   {05, "B150"},
                                   {06, "B200"},
                                   {07, "B300"},
                                   {010, "B600"},
                                   {011, "B1200"},
                                   {012, "B1800"},
                                   {013, "B2400"},
                                   {014, "B4800"},
                                   {015, "B9600"},
                                   {016, "B19200"},
                                   {017, "B38400"},
                                   {010000, "BOTHER"},
                                   {010001, "B57600"},
                                   {010002, "B115200"},
                                   {010003, "B230400"},
                                   {010004, "B460800"},
                                   {010005, "B500000"},
                                   {010006, "B576000"},
                                   {010007, "B921600"},
                                   {010010, "B1000000"},
                                   {010011, "B1152000"},
                                   {010012, "B1500000"},
                                   {010013, "B2000000"},
                                   {010014, "B2500000"},
                                   {010015, "B3000000"},
                                   {010016, "B3500000"},
                                   {010017, "B4000000"}};
constexpr u32 TERMIOS_CBAUD = 010017;
constexpr u32 TERMIOS_IBSHIFT = 16;
constexpr u32 TERMIOS_CSIZE = 060;

// ---------------------------------------------------------------------------------------------
// x86-64 Linux structures as the kernel lays them out.

struct LinuxTimespec {
    i64 tv_sec;
    i64 tv_nsec;
};
struct LinuxTimeval {
    i64 tv_sec;
    i64 tv_usec;
};
struct LinuxTimezone {
    i32 minuteswest;
    i32 dsttime;
};
struct LinuxUtimbuf {
    i64 actime;
    i64 modtime;
};
struct LinuxFlock {
    i16 l_type;
    i16 l_whence;
    i64 l_start;
    i64 l_len;
    i32 l_pid;
};
static_assert(sizeof(LinuxFlock) == 32);
struct LinuxIovec {
    u64 base;
    u64 len;
};
struct LinuxKernelSigaction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};
struct LinuxStat {
    u64 dev;
    u64 ino;
    u64 nlink;
    u32 mode;
    u32 uid;
    u32 gid;
    u32 pad0;
    u64 rdev;
    i64 size;
    i64 blksize;
    i64 blocks;
    u64 times[6];
    i64 unused[3];
};
static_assert(sizeof(LinuxStat) == 144);
struct LinuxStatx {
    u32 mask;
    u32 blksize;
    u64 attributes;
    u32 nlink;
    u32 uid;
    u32 gid;
    u16 mode;
    u16 pad0;
    u64 ino;
    u64 size;
    u64 rest[26];
};
static_assert(sizeof(LinuxStatx) == 256);
struct LinuxRlimit {
    u64 cur;
    u64 max;
};
struct LinuxSysinfo {
    i64 uptime;
    u64 loads[3];
    u64 totalram;
    u64 freeram;
    u64 sharedram;
    u64 bufferram;
    u64 totalswap;
    u64 freeswap;
    u16 procs;
    u16 pad;
    u64 totalhigh;
    u64 freehigh;
    u32 mem_unit;
    char reserved[4];
};
static_assert(sizeof(LinuxSysinfo) == 112);
constexpr usize UTSNAME_FIELD = 65;
struct LinuxCloneArgs {
    u64 flags;
    u64 pidfd;
    u64 child_tid;
    u64 parent_tid;
    u64 exit_signal;
    u64 stack;
    u64 stack_size;
    u64 tls;
    u64 set_tid;
    u64 set_tid_size;
    u64 cgroup;
};
constexpr u64 CLONE_ARGS_SIZE_VER0 = 64;
struct LinuxTermios {
    u32 iflag;
    u32 oflag;
    u32 cflag;
    u32 lflag;
    u8 line;
    u8 cc[19];
};
struct LinuxWinsize {
    u16 row;
    u16 col;
    u16 xpixel;
    u16 ypixel;
};
constexpr u64 DIRENT64_RECLEN_OFFSET = 16;

// ---------------------------------------------------------------------------------------------
// Syscall metadata

// How many arguments strace prints for a syscall we do not decode.
// clang-format off
usize syscall_arity(u64 nr) {
    switch (static_cast<Sys>(nr)) {
    case Sys::rt_sigreturn: case Sys::sched_yield: case Sys::pause: case Sys::getpid:
    case Sys::fork: case Sys::vfork: case Sys::getuid: case Sys::getgid: case Sys::geteuid:
    case Sys::getegid: case Sys::getppid: case Sys::getpgrp: case Sys::setsid:
    case Sys::munlockall: case Sys::vhangup: case Sys::sync: case Sys::gettid:
    case Sys::inotify_init: case Sys::restart_syscall:
        return 0;
    case Sys::close: case Sys::brk: case Sys::pipe: case Sys::dup: case Sys::alarm:
    case Sys::exit: case Sys::uname: case Sys::shmdt: case Sys::fsync: case Sys::fdatasync:
    case Sys::chdir: case Sys::fchdir: case Sys::rmdir: case Sys::unlink: case Sys::umask:
    case Sys::sysinfo: case Sys::times: case Sys::setuid: case Sys::setgid: case Sys::getpgid:
    case Sys::setfsuid: case Sys::setfsgid: case Sys::getsid: case Sys::uselib:
    case Sys::personality: case Sys::sched_getscheduler: case Sys::sched_get_priority_max:
    case Sys::sched_get_priority_min: case Sys::mlockall: case Sys::_sysctl:
    case Sys::adjtimex: case Sys::chroot: case Sys::acct: case Sys::swapoff: case Sys::iopl:
    case Sys::get_kernel_syms: case Sys::time: case Sys::set_thread_area:
    case Sys::get_thread_area: case Sys::io_destroy: case Sys::epoll_create:
    case Sys::set_tid_address: case Sys::timer_getoverrun: case Sys::timer_delete:
    case Sys::exit_group: case Sys::mq_unlink: case Sys::unshare: case Sys::eventfd:
    case Sys::epoll_create1: case Sys::inotify_init1: case Sys::syncfs: case Sys::userfaultfd:
    case Sys::pkey_free: case Sys::memfd_secret:
        return 1;
    case Sys::stat: case Sys::fstat: case Sys::lstat: case Sys::munmap: case Sys::dup2:
    case Sys::getitimer: case Sys::nanosleep: case Sys::shutdown: case Sys::listen:
    case Sys::kill: case Sys::msgget: case Sys::flock: case Sys::truncate: case Sys::ftruncate:
    case Sys::getcwd: case Sys::rename: case Sys::mkdir: case Sys::creat: case Sys::link:
    case Sys::symlink: case Sys::chmod: case Sys::fchmod: case Sys::gettimeofday:
    case Sys::getrlimit: case Sys::getrusage: case Sys::getgroups: case Sys::setgroups:
    case Sys::setpgid: case Sys::setreuid: case Sys::setregid: case Sys::capget:
    case Sys::capset: case Sys::rt_sigpending: case Sys::rt_sigsuspend: case Sys::sigaltstack:
    case Sys::utime: case Sys::ustat: case Sys::statfs: case Sys::fstatfs:
    case Sys::getpriority: case Sys::sched_setparam: case Sys::sched_getparam:
    case Sys::sched_rr_get_interval: case Sys::mlock: case Sys::munlock:
    case Sys::pivot_root: case Sys::arch_prctl: case Sys::setrlimit: case Sys::settimeofday:
    case Sys::umount2: case Sys::swapon: case Sys::sethostname: case Sys::setdomainname:
    case Sys::create_module: case Sys::delete_module: case Sys::removexattr:
    case Sys::lremovexattr: case Sys::fremovexattr: case Sys::tkill: case Sys::io_setup:
    case Sys::timer_gettime: case Sys::clock_settime: case Sys::clock_gettime:
    case Sys::clock_getres: case Sys::utimes: case Sys::mq_notify: case Sys::ioprio_get:
    case Sys::inotify_rm_watch: case Sys::set_robust_list: case Sys::timerfd_create:
    case Sys::timerfd_gettime: case Sys::eventfd2: case Sys::pipe2: case Sys::fanotify_init:
    case Sys::clock_adjtime: case Sys::setns: case Sys::memfd_create: case Sys::pkey_alloc:
    case Sys::io_uring_setup: case Sys::fsopen: case Sys::pidfd_open: case Sys::clone3:
    case Sys::process_mrelease:
    case Sys::access: case Sys::landlock_restrict_self:
        return 2;
    case Sys::read: case Sys::write: case Sys::open: case Sys::poll: case Sys::lseek:
    case Sys::mprotect: case Sys::ioctl: case Sys::readv: case Sys::writev: case Sys::msync:
    case Sys::mincore: case Sys::madvise: case Sys::shmget: case Sys::shmat: case Sys::shmctl:
    case Sys::setitimer: case Sys::socket: case Sys::connect: case Sys::accept:
    case Sys::sendmsg: case Sys::recvmsg: case Sys::bind: case Sys::getsockname:
    case Sys::getpeername: case Sys::execve: case Sys::semget: case Sys::semop:
    case Sys::msgctl: case Sys::fcntl: case Sys::getdents: case Sys::readlink: case Sys::chown:
    case Sys::fchown: case Sys::lchown: case Sys::syslog: case Sys::setresuid:
    case Sys::getresuid: case Sys::setresgid: case Sys::getresgid: case Sys::rt_sigqueueinfo:
    case Sys::mknod: case Sys::sysfs: case Sys::setpriority: case Sys::sched_setscheduler:
    case Sys::modify_ldt: case Sys::ioperm: case Sys::init_module: case Sys::nfsservctl:
    case Sys::tuxcall: case Sys::security: case Sys::readahead: case Sys::listxattr:
    case Sys::llistxattr: case Sys::flistxattr: case Sys::sched_setaffinity:
    case Sys::sched_getaffinity: case Sys::io_submit: case Sys::io_cancel:
    case Sys::lookup_dcookie: case Sys::getdents64: case Sys::timer_create: case Sys::tgkill:
    case Sys::set_mempolicy: case Sys::mq_getsetattr: case Sys::ioprio_set:
    case Sys::inotify_add_watch: case Sys::mkdirat: case Sys::unlinkat: case Sys::symlinkat:
    case Sys::fchmodat: case Sys::faccessat: case Sys::futimesat: case Sys::get_robust_list:
    case Sys::signalfd: case Sys::dup3: case Sys::open_by_handle_at: case Sys::getcpu:
    case Sys::finit_module: case Sys::sched_setattr: case Sys::seccomp: case Sys::getrandom:
    case Sys::bpf: case Sys::membarrier: case Sys::mlock2: case Sys::open_tree:
    case Sys::fspick: case Sys::fsmount: case Sys::pidfd_getfd: case Sys::close_range:
    case Sys::landlock_create_ruleset:
        return 3;
    case Sys::rt_sigaction: case Sys::rt_sigprocmask: case Sys::pread64: case Sys::pwrite64:
    case Sys::sendfile: case Sys::socketpair: case Sys::wait4: case Sys::semctl:
    case Sys::msgsnd: case Sys::ptrace: case Sys::rt_sigtimedwait: case Sys::reboot:
    case Sys::quotactl: case Sys::getxattr: case Sys::lgetxattr: case Sys::fgetxattr:
    case Sys::epoll_ctl_old: case Sys::epoll_wait_old: case Sys::semtimedop:
    case Sys::fadvise64: case Sys::timer_settime: case Sys::clock_nanosleep:
    case Sys::epoll_wait: case Sys::epoll_ctl: case Sys::mq_open: case Sys::kexec_load:
    case Sys::request_key: case Sys::migrate_pages: case Sys::openat: case Sys::mknodat:
    case Sys::newfstatat: case Sys::renameat: case Sys::readlinkat: case Sys::tee:
    case Sys::sync_file_range: case Sys::vmsplice: case Sys::utimensat:
    case Sys::timerfd_settime: case Sys::fallocate: case Sys::accept4: case Sys::signalfd4:
    case Sys::preadv: case Sys::pwritev: case Sys::rt_tgsigqueueinfo: case Sys::prlimit64:
    case Sys::sendmmsg: case Sys::sched_getattr: case Sys::pkey_mprotect: case Sys::rseq:
    case Sys::pidfd_send_signal: case Sys::io_uring_register: case Sys::openat2:
    case Sys::faccessat2: case Sys::quotactl_fd: case Sys::landlock_add_rule:
    case Sys::set_mempolicy_home_node:
        return 4;
    case Sys::mremap: case Sys::select: case Sys::setsockopt: case Sys::getsockopt:
    case Sys::clone: case Sys::waitid:
    case Sys::msgrcv: case Sys::prctl: case Sys::mount: case Sys::query_module:
    case Sys::getpmsg: case Sys::putpmsg: case Sys::afs_syscall: case Sys::setxattr:
    case Sys::lsetxattr: case Sys::fsetxattr: case Sys::io_getevents:
    case Sys::remap_file_pages: case Sys::vserver: case Sys::get_mempolicy:
    case Sys::mq_timedsend: case Sys::mq_timedreceive: case Sys::add_key: case Sys::keyctl:
    case Sys::fchownat: case Sys::linkat: case Sys::ppoll: case Sys::fanotify_mark:
    case Sys::perf_event_open: case Sys::recvmmsg: case Sys::name_to_handle_at:
    case Sys::kcmp: case Sys::renameat2: case Sys::kexec_file_load: case Sys::execveat:
    case Sys::preadv2: case Sys::pwritev2: case Sys::statx: case Sys::move_mount:
    case Sys::fsconfig: case Sys::process_madvise: case Sys::mount_setattr:
    case Sys::futex_waitv:
        return 5;
    default:
        return 6;
    }
}
// clang-format on

// Syscalls whose return value is an address, printed in hex.
bool returns_address(u64 nr) {
    switch (static_cast<Sys>(nr)) {
    case Sys::mmap:
    case Sys::brk:
    case Sys::mremap:
    case Sys::shmat:
        return true;
    default:
        return false;
    }
}

// Kernel-internal restart codes: strace shows them as "= ? NAME (text)" since user space never
// sees them.
struct RestartCode {
    i64 number;
    const char* name;
    const char* text;
};
constexpr RestartCode RESTART_CODES[] = {
    {512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
    {513, "ERESTARTNOINTR", "To be restarted"},
    {514, "ERESTARTNOHAND", "To be restarted if no handler"},
    {516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
};

constexpr i64 ERESTART_RESTARTBLOCK = 516;

bool is_error_result(i64 result) {
    return result < 0 && result >= -JVMOS_ERRNO_MAX;
}

enum class Completion { Returned, NoReturn };

// Days since 1970-01-01 to a proleptic Gregorian date (the classic era/day-of-era method).
void civil_from_days(i64 days, i64& year, u64& month, u64& day) {
    days += 719468;
    i64 era = (days >= 0 ? days : days - 146096) / 146097;
    u64 doe = static_cast<u64>(days - era * 146097);
    u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    u64 mp = (5 * doy + 2) / 153;
    day = doy - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = static_cast<i64>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// The formatter

class Tracer {
  public:
    Tracer(LineWriter& out, const UserMemory& mem, u64 nr, const u64* args, i64 result,
           Completion completion)
        : m_out(out), m_mem(mem), m_nr(nr), m_args(args), m_result(result),
          m_completion(completion) {}

    void run() {
        const char* name = syscall_name(m_nr);
        if (name == nullptr) {
            m_out.put("syscall_");
            m_out.put_hex(m_nr);
            m_out.put('(');
            put_hex_args(0, 6);
            m_out.put(')');
        } else {
            m_out.put(name);
            m_out.put('(');
            put_args();
            m_out.put(')');
        }
        put_result();
        m_out.put('\n');
    }

  private:
    // --- small pieces -----------------------------------------------------------------------

    u64 arg(usize i) const { return m_args[i]; }
    i32 arg_int(usize i) const { return static_cast<i32>(static_cast<u32>(m_args[i])); }
    u32 arg_u32(usize i) const { return static_cast<u32>(m_args[i]); }

    bool returned() const { return m_completion == Completion::Returned; }
    bool succeeded() const { return returned() && !is_error_result(m_result); }
    // Bytes transferred by a successful read-like call.
    u64 result_count() const { return succeeded() ? static_cast<u64>(m_result) : 0; }

    void sep() { m_out.put(", "); }
    void put(const char* s) { m_out.put(s); }

    template <typename T> bool read_user(u64 addr, T& out) const {
        return m_mem.read(addr, &out, sizeof(T));
    }

    // Reads up to n bytes, stopping at the first unreadable one; returns how many were read.
    // Whole-chunk reads first, since a chunk may straddle the end of what is readable.
    usize read_prefix(u64 addr, u8* out, usize n) const {
        if (m_mem.read(addr, out, n)) return n;
        usize got = 0;
        while (got < n && m_mem.read(addr + got, out + got, 1)) ++got;
        return got;
    }

    void put_ptr(u64 p) {
        if (p == 0)
            put("NULL");
        else
            m_out.put_hex(p);
    }
    void put_int(i64 v) { m_out.put_dec(v); }
    void put_uint(u64 v) { m_out.put_udec(v); }
    void put_hex(u64 v) { m_out.put_hex(v); }
    void put_fd(usize i) { put_int(arg_int(i)); }
    void put_dirfd(usize i) {
        if (arg_int(i) == AT_FDCWD)
            put("AT_FDCWD");
        else
            put_int(arg_int(i));
    }
    void put_mode(u64 mode) { m_out.put_mode_octal(mode & 0xffff); }

    void put_hex_args(usize from, usize to) {
        for (usize i = from; i < to; ++i) {
            if (i > from) sep();
            put_hex(arg(i));
        }
    }

    // --- symbolic values --------------------------------------------------------------------

    // Names of the flags of `table` found in `rest` (clearing them), '|'-separated; `any` says
    // whether something was printed before. Returns whether anything has been printed now.
    bool put_flag_names(u64& rest, NameTable table, bool any) {
        for (usize i = 0; i < table.count; ++i) {
            u64 bit = table.items[i].value;
            if (bit != 0 && (rest & bit) == bit) {
                if (any) m_out.put('|');
                put(table.items[i].name);
                rest &= ~bit;
                any = true;
            }
        }
        return any;
    }
    // Bits no name covered: "|0x..." after names, or "0x... /* PREFIX??? */" on their own.
    void put_flag_rest(u64 rest, bool any, const char* prefix) {
        if (rest == 0) return;
        if (any) {
            m_out.put('|');
            put_hex(rest);
        } else {
            put_unknown(rest, prefix);
        }
    }
    void put_unknown(u64 v, const char* prefix) {
        put_hex(v);
        put(" /* ");
        put(prefix);
        put("??? */");
    }
    void put_flags(u64 v, NameTable table, const char* prefix, const char* zero = "0") {
        if (v == 0) {
            put(zero);
            return;
        }
        u64 rest = v;
        bool any = put_flag_names(rest, table, false);
        put_flag_rest(rest, any, prefix);
    }
    void put_enum(u64 v, NameTable table, const char* prefix) {
        const char* name = lookup(table, v);
        if (name != nullptr)
            put(name);
        else
            put_unknown(v, prefix);
    }

    void put_open_flags(u64 flags) {
        put(lookup(table(OPEN_ACCESS_MODES), flags & 3));
        u64 rest = flags & ~u64{3};
        bool any = put_flag_names(rest, table(OPEN_FLAGS), true);
        put_flag_rest(rest, any, "O_");
    }

    void put_signal(i64 sig) {
        if (sig > 0 && sig < SIGRTMIN_NUMBER) {
            put("SIG");
            put(SIGNAL_NAMES[sig]);
        } else if (sig == SIGRTMIN_NUMBER) {
            put("SIGRTMIN");
        } else if (sig > SIGRTMIN_NUMBER && sig <= SIGNAL_MAX) {
            put("SIGRT_");
            put_int(sig - SIGRTMIN_NUMBER);
        } else {
            put_int(sig);
        }
    }

    // A 64-signal set; strace lists the complement ("~[...]") when more than half is set.
    void put_sigset_value(u64 set) {
        usize members = 0;
        for (u64 bits = set; bits != 0; bits &= bits - 1) ++members;
        bool inverted = members > 32;
        if (inverted) {
            m_out.put('~');
            set = ~set;
        }
        m_out.put('[');
        bool first = true;
        for (i64 sig = 1; sig <= SIGNAL_MAX; ++sig) {
            if ((set & (u64{1} << (sig - 1))) == 0) continue;
            if (!first) m_out.put(' ');
            first = false;
            if (sig < SIGRTMIN_NUMBER) {
                put(SIGNAL_NAMES[sig]);
            } else if (sig == SIGRTMIN_NUMBER) {
                put("RTMIN");
            } else {
                put("RT_");
                put_int(sig - SIGRTMIN_NUMBER);
            }
        }
        m_out.put(']');
    }
    void put_sigset(u64 addr, u64 size) {
        u64 set = 0;
        if (addr == 0)
            put("NULL");
        else if (size != sizeof(u64) || !read_user(addr, set))
            put_hex(addr);
        else
            put_sigset_value(set);
    }

    void put_clock(u64 id) { put_enum(static_cast<u32>(id), table(CLOCK_IDS), "CLOCK_"); }

    // --- memory-backed values ---------------------------------------------------------------

    // A buffer of `len` bytes, at most STRING_LIMIT of them shown.
    void put_buffer(u64 addr, u64 len, Escape escape = Escape::Octal) {
        if (addr == 0) {
            put("NULL");
            return;
        }
        u8 bytes[STRING_LIMIT];
        usize shown = len < STRING_LIMIT ? static_cast<usize>(len) : STRING_LIMIT;
        if (shown > 0 && !m_mem.read(addr, bytes, shown)) {
            put_hex(addr);
            return;
        }
        QuotedWriter q(m_out, escape);
        for (usize i = 0; i < shown; ++i) q.feed(bytes[i]);
        q.finish(len > STRING_LIMIT ? Truncation::Truncated : Truncation::Complete);
    }

    // A NUL-terminated string of at most `limit` bytes before the NUL (a path, or getcwd's
    // result); strace does not apply -s to paths. Unreadable before its end: the address.
    void put_path(u64 addr, usize limit = PATH_LIMIT) {
        if (addr == 0) {
            put("NULL");
            return;
        }
        usize start = m_out.mark();
        QuotedWriter q(m_out, Escape::Octal);
        u8 chunk[64];
        usize done = 0;
        while (done < limit) {
            u64 at = addr + done;
            usize n = sizeof(chunk);
            if (n > limit - done) n = limit - done;
            usize got = read_prefix(at, chunk, n);
            for (usize i = 0; i < got; ++i) {
                if (chunk[i] == 0) {
                    q.finish(Truncation::Complete);
                    return;
                }
                q.feed(chunk[i]);
            }
            if (got < n) {
                m_out.rewind(start);
                put_hex(addr);
                return;
            }
            done += n;
        }
        q.finish(Truncation::Truncated);
    }

    // A NUL-terminated string held in a fixed-size field, -s limited (uname's fields).
    void put_field_string(const char* field, usize capacity) {
        usize len = strnlen(field, capacity);
        usize shown = len < STRING_LIMIT ? len : STRING_LIMIT;
        QuotedWriter q(m_out, Escape::Octal);
        for (usize i = 0; i < shown; ++i) q.feed(static_cast<u8>(field[i]));
        q.finish(len > STRING_LIMIT ? Truncation::Truncated : Truncation::Complete);
    }

    // Output buffer of read-like calls: the transferred bytes after success, else the pointer.
    void put_out_buffer(u64 addr, Escape escape = Escape::Octal) {
        if (succeeded())
            put_buffer(addr, result_count(), escape);
        else
            put_ptr(addr);
    }

    void put_timespec_value(const LinuxTimespec& ts) {
        put("{tv_sec=");
        put_int(ts.tv_sec);
        put(", tv_nsec=");
        put_int(ts.tv_nsec);
        m_out.put('}');
    }
    void put_timespec(u64 addr) {
        LinuxTimespec ts;
        if (addr == 0)
            put("NULL");
        else if (!read_user(addr, ts))
            put_hex(addr);
        else
            put_timespec_value(ts);
    }
    void put_timespec_out(u64 addr) {
        if (succeeded())
            put_timespec(addr);
        else
            put_ptr(addr);
    }

    // [value] of an int written by the call, or the pointer.
    void put_int_at(u64 addr) {
        i32 v;
        if (addr == 0) {
            put("NULL");
        } else if (!read_user(addr, v)) {
            put_hex(addr);
        } else {
            m_out.put('[');
            put_int(v);
            m_out.put(']');
        }
    }
    void put_int_out(u64 addr) {
        if (succeeded())
            put_int_at(addr);
        else
            put_ptr(addr);
    }

    void put_st_mode(u64 mode) {
        const char* type = lookup(table(FILE_TYPES), mode & S_IFMT);
        bool any = false;
        if (type != nullptr) {
            put(type);
            any = true;
        } else if ((mode & S_IFMT) != 0) {
            put_hex(mode & S_IFMT);
            any = true;
        }
        u64 special = mode & 07000;
        any = put_flag_names(special, table(MODE_SPECIAL_BITS), any);
        if (any) m_out.put('|');
        m_out.put_mode_octal(mode & 0777);
    }

    void put_makedev(u64 rdev) {
        // glibc's dev_t encoding: 32-bit major and minor, each split around the old 8:8 layout.
        u64 major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & 0xfffff000);
        u64 minor = (rdev & 0xff) | ((rdev >> 12) & 0xffffff00);
        put("makedev(");
        put_hex(major);
        put(", ");
        put_hex(minor);
        m_out.put(')');
    }

    void put_stat(u64 addr) {
        LinuxStat st;
        if (!succeeded() || addr == 0 || !read_user(addr, st)) {
            put_ptr(addr);
            return;
        }
        put("{st_mode=");
        put_st_mode(st.mode);
        u64 type = st.mode & S_IFMT;
        if (type == S_IFCHR || type == S_IFBLK) {
            put(", st_rdev=");
            put_makedev(st.rdev);
        } else {
            put(", st_size=");
            put_int(st.size);
        }
        put(", ...}");
    }

    void put_statx(u64 addr) {
        LinuxStatx stx;
        if (!succeeded() || addr == 0 || !read_user(addr, stx)) {
            put_ptr(addr);
            return;
        }
        put("{stx_mask=");
        put_flags(stx.mask, table(STATX_MASK), "STATX_");
        put(", stx_attributes=");
        put_flags(stx.attributes, table(STATX_ATTRIBUTES), "STATX_ATTR_");
        put(", stx_mode=");
        put_st_mode(stx.mode);
        put(", stx_size=");
        put_uint(stx.size);
        put(", ...}");
    }

    void put_statx_flags(u64 flags) {
        u64 sync = flags & STATX_SYNC_MASK;
        bool any;
        if (sync == 0) {
            put("AT_STATX_SYNC_AS_STAT");
            any = true;
        } else {
            any = put_flag_names(sync, table(STATX_SYNC_TYPES), false);
        }
        u64 rest = flags & ~STATX_SYNC_MASK;
        any = put_flag_names(rest, table(AT_FLAGS), any);
        put_flag_rest(rest, any, "AT_");
    }

    void put_rlim_value(u64 v) {
        if (v == ~u64{0}) {
            put("RLIM64_INFINITY");
        } else if (v > 1024 && v % 1024 == 0) {
            put_uint(v / 1024);
            put("*1024");
        } else {
            put_uint(v);
        }
    }
    void put_rlimit(u64 addr) {
        LinuxRlimit rl;
        if (addr == 0) {
            put("NULL");
        } else if (!read_user(addr, rl)) {
            put_hex(addr);
        } else {
            put("{rlim_cur=");
            put_rlim_value(rl.cur);
            put(", rlim_max=");
            put_rlim_value(rl.max);
            m_out.put('}');
        }
    }

    void put_sigaction(u64 addr) {
        LinuxKernelSigaction sa;
        if (addr == 0) {
            put("NULL");
            return;
        }
        if (!read_user(addr, sa)) {
            put_hex(addr);
            return;
        }
        put("{sa_handler=");
        if (sa.handler == 0)
            put("SIG_DFL");
        else if (sa.handler == 1)
            put("SIG_IGN");
        else
            put_hex(sa.handler);
        put(", sa_mask=");
        put_sigset_value(sa.mask);
        put(", sa_flags=");
        put_flags(sa.flags, table(SA_FLAGS), "SA_");
        if (sa.flags & SA_RESTORER) {
            put(", sa_restorer=");
            put_ptr(sa.restorer);
        }
        m_out.put('}');
    }

    // iovec array; IovData::LimitedByResult (readv) shows only the bytes the call transferred.
    enum class IovData { All, LimitedByResult };
    void put_iovec_array(u64 addr, u64 count, IovData data) {
        if (addr == 0 && count != 0) {
            put("NULL");
            return;
        }
        usize start = m_out.mark();
        bool show_data = data == IovData::All || succeeded();
        u64 remaining = result_count();
        m_out.put('[');
        for (u64 i = 0; i < count; ++i) {
            if (i > 0) sep();
            if (i == ARRAY_LIMIT) {
                put("...");
                break;
            }
            LinuxIovec iov;
            if (!read_user(addr + i * sizeof(LinuxIovec), iov)) {
                m_out.rewind(start);
                put_hex(addr);
                return;
            }
            put("{iov_base=");
            if (!show_data) {
                put_ptr(iov.base);
            } else if (data == IovData::All) {
                put_buffer(iov.base, iov.len);
            } else {
                u64 n = iov.len < remaining ? iov.len : remaining;
                put_buffer(iov.base, n);
                remaining -= n;
            }
            put(", iov_len=");
            put_uint(iov.len);
            m_out.put('}');
        }
        m_out.put(']');
    }

    // strace's date comment: `frac` in units of 10^-digits seconds, shown only when nonzero.
    void put_utc_date(i64 t, u64 frac = 0, usize digits = 0) {
        i64 days = t / 86400;
        i64 secs = t % 86400;
        if (secs < 0) {
            secs += 86400;
            days -= 1;
        }
        i64 year;
        u64 month, day;
        civil_from_days(days, year, month, day);
        put_int(year);
        m_out.put('-');
        m_out.put_dec2(month);
        m_out.put('-');
        m_out.put_dec2(day);
        m_out.put('T');
        m_out.put_dec2(static_cast<u64>(secs) / 3600);
        m_out.put(':');
        m_out.put_dec2(static_cast<u64>(secs) / 60 % 60);
        m_out.put(':');
        m_out.put_dec2(static_cast<u64>(secs) % 60);
        if (frac != 0) {
            char text[9];
            for (usize i = digits; i > 0; --i) {
                text[i - 1] = static_cast<char>('0' + frac % 10);
                frac /= 10;
            }
            m_out.put('.');
            for (usize i = 0; i < digits; ++i) m_out.put(text[i]);
        }
        put("+0000");
    }

    // utimensat's times: UTIME_NOW/UTIME_OMIT by name, else the timespec and its date.
    void put_utimens(u64 addr) {
        LinuxTimespec ts[2];
        if (addr == 0 || !read_user(addr, ts)) {
            put_ptr(addr);
            return;
        }
        m_out.put('[');
        for (int i = 0; i < 2; ++i) {
            if (i) sep();
            if (ts[i].tv_nsec == UTIME_NOW || ts[i].tv_nsec == UTIME_OMIT) {
                put(ts[i].tv_nsec == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
                continue;
            }
            put_timespec_value(ts[i]);
            if (ts[i].tv_nsec >= 0 && ts[i].tv_nsec < 1'000'000'000) {
                put(" /* ");
                put_utc_date(ts[i].tv_sec, static_cast<u64>(ts[i].tv_nsec), 9);
                put(" */");
            }
        }
        m_out.put(']');
    }

    // utimes' and futimesat's two timevals, each with its date.
    void put_utimes(u64 addr) {
        LinuxTimeval tv[2];
        if (addr == 0 || !read_user(addr, tv)) {
            put_ptr(addr);
            return;
        }
        m_out.put('[');
        for (int i = 0; i < 2; ++i) {
            if (i) sep();
            put("{tv_sec=");
            put_int(tv[i].tv_sec);
            put(", tv_usec=");
            put_int(tv[i].tv_usec);
            m_out.put('}');
            if (tv[i].tv_usec >= 0 && tv[i].tv_usec < 1'000'000) {
                put(" /* ");
                put_utc_date(tv[i].tv_sec, static_cast<u64>(tv[i].tv_usec), 6);
                put(" */");
            }
        }
        m_out.put(']');
    }

    void put_utimbuf(u64 addr) {
        LinuxUtimbuf u;
        if (addr == 0 || !read_user(addr, u)) {
            put_ptr(addr);
            return;
        }
        put("{actime=");
        put_int(u.actime);
        put(" /* ");
        put_utc_date(u.actime);
        put(" */, modtime=");
        put_int(u.modtime);
        put(" /* ");
        put_utc_date(u.modtime);
        put(" */}");
    }

    // struct flock; `with_pid` for the GETLK commands' result.
    void put_flock(u64 addr, bool with_pid) {
        LinuxFlock fl;
        if (addr == 0 || !read_user(addr, fl)) {
            put_ptr(addr);
            return;
        }
        put("{l_type=");
        put_enum(static_cast<u16>(fl.l_type), table(LOCK_TYPES), "F_");
        put(", l_whence=");
        put_enum(static_cast<u16>(fl.l_whence), table(SEEK_WHENCE), "SEEK_");
        put(", l_start=");
        put_int(fl.l_start);
        put(", l_len=");
        put_int(fl.l_len);
        if (with_pid) {
            put(", l_pid=");
            put_int(fl.l_pid);
        }
        m_out.put('}');
    }

    // uid_t/gid_t arguments: -1 ("unchanged") prints as -1.
    void put_id(usize i) { put_int(arg_int(i)); }

    // --- poll and select ------------------------------------------------------------------

    struct LinuxPollFd {
        i32 fd;
        i16 events;
        i16 revents;
    };

    // poll's array: "[{fd=3, events=POLLIN}, {fd=-1}]" (a negative fd has no events shown), or
    // with `revents` only the entries that have some: "[{fd=3, revents=POLLIN}]".
    void put_pollfds(u64 addr, u64 count, bool revents) {
        if (addr == 0 && !revents) {
            put("NULL");
            return;
        }
        usize start = m_out.mark();
        m_out.put('[');
        usize shown = 0;
        for (u64 i = 0; i < count; ++i) {
            LinuxPollFd p;
            if (!read_user(addr + i * sizeof p, p)) {
                m_out.rewind(start);
                put_hex(addr);
                return;
            }
            if (revents && p.revents == 0) continue;
            if (shown == ARRAY_LIMIT) {
                put(", ...");
                break;
            }
            if (shown++) sep();
            put("{fd=");
            put_int(p.fd);
            if (revents) {
                put(", revents=");
                put_flags(u16(p.revents), table(POLL_EVENTS), "POLL");
            } else if (p.fd >= 0) {
                put(", events=");
                put_flags(u16(p.events), table(POLL_EVENTS), "POLL");
            }
            m_out.put('}');
        }
        m_out.put(']');
    }

    // An fd_set of `nfds` bits: "[3 5 7]", NULL, or the address when unreadable (or, for an
    // input set, when the call has overwritten it with its result: see the top of the file).
    static constexpr i64 FD_SET_PRINT_LIMIT = 65536;
    void put_fd_set(u64 addr, i64 nfds) {
        if (addr == 0) {
            put("NULL");
            return;
        }
        if (nfds < 0) {
            put_hex(addr);
            return;
        }
        if (nfds > FD_SET_PRINT_LIMIT) nfds = FD_SET_PRINT_LIMIT;
        usize start = m_out.mark();
        m_out.put('[');
        bool first = true;
        for (i64 w = 0; w * 64 < nfds; ++w) {
            u64 word;
            if (!read_user(addr + u64(w) * 8, word)) {
                m_out.rewind(start);
                put_hex(addr);
                return;
            }
            for (i64 b = 0; b < 64 && w * 64 + b < nfds; ++b) {
                if (!(word & (u64{1} << b))) continue;
                if (!first) m_out.put(' ');
                first = false;
                put_int(w * 64 + b);
            }
        }
        m_out.put(']');
    }
    // select's input sets: still the input only when the call failed.
    void put_select_set(u64 addr, i64 nfds) {
        if (succeeded())
            put_ptr(addr);
        else
            put_fd_set(addr, nfds);
    }

    void put_timeval_value(const LinuxTimeval& tv) {
        put("{tv_sec=");
        put_int(tv.tv_sec);
        put(", tv_usec=");
        put_int(tv.tv_usec);
        m_out.put('}');
    }

    // The " (...)" after a successful poll/ppoll/select/pselect6: "Timeout", or the ready
    // entries and the time left ("left {...}") when a timeout was given.
    void put_poll_result() {
        if (m_result == 0) {
            put(" (Timeout)");
            return;
        }
        put(" (");
        const auto nr = static_cast<Sys>(m_nr);
        bool any = false;
        if (nr == Sys::poll || nr == Sys::ppoll) {
            put_pollfds(arg(0), arg_u32(1), true);
            any = true;
        } else {
            const i64 nfds = arg_int(0);
            static constexpr const char* NAMES[] = {"in ", "out ", "except "};
            for (usize i = 0; i < 3; ++i) {
                u64 addr = arg(1 + i);
                if (addr == 0) continue;
                usize start = m_out.mark();
                if (any) sep();
                put(NAMES[i]);
                usize before = m_out.mark();
                put_fd_set(addr, nfds);
                if (m_out.mark() == before + 2) { // "[]": strace leaves empty sets out
                    m_out.rewind(start);
                    continue;
                }
                any = true;
            }
        }
        u64 timeout = nr == Sys::ppoll ? arg(2) : nr == Sys::poll ? 0 : arg(4);
        if (timeout != 0) {
            if (any) sep();
            put("left ");
            if (nr == Sys::select) {
                LinuxTimeval tv;
                if (read_user(timeout, tv))
                    put_timeval_value(tv);
                else
                    put_hex(timeout);
            } else {
                put_timespec(timeout);
            }
        }
        m_out.put(')');
    }

    // --- per-syscall argument lists ---------------------------------------------------------

    void put_args() {
        switch (static_cast<Sys>(m_nr)) {
        case Sys::poll:
            put_pollfds(arg(0), arg_u32(1), false);
            sep();
            put_uint(arg_u32(1));
            sep();
            put_int(arg_int(2));
            return;
        case Sys::ppoll:
            put_pollfds(arg(0), arg_u32(1), false);
            sep();
            put_uint(arg_u32(1));
            sep();
            put_ptr(arg(2)); // holds the time left by now
            sep();
            put_sigset(arg(3), arg(4));
            sep();
            put_uint(arg(4));
            return;
        case Sys::select:
        case Sys::pselect6: {
            put_int(arg_int(0));
            for (usize i = 1; i <= 3; ++i) {
                sep();
                put_select_set(arg(i), arg_int(0));
            }
            sep();
            put_ptr(arg(4)); // holds the time left by now
            if (static_cast<Sys>(m_nr) == Sys::pselect6) {
                sep();
                struct {
                    u64 ss;
                    u64 ss_len;
                } sig;
                if (arg(5) == 0) {
                    put("NULL");
                } else if (!read_user(arg(5), sig)) {
                    put_hex(arg(5));
                } else {
                    put("{sigmask=");
                    put_sigset(sig.ss, sig.ss_len);
                    put(", sigsetsize=");
                    put_uint(sig.ss_len);
                    m_out.put('}');
                }
            }
            return;
        }
        case Sys::read:
            put_fd(0);
            sep();
            put_out_buffer(arg(1));
            sep();
            put_uint(arg(2));
            return;
        case Sys::write:
            put_fd(0);
            sep();
            put_buffer(arg(1), arg(2));
            sep();
            put_uint(arg(2));
            return;
        case Sys::pread64:
            put_fd(0);
            sep();
            put_out_buffer(arg(1));
            sep();
            put_uint(arg(2));
            sep();
            put_int(static_cast<i64>(arg(3)));
            return;
        case Sys::pwrite64:
            put_fd(0);
            sep();
            put_buffer(arg(1), arg(2));
            sep();
            put_uint(arg(2));
            sep();
            put_int(static_cast<i64>(arg(3)));
            return;
        case Sys::readv:
            put_fd(0);
            sep();
            put_iovec_array(arg(1), arg(2), IovData::LimitedByResult);
            sep();
            put_uint(arg(2));
            return;
        case Sys::writev:
            put_fd(0);
            sep();
            put_iovec_array(arg(1), arg(2), IovData::All);
            sep();
            put_uint(arg(2));
            return;
        case Sys::open:
            put_path(arg(0));
            sep();
            put_open_with_mode(1);
            return;
        case Sys::openat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_open_with_mode(2);
            return;
        case Sys::close:
        case Sys::dup:
        case Sys::fsync:
        case Sys::fdatasync:
        case Sys::fchdir:
            put_fd(0);
            return;
        case Sys::dup2:
            put_fd(0);
            sep();
            put_fd(1);
            return;
        case Sys::dup3:
            put_fd(0);
            sep();
            put_fd(1);
            sep();
            put_flags(arg_u32(2), table(OPEN_FLAGS), "O_");
            return;
        case Sys::pipe:
            put_fd_pair(arg(0));
            return;
        case Sys::pipe2:
            put_fd_pair(arg(0));
            sep();
            put_flags(arg_u32(1), table(OPEN_FLAGS), "O_");
            return;
        case Sys::stat:
        case Sys::lstat:
            put_path(arg(0));
            sep();
            put_stat(arg(1));
            return;
        case Sys::fstat:
            put_fd(0);
            sep();
            put_stat(arg(1));
            return;
        case Sys::newfstatat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_stat(arg(2));
            sep();
            put_flags(arg_u32(3), table(AT_FLAGS), "AT_");
            return;
        case Sys::statx:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_statx_flags(arg_u32(2));
            sep();
            put_flags(arg_u32(3), table(STATX_MASK), "STATX_");
            sep();
            put_statx(arg(4));
            return;
        case Sys::lseek:
            put_fd(0);
            sep();
            put_int(static_cast<i64>(arg(1)));
            sep();
            put_enum(arg_u32(2), table(SEEK_WHENCE), "SEEK_");
            return;
        case Sys::mmap:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            sep();
            put_prot(arg(2));
            sep();
            put_map_flags(arg_u32(3));
            sep();
            put_fd(4);
            sep();
            put_hex(arg(5));
            return;
        case Sys::mprotect:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            sep();
            put_prot(arg(2));
            return;
        case Sys::munmap:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            return;
        case Sys::brk:
            put_ptr(arg(0));
            return;
        case Sys::madvise:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            sep();
            put_enum(arg_u32(2), table(MADVISE_ADVICE), "MADV_");
            return;
        case Sys::msync:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            sep();
            put_flags(arg_u32(2), table(MSYNC_FLAGS), "MS_");
            return;
        case Sys::memfd_create:
            put_path(arg(0));
            sep();
            put_flags(arg_u32(1), table(MFD_FLAGS), "MFD_");
            return;
        case Sys::fallocate:
            put_fd(0);
            sep();
            put_flags(arg_u32(1), table(FALLOC_FLAGS), "FALLOC_FL_");
            sep();
            put_int(static_cast<i64>(arg(2)));
            sep();
            put_int(static_cast<i64>(arg(3)));
            return;
        case Sys::mremap:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            sep();
            put_uint(arg(2));
            sep();
            put_flags(arg(3), table(MREMAP_FLAGS), "MREMAP_");
            if (arg(3) & MREMAP_FIXED) {
                sep();
                put_ptr(arg(4));
            }
            return;
        case Sys::rt_sigaction:
            put_signal(arg_int(0));
            sep();
            put_sigaction(arg(1));
            sep();
            if (succeeded())
                put_sigaction(arg(2));
            else
                put_ptr(arg(2));
            sep();
            put_uint(arg(3));
            return;
        case Sys::rt_sigprocmask:
            put_enum(arg_u32(0), table(SIGPROCMASK_HOW), "SIG_");
            sep();
            put_sigset(arg(1), arg(3));
            sep();
            if (succeeded())
                put_sigset(arg(2), arg(3));
            else
                put_ptr(arg(2));
            sep();
            put_uint(arg(3));
            return;
        case Sys::ioctl:
            put_ioctl();
            return;
        case Sys::access:
            put_path(arg(0));
            sep();
            put_flags(arg_u32(1), table(ACCESS_MODES), "", "F_OK");
            return;
        case Sys::faccessat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_flags(arg_u32(2), table(ACCESS_MODES), "", "F_OK");
            return;
        case Sys::faccessat2:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_flags(arg_u32(2), table(ACCESS_MODES), "", "F_OK");
            sep();
            put_flags(arg_u32(3), table(FACCESSAT_FLAGS), "AT_");
            return;
        case Sys::nanosleep:
            put_timespec(arg(0));
            sep();
            put_sleep_remainder(arg(1));
            return;
        case Sys::clock_nanosleep:
            put_clock(arg(0));
            sep();
            put_flags(arg_u32(1), table(TIMER_FLAGS), "TIMER_");
            sep();
            put_timespec(arg(2));
            sep();
            put_sleep_remainder(arg(3));
            return;
        case Sys::getpid:
        case Sys::gettid:
        case Sys::getppid:
        case Sys::getuid:
        case Sys::geteuid:
        case Sys::getgid:
        case Sys::getegid:
        case Sys::getpgrp:
        case Sys::setsid:
        case Sys::sched_yield:
        case Sys::fork:
        case Sys::vfork:
            return;
        case Sys::uname:
            put_uname(arg(0));
            return;
        case Sys::fcntl:
            put_fcntl();
            return;
        case Sys::flock:
            put_fd(0);
            sep();
            put_flags(arg_u32(1), table(FLOCK_OPS), "LOCK_");
            return;
        case Sys::ftruncate:
            put_fd(0);
            sep();
            put_int(static_cast<i64>(arg(1)));
            return;
        case Sys::getdents64:
            put_fd(0);
            sep();
            put_dirents(arg(1));
            sep();
            put_uint(arg(2));
            return;
        case Sys::getcwd:
            if (succeeded())
                put_path(arg(0), static_cast<usize>(result_count()));
            else
                put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            return;
        case Sys::chdir:
        case Sys::rmdir:
        case Sys::unlink:
            put_path(arg(0));
            return;
        case Sys::rename:
            put_path(arg(0));
            sep();
            put_path(arg(1));
            return;
        case Sys::renameat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_dirfd(2);
            sep();
            put_path(arg(3));
            return;
        case Sys::renameat2:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_dirfd(2);
            sep();
            put_path(arg(3));
            sep();
            put_flags(arg_u32(4), table(RENAME_FLAGS), "RENAME_");
            return;
        case Sys::mkdir:
        case Sys::chmod:
            put_path(arg(0));
            sep();
            put_mode(arg(1));
            return;
        case Sys::mkdirat:
        case Sys::fchmodat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_mode(arg(2));
            return;
        case Sys::fchmod:
            put_fd(0);
            sep();
            put_mode(arg(1));
            return;
        case Sys::unlinkat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_flags(arg_u32(2), table(AT_FLAGS), "AT_");
            return;
        case Sys::utimensat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_utimens(arg(2));
            sep();
            put_flags(arg_u32(3), table(AT_FLAGS), "AT_");
            return;
        case Sys::utimes:
            put_path(arg(0));
            sep();
            put_utimes(arg(1));
            return;
        case Sys::futimesat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_utimes(arg(2));
            return;
        case Sys::utime:
            put_path(arg(0));
            sep();
            put_utimbuf(arg(1));
            return;
        case Sys::symlink:
        case Sys::link:
            put_path(arg(0));
            sep();
            put_path(arg(1));
            return;
        case Sys::symlinkat:
            put_path(arg(0));
            sep();
            put_dirfd(1);
            sep();
            put_path(arg(2));
            return;
        case Sys::linkat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_dirfd(2);
            sep();
            put_path(arg(3));
            sep();
            put_flags(arg_u32(4), table(AT_FLAGS), "AT_");
            return;
        case Sys::chown:
        case Sys::lchown:
            put_path(arg(0));
            sep();
            put_id(1);
            sep();
            put_id(2);
            return;
        case Sys::fchown:
            put_fd(0);
            sep();
            put_id(1);
            sep();
            put_id(2);
            return;
        case Sys::fchownat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_id(2);
            sep();
            put_id(3);
            sep();
            put_flags(arg_u32(4), table(AT_FLAGS), "AT_");
            return;
        case Sys::readlink:
            put_path(arg(0));
            sep();
            put_out_buffer(arg(1));
            sep();
            put_uint(arg(2));
            return;
        case Sys::readlinkat:
            put_dirfd(0);
            sep();
            put_path(arg(1));
            sep();
            put_out_buffer(arg(2));
            sep();
            put_uint(arg(3));
            return;
        case Sys::exit:
        case Sys::exit_group:
            put_int(arg_int(0));
            return;
        case Sys::arch_prctl:
            put_arch_prctl();
            return;
        case Sys::set_tid_address:
            put_hex(arg(0));
            return;
        case Sys::set_robust_list:
            put_ptr(arg(0));
            sep();
            put_uint(arg(1));
            return;
        case Sys::rseq:
            put_hex(arg(0));
            sep();
            put_hex(arg_u32(1));
            sep();
            put_hex(arg_u32(2));
            sep();
            put_hex(arg_u32(3));
            return;
        case Sys::gettimeofday:
            put_timeval_out(arg(0));
            sep();
            put_timezone_out(arg(1));
            return;
        case Sys::time:
            put_time_out(arg(0));
            return;
        case Sys::clock_gettime:
        case Sys::clock_getres:
            put_clock(arg(0));
            sep();
            put_timespec_out(arg(1));
            return;
        case Sys::sysinfo:
            put_sysinfo(arg(0));
            return;
        case Sys::prlimit64:
            put_int(arg_int(0));
            sep();
            put_enum(arg_u32(1), table(RLIMIT_RESOURCES), "RLIMIT_");
            sep();
            put_rlimit(arg(2));
            sep();
            if (succeeded())
                put_rlimit(arg(3));
            else
                put_ptr(arg(3));
            return;
        case Sys::getrandom:
            put_out_buffer(arg(0), Escape::Hex);
            sep();
            put_uint(arg(1));
            sep();
            put_flags(arg_u32(2), table(GETRANDOM_FLAGS), "GRND_");
            return;
        case Sys::sched_getaffinity:
            put_int(arg_int(0));
            sep();
            put_uint(arg(1));
            sep();
            put_cpu_mask(arg(2));
            return;
        case Sys::futex:
            put_futex();
            return;
        case Sys::kill:
        case Sys::tkill:
            put_int(arg_int(0));
            sep();
            put_signal(arg_int(1));
            return;
        case Sys::tgkill:
            put_int(arg_int(0));
            sep();
            put_int(arg_int(1));
            sep();
            put_signal(arg_int(2));
            return;
        case Sys::clone:
            put_clone();
            return;
        case Sys::clone3:
            put_clone3();
            sep();
            put_uint(arg(1));
            return;
        default:
            put_hex_args(0, syscall_arity(m_nr));
            return;
        }
    }

    void put_open_with_mode(usize flags_index) {
        u64 flags = arg_u32(flags_index);
        put_open_flags(flags);
        if (flags & (O_CREAT | O_TMPFILE_BIT)) {
            sep();
            put_mode(arg(flags_index + 1));
        }
    }

    void put_fd_pair(u64 addr) {
        i32 fds[2];
        if (!succeeded() || addr == 0 || !read_user(addr, fds)) {
            put_ptr(addr);
            return;
        }
        m_out.put('[');
        put_int(fds[0]);
        sep();
        put_int(fds[1]);
        m_out.put(']');
    }

    void put_prot(u64 prot) { put_flags(prot, table(PROT_FLAGS), "PROT_", "PROT_NONE"); }

    void put_map_flags(u64 flags) {
        u64 type = flags & MAP_TYPE_MASK;
        const char* type_name = lookup(table(MAP_TYPES), type);
        if (type_name != nullptr)
            put(type_name);
        else
            put_unknown(type, "MAP_");
        u64 rest = flags & ~MAP_TYPE_MASK;
        put_flag_names(rest, table(MAP_FLAGS), true);
        u64 huge = (rest >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        if (huge != 0) {
            m_out.put('|');
            put_uint(huge);
            put("<<MAP_HUGE_SHIFT");
            rest &= ~(MAP_HUGE_MASK << MAP_HUGE_SHIFT);
        }
        put_flag_rest(rest, true, "MAP_");
    }

    // nanosleep's remainder is only written when a signal interrupted the sleep (the call then
    // fails with EINTR or, seen from inside the kernel, ERESTART_RESTARTBLOCK).
    void put_sleep_remainder(u64 addr) {
        bool interrupted = returned() && (m_result == -static_cast<i64>(Errno::EINTR) ||
                                          m_result == -ERESTART_RESTARTBLOCK);
        if (interrupted)
            put_timespec(addr);
        else
            put_ptr(addr);
    }

    void put_uname(u64 addr) {
        // Only sysname and nodename are shown; strace elides the rest with "...".
        char fields[2 * UTSNAME_FIELD];
        if (!succeeded() || addr == 0 || !m_mem.read(addr, fields, sizeof(fields))) {
            put_ptr(addr);
            return;
        }
        put("{sysname=");
        put_field_string(fields, UTSNAME_FIELD);
        put(", nodename=");
        put_field_string(fields + UTSNAME_FIELD, UTSNAME_FIELD);
        put(", ...}");
    }

    void put_fcntl() {
        put_fd(0);
        sep();
        u64 cmd = arg_u32(1);
        put_enum(cmd, table(FCNTL_COMMANDS), "F_");
        switch (cmd) {
        case 1:    // F_GETFD
        case 3:    // F_GETFL
        case 9:    // F_GETOWN
        case 11:   // F_GETSIG
        case 1025: // F_GETLEASE
        case 1032: // F_GETPIPE_SZ
        case 1034: // F_GET_SEALS
            return;
        case 0:    // F_DUPFD
        case 1030: // F_DUPFD_CLOEXEC
            sep();
            put_uint(arg(2));
            return;
        case 2: // F_SETFD
            sep();
            put_flags(arg_u32(2), table(FD_FLAGS), "FD_");
            return;
        case 4: // F_SETFL
            sep();
            put_open_flags(arg_u32(2));
            return;
        case 5:  // F_GETLK
        case 36: // F_OFD_GETLK
            sep();
            if (succeeded())
                put_flock(arg(2), true);
            else
                put_ptr(arg(2));
            return;
        case 6:  // F_SETLK
        case 7:  // F_SETLKW
        case 37: // F_OFD_SETLK
        case 38: // F_OFD_SETLKW
            sep();
            put_flock(arg(2), false);
            return;
        case 15: // F_SETOWN_EX
        case 16: // F_GETOWN_EX
            sep();
            put_ptr(arg(2));
            return;
        case 8:    // F_SETOWN
        case 10:   // F_SETSIG
        case 1024: // F_SETLEASE
        case 1026: // F_NOTIFY
        case 1031: // F_SETPIPE_SZ
        case 1033: // F_ADD_SEALS
            sep();
            put_int(arg_int(2));
            return;
        default:
            sep();
            put_hex(arg(2));
            return;
        }
    }

    void put_dirents(u64 addr) {
        if (!succeeded() || addr == 0) {
            put_ptr(addr);
            return;
        }
        // strace's non-verbose form: the pointer and how many entries the call returned.
        u64 total = result_count();
        u64 entries = 0;
        u64 offset = 0;
        while (offset < total) {
            u16 reclen;
            if (!read_user(addr + offset + DIRENT64_RECLEN_OFFSET, reclen)) {
                put_hex(addr);
                return;
            }
            if (reclen == 0) break;
            ++entries;
            offset += reclen;
        }
        put_hex(addr);
        put(" /* ");
        put_uint(entries);
        put(" entries */"); // sic, also for one
    }

    void put_arch_prctl() {
        u64 code = arg_u32(0);
        put_enum(code, table(ARCH_PRCTL_CODES), "ARCH_");
        sep();
        u64 value;
        if ((code == ARCH_GET_FS || code == ARCH_GET_GS) && succeeded() &&
            read_user(arg(1), value)) {
            m_out.put('[');
            put_hex(value);
            m_out.put(']');
        } else {
            put_hex(arg(1));
        }
    }

    void put_timeval_out(u64 addr) {
        LinuxTimeval tv;
        if (!succeeded() || addr == 0 || !read_user(addr, tv)) {
            put_ptr(addr);
            return;
        }
        put("{tv_sec=");
        put_int(tv.tv_sec);
        put(", tv_usec=");
        put_int(tv.tv_usec);
        m_out.put('}');
    }

    void put_timezone_out(u64 addr) {
        LinuxTimezone tz;
        if (!succeeded() || addr == 0 || !read_user(addr, tz)) {
            put_ptr(addr);
            return;
        }
        put("{tz_minuteswest=");
        put_int(tz.minuteswest);
        put(", tz_dsttime=");
        put_int(tz.dsttime);
        m_out.put('}');
    }

    void put_time_out(u64 addr) {
        i64 t;
        if (!succeeded() || addr == 0 || !read_user(addr, t)) {
            put_ptr(addr);
            return;
        }
        m_out.put('[');
        put_int(t);
        put(" /* ");
        put_utc_date(t);
        put(" */]");
    }

    void put_sysinfo(u64 addr) {
        LinuxSysinfo si;
        if (!succeeded() || addr == 0 || !read_user(addr, si)) {
            put_ptr(addr);
            return;
        }
        put("{uptime=");
        put_int(si.uptime);
        put(", loads=[");
        put_uint(si.loads[0]);
        sep();
        put_uint(si.loads[1]);
        sep();
        put_uint(si.loads[2]);
        put("], totalram=");
        put_uint(si.totalram);
        put(", freeram=");
        put_uint(si.freeram);
        put(", sharedram=");
        put_uint(si.sharedram);
        put(", bufferram=");
        put_uint(si.bufferram);
        put(", totalswap=");
        put_uint(si.totalswap);
        put(", freeswap=");
        put_uint(si.freeswap);
        put(", procs=");
        put_uint(si.procs);
        put(", totalhigh=");
        put_uint(si.totalhigh);
        put(", freehigh=");
        put_uint(si.freehigh);
        put(", mem_unit=");
        put_uint(si.mem_unit);
        m_out.put('}');
    }

    void put_cpu_mask(u64 addr) {
        if (!succeeded() || addr == 0) {
            put_ptr(addr);
            return;
        }
        usize start = m_out.mark();
        u64 bytes = result_count();
        m_out.put('[');
        bool first = true;
        for (u64 offset = 0; offset < bytes; offset += sizeof(u64)) {
            u64 word = 0;
            u64 n = bytes - offset < sizeof(u64) ? bytes - offset : sizeof(u64);
            if (!m_mem.read(addr + offset, &word, static_cast<usize>(n))) {
                m_out.rewind(start);
                put_hex(addr);
                return;
            }
            for (u64 bit = 0; bit < 64; ++bit) {
                if ((word & (u64{1} << bit)) == 0) continue;
                if (!first) m_out.put(' ');
                first = false;
                put_uint(offset * 8 + bit);
            }
        }
        m_out.put(']');
    }

    void put_futex_wake_op(u32 v) {
        u32 op = (v >> 28) & 7;
        if (v & 0x80000000) put("FUTEX_OP_OPARG_SHIFT<<28|");
        const char* op_name = lookup(table(FUTEX_WAKE_OPS), op);
        if (op_name != nullptr) {
            put(op_name);
            put("<<28");
        } else {
            put_hex(op);
            put("<<28 /* FUTEX_OP_??? */");
        }
        m_out.put('|');
        put_hex((v >> 12) & 0xfff);
        put("<<12|");
        u32 cmp = (v >> 24) & 0xf;
        const char* cmp_name = lookup(table(FUTEX_WAKE_CMPS), cmp);
        if (cmp_name != nullptr) {
            put(cmp_name);
            put("<<24");
        } else {
            put_hex(cmp);
            put("<<24 /* FUTEX_OP_CMP_??? */");
        }
        m_out.put('|');
        put_hex(v & 0xfff);
    }

    void put_bitset(u32 v) {
        if (v == 0xffffffff)
            put("FUTEX_BITSET_MATCH_ANY");
        else
            put_hex(v);
    }

    void put_futex() {
        put_ptr(arg(0));
        sep();
        u64 op = arg_u32(1);
        u64 cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        const char* name = lookup(table(FUTEX_COMMANDS), cmd);
        if (name == nullptr) {
            put_unknown(op, "FUTEX_");
            sep();
            put_uint(arg_u32(2));
            sep();
            put_ptr(arg(3));
            sep();
            put_ptr(arg(4));
            sep();
            put_hex(arg_u32(5));
            return;
        }
        put(name);
        if (op & FUTEX_PRIVATE_FLAG) put("_PRIVATE");
        if (op & FUTEX_CLOCK_REALTIME) put("|FUTEX_CLOCK_REALTIME");
        u32 val = arg_u32(2);
        switch (cmd) {
        case 0: // FUTEX_WAIT
            sep();
            put_uint(val);
            sep();
            put_timespec(arg(3));
            return;
        case 1: // FUTEX_WAKE
        case 2: // FUTEX_FD
            sep();
            put_uint(val);
            return;
        case 3: // FUTEX_REQUEUE
            sep();
            put_uint(val);
            sep();
            put_uint(arg_u32(3));
            sep();
            put_ptr(arg(4));
            return;
        case 4:  // FUTEX_CMP_REQUEUE
        case 12: // FUTEX_CMP_REQUEUE_PI
            sep();
            put_uint(val);
            sep();
            put_uint(arg_u32(3));
            sep();
            put_ptr(arg(4));
            sep();
            put_uint(arg_u32(5));
            return;
        case 5: // FUTEX_WAKE_OP
            sep();
            put_uint(val);
            sep();
            put_uint(arg_u32(3));
            sep();
            put_ptr(arg(4));
            sep();
            put_futex_wake_op(arg_u32(5));
            return;
        case 6:  // FUTEX_LOCK_PI
        case 13: // FUTEX_LOCK_PI2
            sep();
            put_timespec(arg(3));
            return;
        case 7: // FUTEX_UNLOCK_PI
        case 8: // FUTEX_TRYLOCK_PI
            return;
        case 9: // FUTEX_WAIT_BITSET
            sep();
            put_uint(val);
            sep();
            put_timespec(arg(3));
            sep();
            put_bitset(arg_u32(5));
            return;
        case 10: // FUTEX_WAKE_BITSET
            sep();
            put_uint(val);
            sep();
            put_bitset(arg_u32(5));
            return;
        case 11: // FUTEX_WAIT_REQUEUE_PI
            sep();
            put_uint(val);
            sep();
            put_timespec(arg(3));
            sep();
            put_ptr(arg(4));
            return;
        default:
            return;
        }
    }

    // A tid the kernel stored for the caller: [tid] after success, else the pointer.
    void put_tid_out(u64 addr) {
        i32 tid;
        if (succeeded() && addr != 0 && read_user(addr, tid)) {
            m_out.put('[');
            put_int(tid);
            m_out.put(']');
        } else {
            put_ptr(addr);
        }
    }

    void put_clone() {
        u64 flags = arg(0);
        put("child_stack=");
        put_ptr(arg(1));
        put(", flags=");
        u64 rest = flags & ~CSIGNAL;
        bool any = put_flag_names(rest, table(CLONE_FLAGS), false);
        if (rest != 0) {
            if (any) m_out.put('|');
            put_hex(rest);
            any = true;
        }
        u64 exit_signal = flags & CSIGNAL;
        if (exit_signal != 0) {
            if (any) m_out.put('|');
            put_signal(static_cast<i64>(exit_signal));
        } else if (!any) {
            m_out.put('0');
        }
        if (flags & CLONE_PARENT_SETTID) {
            put(", parent_tid=");
            put_tid_out(arg(2));
        }
        if (flags & CLONE_SETTLS) {
            put(", tls=");
            put_ptr(arg(4));
        }
        if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
            put(", child_tidptr=");
            put_ptr(arg(3));
        }
    }

    void put_clone3() {
        u64 addr = arg(0);
        u64 size = arg(1);
        LinuxCloneArgs ca;
        memset(&ca, 0, sizeof(ca));
        usize want = size < sizeof(ca) ? static_cast<usize>(size) : sizeof(ca);
        if (addr == 0 || size < CLONE_ARGS_SIZE_VER0 || !m_mem.read(addr, &ca, want)) {
            put_ptr(addr);
            return;
        }
        put("{flags=");
        if (ca.flags == 0) {
            m_out.put('0');
        } else {
            u64 rest = ca.flags;
            bool any = put_flag_names(rest, table(CLONE_FLAGS), false);
            any = put_flag_names(rest, table(CLONE3_EXTRA_FLAGS), any);
            put_flag_rest(rest, any, "CLONE_");
        }
        if (ca.flags & CLONE_PIDFD) {
            put(", pidfd=");
            put_ptr(ca.pidfd);
        }
        if (ca.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
            put(", child_tid=");
            put_ptr(ca.child_tid);
        }
        if (ca.flags & CLONE_PARENT_SETTID) {
            put(", parent_tid=");
            put_ptr(ca.parent_tid);
        }
        put(", exit_signal=");
        if (ca.exit_signal <= static_cast<u64>(SIGNAL_MAX))
            put_signal(static_cast<i64>(ca.exit_signal));
        else
            put_uint(ca.exit_signal);
        put(", stack=");
        put_ptr(ca.stack);
        put(", stack_size=");
        put_hex(ca.stack_size);
        if (ca.flags & CLONE_SETTLS) {
            put(", tls=");
            put_ptr(ca.tls);
        }
        if (ca.set_tid != 0 || ca.set_tid_size != 0) {
            put(", set_tid=");
            put_ptr(ca.set_tid);
            put(", set_tid_size=");
            put_uint(ca.set_tid_size);
        }
        if (ca.flags & CLONE_INTO_CGROUP) {
            put(", cgroup=");
            put_uint(ca.cgroup);
        }
        m_out.put('}');
        // What the kernel wrote back, as strace shows it on exit.
        bool pidfd = (ca.flags & CLONE_PIDFD) != 0;
        bool parent_tid = (ca.flags & CLONE_PARENT_SETTID) != 0;
        if (succeeded() && (pidfd || parent_tid)) {
            put(" => {");
            if (pidfd) {
                put("pidfd=");
                put_int_at(ca.pidfd);
            }
            if (parent_tid) {
                if (pidfd) sep();
                put("parent_tid=");
                put_int_at(ca.parent_tid);
            }
            m_out.put('}');
        }
    }

    // Termios flag words: names, then unknown bits in plain hex (strace adds no comment here).
    void put_termios_flags(u64 rest, NameTable names) {
        bool any = put_flag_names(rest, names, false);
        if (rest != 0) {
            if (any) m_out.put('|');
            put_hex(rest);
        }
    }

    void put_termios(u64 addr) {
        LinuxTermios t;
        if (addr == 0) {
            put("NULL");
            return;
        }
        if (!read_user(addr, t)) {
            put_hex(addr);
            return;
        }
        // strace's own quirks: empty flag sets print as nothing, and c_oflag/c_cflag keep the
        // '|' after their delay/baud/size fields even when no flag follows.
        put("{c_iflag=");
        put_termios_flags(t.iflag, table(TERMIOS_IFLAGS));
        put(", c_oflag=");
        put(t.oflag & 0400 ? "NL1|" : "NL0|");
        static constexpr const char* CR[] = {"CR0|", "CR1|", "CR2|", "CR3|"};
        static constexpr const char* TAB[] = {"TAB0|", "TAB1|", "TAB2|", "XTABS|"};
        put(CR[(t.oflag >> 9) & 3]);
        put(TAB[(t.oflag >> 11) & 3]);
        put(t.oflag & 020000 ? "BS1|" : "BS0|");
        put(t.oflag & 040000 ? "VT1|" : "VT0|");
        put(t.oflag & 0100000 ? "FF1|" : "FF0|");
        put_termios_flags(t.oflag & ~u64{0177400}, table(TERMIOS_OFLAGS));
        put(", c_cflag=");
        put(lookup(table(TERMIOS_BAUDS), t.cflag & TERMIOS_CBAUD));
        m_out.put('|');
        u32 ibaud = (t.cflag >> TERMIOS_IBSHIFT) & TERMIOS_CBAUD;
        if (ibaud != 0) {
            put(lookup(table(TERMIOS_BAUDS), ibaud));
            put("<<IBSHIFT|");
        }
        static constexpr const char* CS[] = {"CS5|", "CS6|", "CS7|", "CS8|"};
        put(CS[(t.cflag & TERMIOS_CSIZE) >> 4]);
        u64 size_and_bauds =
            TERMIOS_CBAUD | (u64{TERMIOS_CBAUD} << TERMIOS_IBSHIFT) | TERMIOS_CSIZE;
        put_termios_flags(t.cflag & ~size_and_bauds, table(TERMIOS_CFLAGS));
        put(", c_lflag=");
        put_termios_flags(t.lflag, table(TERMIOS_LFLAGS));
        put(", ...}");
    }

    void put_winsize(u64 addr) {
        LinuxWinsize ws;
        if (addr == 0) {
            put("NULL");
            return;
        }
        if (!read_user(addr, ws)) {
            put_hex(addr);
            return;
        }
        put("{ws_row=");
        put_uint(ws.row);
        put(", ws_col=");
        put_uint(ws.col);
        put(", ws_xpixel=");
        put_uint(ws.xpixel);
        put(", ws_ypixel=");
        put_uint(ws.ypixel);
        m_out.put('}');
    }

    void put_ioctl() {
        put_fd(0);
        sep();
        u64 request = arg_u32(1);
        const IoctlInfo* info = nullptr;
        for (const IoctlInfo& candidate : IOCTLS)
            if (candidate.request == request) info = &candidate;
        if (info == nullptr) {
            // _IOC(dir, type, nr, size) as strace spells an ioctl it does not know.
            static constexpr const char* DIRS[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
                                                   "_IOC_READ|_IOC_WRITE"};
            put("_IOC(");
            put(DIRS[(request >> 30) & 3]);
            sep();
            put_hex((request >> 8) & 0xff);
            sep();
            put_hex(request & 0xff);
            sep();
            put_hex((request >> 16) & 0x3fff);
            put("), ");
            put_hex(arg(2));
            return;
        }
        put(info->name);
        u64 a = arg(2);
        switch (info->arg) {
        case IoctlArg::None:
            return;
        case IoctlArg::Hex:
            sep();
            put_hex(a);
            return;
        case IoctlArg::Pointer:
            sep();
            put_ptr(a);
            return;
        case IoctlArg::Termios:
            sep();
            put_termios(a);
            return;
        case IoctlArg::TermiosOut:
            sep();
            if (succeeded())
                put_termios(a);
            else
                put_ptr(a);
            return;
        case IoctlArg::Winsize:
            sep();
            put_winsize(a);
            return;
        case IoctlArg::WinsizeOut:
            sep();
            if (succeeded())
                put_winsize(a);
            else
                put_ptr(a);
            return;
        case IoctlArg::IntIn:
            sep();
            put_int_at(a);
            return;
        case IoctlArg::IntOut:
            sep();
            put_int_out(a);
            return;
        case IoctlArg::TcxoncArg:
            sep();
            put_enum(a, table(TCXONC_ARGS), "TC");
            return;
        case IoctlArg::TcflshArg:
            sep();
            put_enum(a, table(TCFLSH_ARGS), "TC");
            return;
        }
    }

    // --- the return value -------------------------------------------------------------------

    void put_result() {
        if (!returned()) {
            put(" = ?");
            return;
        }
        if (is_error_result(m_result)) {
            put_error(-m_result);
            return;
        }
        put(" = ");
        switch (static_cast<Sys>(m_nr)) {
        case Sys::poll:
        case Sys::ppoll:
        case Sys::select:
        case Sys::pselect6:
            put_int(m_result);
            put_poll_result();
            return;
        case Sys::time:
            put_int(m_result);
            put(" (");
            put_utc_date(m_result);
            m_out.put(')');
            return;
        case Sys::fcntl:
            if (arg_u32(1) == 3) { // F_GETFL
                put_hex(static_cast<u64>(m_result));
                put(" (flags ");
                put_open_flags(static_cast<u64>(m_result));
                m_out.put(')');
                return;
            }
            if (arg_u32(1) == 1 && m_result != 0) { // F_GETFD
                put_hex(static_cast<u64>(m_result));
                put(" (flags ");
                put_flags(static_cast<u64>(m_result), table(FD_FLAGS), "FD_");
                m_out.put(')');
                return;
            }
            break;
        default:
            break;
        }
        if (returns_address(m_nr))
            put_hex(static_cast<u64>(m_result));
        else
            put_int(m_result);
    }

    void put_error(i64 error) {
        for (const RestartCode& code : RESTART_CODES) {
            if (code.number == error) {
                put(" = ? ");
                put(code.name);
                put(" (");
                put(code.text);
                m_out.put(')');
                return;
            }
        }
        put(" = -1 ");
        Errno e = static_cast<Errno>(error);
        const char* name = errno_name(e);
        const char* message = errno_message(e);
        if (name != nullptr && message != nullptr) {
            put(name);
            put(" (");
            put(message);
            m_out.put(')');
        } else {
            put("ERRNO_");
            put_int(error);
            put(" (Unknown error ");
            put_int(error);
            m_out.put(')');
        }
    }

    LineWriter& m_out;
    const UserMemory& m_mem;
    u64 m_nr;
    const u64* m_args;
    i64 m_result;
    Completion m_completion;
};

usize format(char* buf, usize size, u64 nr, const u64 args[6], i64 result, Completion completion,
             const UserMemory& mem) {
    LineWriter out(buf, size);
    Tracer(out, mem, nr, args, result, completion).run();
    return out.finish();
}

} // namespace

const char* syscall_name(u64 nr) {
    switch (nr) {
#define JVMOS_SYSCALL_NAME(number, name)                                                           \
    case number:                                                                                   \
        return #name;
        JVMOS_LINUX_SYSCALLS(JVMOS_SYSCALL_NAME)
#undef JVMOS_SYSCALL_NAME
    default:
        return nullptr;
    }
}

usize format_syscall(char* buf, usize size, u64 nr, const u64 args[6], i64 result,
                     const UserMemory& mem) {
    return format(buf, size, nr, args, result, Completion::Returned, mem);
}

usize format_syscall_noreturn(char* buf, usize size, u64 nr, const u64 args[6],
                              const UserMemory& mem) {
    return format(buf, size, nr, args, 0, Completion::NoReturn, mem);
}

} // namespace jvmos::shim
