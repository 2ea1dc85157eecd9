/* Links, ownership, timestamps and record locks in a fresh directory: utimensat/futimens/utimes/
 * utime with fixed times read back by stat (UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW),
 * symlink/readlink/lstat (targets stored verbatim), link counts after link/linkat, chown
 * family, and fcntl record locks: POSIX locks (F_GETLK from the same process sees none, closing
 * any fd of the file drops them), OFD locks (two descriptions conflict, a dup shares one) and a
 * blocking F_OFD_SETLKW that another thread ends by unlocking. */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

static void expect_errno(long r, int err, const char* what) {
    if (r != -1 || errno != err) {
        printf("FAIL: %s: r=%ld errno=%d (%s), wanted %s\n", what, r, errno, strerror(errno),
               strerror(err));
        exit(1);
    }
    printf("ok: %s -> %s\n", what, strerror(err));
}

static int same_time(struct timespec a, long long sec, long nsec) {
    return a.tv_sec == sec && a.tv_nsec == nsec;
}

static struct flock range(short type, off_t start, off_t len) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = len;
    return fl;
}

/* F_OFD_GETLK of a write lock over [start, start+len) on fd: the conflicting lock's type. */
static struct flock ofd_query(int fd, off_t start, off_t len) {
    struct flock fl = range(F_WRLCK, start, len);
    REQUIRE(fcntl(fd, F_OFD_GETLK, &fl) == 0, "F_OFD_GETLK");
    return fl;
}

struct waiter {
    int fd;
    volatile int acquired;
    int result;
    int error;
};

static void* lock_waiter(void* arg) {
    struct waiter* w = arg;
    struct flock fl = range(F_WRLCK, 200, 100);
    w->result = fcntl(w->fd, F_OFD_SETLKW, &fl);
    w->error = errno;
    w->acquired = 1;
    return NULL;
}

static void on_signal(int sig) {
    (void)sig;
}

static void timestamps(void) {
    int fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0644);
    REQUIRE(fd >= 0, "create f");
    REQUIRE(write(fd, "content\n", 8) == 8, "write f");
    struct stat st;

    struct timespec fixed[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
    CHECK(utimensat(AT_FDCWD, "f", fixed, 0) == 0, "utimensat with fixed times");
    CHECK(stat("f", &st) == 0 && same_time(st.st_atim, 1000000000, 123456789) &&
              same_time(st.st_mtim, 1200000000, 987654321),
          "stat reads both times back to the nanosecond");

    struct timespec mtime_only[2] = {{0, UTIME_OMIT}, {1300000000, 5}};
    CHECK(utimensat(AT_FDCWD, "f", mtime_only, 0) == 0, "utimensat with UTIME_OMIT for atime");
    CHECK(stat("f", &st) == 0 && same_time(st.st_atim, 1000000000, 123456789) &&
              same_time(st.st_mtim, 1300000000, 5),
          "UTIME_OMIT keeps atime");

    struct timespec via_fd[2] = {{1100000000, 0}, {1100000001, 1}};
    CHECK(futimens(fd, via_fd) == 0, "futimens (utimensat on the fd, NULL path)");
    CHECK(fstat(fd, &st) == 0 && same_time(st.st_atim, 1100000000, 0) &&
              same_time(st.st_mtim, 1100000001, 1),
          "fstat reads the futimens times");

    struct timespec now_m[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    CHECK(utimensat(AT_FDCWD, "f", now_m, 0) == 0, "utimensat with UTIME_NOW for mtime");
    CHECK(stat("f", &st) == 0 && st.st_mtim.tv_sec > 1500000000 &&
              same_time(st.st_atim, 1100000000, 0),
          "UTIME_NOW sets the current time, atime kept");

    struct timeval tv[2] = {{900000000, 250000}, {900000100, 999999}};
    CHECK(utimes("f", tv) == 0, "utimes");
    CHECK(stat("f", &st) == 0 && same_time(st.st_atim, 900000000, 250000000) &&
              same_time(st.st_mtim, 900000100, 999999000),
          "utimes' microseconds read back");
    struct utimbuf ub = {800000000, 800000002};
    CHECK(utime("f", &ub) == 0, "utime");
    CHECK(stat("f", &st) == 0 && same_time(st.st_atim, 800000000, 0) &&
              same_time(st.st_mtim, 800000002, 0),
          "utime's seconds read back");
    /* musl turns utimes/utime into utimensat: the old system calls themselves, raw. */
    struct timeval raw_tv[2] = {{600000000, 1}, {600000002, 3}};
    CHECK(syscall(SYS_utimes, "f", raw_tv) == 0, "SYS_utimes");
    CHECK(stat("f", &st) == 0 && same_time(st.st_mtim, 600000002, 3000), "SYS_utimes read back");
    CHECK(syscall(SYS_futimesat, AT_FDCWD, "f", raw_tv) == 0 &&
              syscall(SYS_futimesat, fd, NULL, raw_tv) == 0,
          "SYS_futimesat by path and by fd");
    struct utimbuf raw_ub = {500000000, 500000009};
    CHECK(syscall(SYS_utime, "f", &raw_ub) == 0, "SYS_utime");
    CHECK(stat("f", &st) == 0 && same_time(st.st_mtim, 500000009, 0), "SYS_utime read back");
    struct timeval bad_tv[2] = {{1, 1000000}, {1, 0}};
    expect_errno(syscall(SYS_utimes, "f", bad_tv), EINVAL, "SYS_utimes usec 1e6");
    expect_errno(syscall(SYS_utimes, NULL, raw_tv), EFAULT, "SYS_utimes NULL path");

    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    CHECK(utimensat(AT_FDCWD, "missing", omit, 0) == 0, "both UTIME_OMIT: 0 without a lookup");
    struct timespec bad[2] = {{1, 1000000000}, {1, 0}};
    expect_errno(utimensat(AT_FDCWD, "f", bad, 0), EINVAL, "utimensat nsec 1e9");
    expect_errno(utimensat(AT_FDCWD, "missing", fixed, 0), ENOENT, "utimensat of a missing file");
    expect_errno(utimensat(AT_FDCWD, "f", fixed, 0x8000), EINVAL, "utimensat unknown flag");
    expect_errno(syscall(SYS_utimensat, 999, NULL, fixed, 0), EBADF, "futimens on a bad fd");
    int path_fd = open("f", O_PATH);
    REQUIRE(path_fd >= 0, "open f O_PATH");
    expect_errno(syscall(SYS_utimensat, path_fd, NULL, fixed, 0), EBADF,
                 "futimens on an O_PATH fd");
    CHECK(utimensat(path_fd, "", fixed, AT_EMPTY_PATH) == 0, "utimensat AT_EMPTY_PATH on O_PATH");
    close(path_fd);

    CHECK(symlink("f", "tl") == 0, "symlink tl -> f");
    struct timespec link_times[2] = {{700000000, 7}, {700000001, 8}};
    CHECK(utimensat(AT_FDCWD, "tl", link_times, AT_SYMLINK_NOFOLLOW) == 0,
          "utimensat AT_SYMLINK_NOFOLLOW");
    CHECK(lstat("tl", &st) == 0 && same_time(st.st_mtim, 700000001, 8), "the link's own mtime");
    CHECK(stat("tl", &st) == 0 && same_time(st.st_mtim, 1200000000, 987654321),
          "the target's mtime unchanged");
    CHECK(unlink("tl") == 0, "unlink tl");
    close(fd);
}

static void links(void) {
    struct stat st, target;
    char buf[256];
    CHECK(stat("f", &target) == 0 && target.st_nlink == 1, "f has one link");

    CHECK(symlink("f", "sl") == 0, "symlink sl -> f");
    ssize_t n = readlink("sl", buf, sizeof buf);
    CHECK(n == 1 && buf[0] == 'f', "readlink sl gives f");
    CHECK(lstat("sl", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1, "lstat sl: a link");
    CHECK(stat("sl", &st) == 0 && st.st_ino == target.st_ino, "stat through sl reaches f");
    int fd = open("sl", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 8) == 8 && memcmp(buf, "content\n", 8) == 0, "read through sl");
    close(fd);

    const char* verbatim = "../../no/such/../thing//x";
    CHECK(symlink(verbatim, "dangling") == 0, "symlink with an arbitrary target");
    n = readlink("dangling", buf, sizeof buf);
    CHECK(n == (ssize_t)strlen(verbatim) && memcmp(buf, verbatim, (size_t)n) == 0,
          "readlink gives the target verbatim");
    expect_errno(stat("dangling", &st), ENOENT, "stat through a dangling link");
    CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode), "lstat of a dangling link");
    expect_errno(symlink("x", "f"), EEXIST, "symlink over an existing file");
    expect_errno(symlink("x", "dangling"), EEXIST, "symlink over a dangling link");
    expect_errno(symlink("", "empty"), ENOENT, "symlink with an empty target");

    CHECK(mkdir("sub", 0755) == 0, "mkdir sub");
    int dir = open("sub", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0, "open sub");
    CHECK(symlinkat("../f", dir, "up") == 0, "symlinkat relative to a directory fd");
    n = readlinkat(dir, "up", buf, sizeof buf);
    CHECK(n == 4 && memcmp(buf, "../f", 4) == 0, "readlinkat of the new link");
    CHECK(fstatat(dir, "up", &st, 0) == 0 && st.st_ino == target.st_ino, "sub/up reaches f");

    CHECK(link("f", "h") == 0, "link h to f");
    CHECK(stat("f", &st) == 0 && st.st_nlink == 2, "f now has two links");
    CHECK(stat("h", &st) == 0 && st.st_ino == target.st_ino && st.st_nlink == 2,
          "h is the same inode");
    fd = open("h", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "more\n", 5) == 5, "append through h");
    close(fd);
    CHECK(stat("f", &st) == 0 && st.st_size == 13, "f sees the append");
    CHECK(linkat(dir, "up", AT_FDCWD, "h2", AT_SYMLINK_FOLLOW) == 0,
          "linkat AT_SYMLINK_FOLLOW through a link");
    CHECK(lstat("h2", &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == target.st_ino &&
              st.st_nlink == 3,
          "h2 is f (three links)");
    CHECK(linkat(AT_FDCWD, "sl", dir, "sl_hard", 0) == 0, "linkat without follow");
    CHECK(fstatat(dir, "sl_hard", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
              st.st_nlink == 2,
          "the link itself got a second name");
    expect_errno(link("f", "h"), EEXIST, "link onto an existing name");
    expect_errno(link("sub", "sub2"), EPERM, "link to a directory");
    expect_errno(link("missing", "m2"), ENOENT, "link of a missing file");
    expect_errno(linkat(AT_FDCWD, "f", AT_FDCWD, "x", 0x8), EINVAL, "linkat unknown flag");
    CHECK(unlink("h") == 0 && unlink("h2") == 0, "unlink h, h2");
    CHECK(stat("f", &st) == 0 && st.st_nlink == 1, "f is back to one link");
    CHECK(unlinkat(dir, "up", 0) == 0 && unlinkat(dir, "sl_hard", 0) == 0, "unlink sub's links");
    close(dir);
    CHECK(rmdir("sub") == 0 && unlink("sl") == 0 && unlink("dangling") == 0, "clean up links");
}

static void ownership(void) {
    struct stat before, st;
    REQUIRE(stat("f", &before) == 0, "stat f");
    CHECK(chown("f", (uid_t)-1, (gid_t)-1) == 0, "chown -1 -1 changes nothing");
    CHECK(chown("f", before.st_uid, before.st_gid) == 0, "chown to the current owner");
    int fd = open("f", O_RDONLY);
    REQUIRE(fd >= 0, "open f");
    CHECK(fchown(fd, (uid_t)-1, before.st_gid) == 0, "fchown");
    CHECK(symlink("f", "ol") == 0, "symlink ol");
    CHECK(lchown("ol", (uid_t)-1, (gid_t)-1) == 0, "lchown of a link");
    CHECK(fchownat(AT_FDCWD, "ol", before.st_uid, (gid_t)-1, AT_SYMLINK_NOFOLLOW) == 0,
          "fchownat AT_SYMLINK_NOFOLLOW");
    expect_errno(fchownat(AT_FDCWD, "f", 0, 0, 0x8000), EINVAL, "fchownat unknown flag");
    expect_errno(chown("missing", 0, 0), ENOENT, "chown of a missing file");
    int path_fd = open("f", O_PATH);
    /* Raw: musl's fchown retries EBADF through /proc/self/fd. */
    expect_errno(syscall(SYS_fchown, path_fd, -1, -1), EBADF, "fchown on an O_PATH fd");
    close(path_fd);
    /* Another owner: EPERM unless privileged (both runs are the same user). */
    int r = chown("f", 12345, (gid_t)-1);
    printf("chown to uid 12345: %s\n", r == 0 ? "done" : strerror(errno));
    CHECK(stat("f", &st) == 0 && st.st_uid == (r == 0 ? 12345u : before.st_uid),
          "stat shows the owner chown left");
    if (r == 0) REQUIRE(chown("f", before.st_uid, before.st_gid) == 0, "chown back");
    CHECK(fchmod(fd, 0600) == 0 && stat("f", &st) == 0 && (st.st_mode & 0777) == 0600,
          "fchmod through a read-only fd");
    close(fd);
    CHECK(unlink("ol") == 0, "unlink ol");
}

static void locks(void) {
    int fd = open("f", O_RDWR);
    int fd2 = open("f", O_RDWR);
    int fd3 = open("f", O_RDWR);
    REQUIRE(fd >= 0 && fd2 >= 0 && fd3 >= 0, "open f three times");

    struct flock fl = range(F_WRLCK, 0, 100);
    CHECK(fcntl(fd, F_SETLK, &fl) == 0, "F_SETLK write lock [0,100)");
    fl = range(F_WRLCK, 0, 10);
    CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK,
          "F_GETLK in the same process reports F_UNLCK");
    fl = range(F_WRLCK, 50, 10);
    CHECK(fcntl(fd2, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK,
          "F_GETLK through another fd of the same process too");
    fl = range(F_RDLCK, 0, 0);
    CHECK(fcntl(fd2, F_SETLK, &fl) == 0, "F_SETLK read lock over it from the same process");
    struct flock q = ofd_query(fd3, 0, 10);
    CHECK(q.l_type == F_RDLCK && q.l_pid == getpid() && q.l_start == 0 && q.l_len == 0,
          "F_OFD_GETLK sees the process's lock, with its pid");

    fl = range(F_WRLCK, 0, 0);
    fl.l_type = F_UNLCK;
    CHECK(fcntl(fd, F_SETLK, &fl) == 0, "F_SETLK unlock everything");
    q = ofd_query(fd3, 0, 10);
    CHECK(q.l_type == F_UNLCK, "F_OFD_GETLK: nothing left");

    fl = range(F_WRLCK, 200, 100);
    CHECK(fcntl(fd2, F_OFD_SETLK, &fl) == 0, "F_OFD_SETLK write lock [200,300) on fd2");
    q = ofd_query(fd3, 250, 10);
    CHECK(q.l_type == F_WRLCK && q.l_pid == -1 && q.l_start == 200 && q.l_len == 100,
          "F_OFD_GETLK on another description reports the conflict");
    fl = range(F_RDLCK, 250, 1);
    expect_errno(fcntl(fd3, F_OFD_SETLK, &fl), EAGAIN, "F_OFD_SETLK conflicting");
    int dup2fd = dup(fd2);
    fl = range(F_WRLCK, 200, 100);
    CHECK(fcntl(dup2fd, F_OFD_SETLK, &fl) == 0, "a dup shares the description's OFD lock");
    close(dup2fd);

    /* A waiting F_OFD_SETLKW on fd3 ends when fd2 unlocks; this thread keeps running. */
    struct waiter w = {fd3, 0, -1, 0};
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, lock_waiter, &w) == 0, "pthread_create");
    for (int i = 0; i < 100; i++) sched_yield();
    CHECK(!w.acquired, "F_OFD_SETLKW waits while the range is locked");
    fl = range(F_UNLCK, 200, 100);
    CHECK(fcntl(fd2, F_OFD_SETLK, &fl) == 0, "fd2 unlocks");
    REQUIRE(pthread_join(t, NULL) == 0, "pthread_join");
    CHECK(w.acquired && w.result == 0, "the waiter got the lock");
    q = ofd_query(fd2, 210, 1);
    CHECK(q.l_type == F_WRLCK && q.l_pid == -1, "fd2 now sees fd3's lock");
    fl = range(F_UNLCK, 0, 0);
    CHECK(fcntl(fd3, F_OFD_SETLK, &fl) == 0, "fd3 unlocks");

    /* A signal (handler without SA_RESTART) ends a waiting F_OFD_SETLKW with EINTR. It is sent
     * until the waiter returns: one that lands before the wait starts only runs the handler. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    fl = range(F_WRLCK, 200, 100);
    REQUIRE(fcntl(fd2, F_OFD_SETLK, &fl) == 0, "fd2 locks again");
    struct waiter w2 = {fd3, 0, -1, 0};
    REQUIRE(pthread_create(&t, NULL, lock_waiter, &w2) == 0, "pthread_create");
    while (!w2.acquired) {
        pthread_kill(t, SIGUSR1);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    REQUIRE(pthread_join(t, NULL) == 0, "pthread_join");
    CHECK(w2.result == -1 && w2.error == EINTR, "a signal interrupts F_OFD_SETLKW: EINTR");
    q = ofd_query(fd2, 210, 1);
    CHECK(q.l_type == F_UNLCK, "the interrupted waiter took no lock");
    fl = range(F_UNLCK, 0, 0);
    CHECK(fcntl(fd2, F_OFD_SETLK, &fl) == 0, "fd2 unlocks again");

    /* POSIX locks go with any close of the file, a duplicate's included. */
    fl = range(F_WRLCK, 0, 100);
    CHECK(fcntl(fd, F_SETLKW, &fl) == 0, "F_SETLKW on a free range");
    int other = open("f", O_RDONLY);
    CHECK(other >= 0 && close(other) == 0, "open and close another fd of f");
    CHECK(ofd_query(fd3, 0, 10).l_type == F_UNLCK, "that close dropped the POSIX lock");
    CHECK(fcntl(fd, F_SETLK, &fl) == 0, "F_SETLK again");
    int copy = dup(fd);
    CHECK(copy >= 0 && close(copy) == 0, "dup and close the duplicate");
    CHECK(ofd_query(fd3, 0, 10).l_type == F_UNLCK, "closing a duplicate dropped it too");

    expect_errno(fcntl(fd, F_SETLK, NULL), EFAULT, "F_SETLK with a NULL struct");
    fl = range(7, 0, 1);
    expect_errno(fcntl(fd, F_SETLK, &fl), EINVAL, "F_SETLK with a bad type");
    int ro = open("f", O_RDONLY);
    fl = range(F_WRLCK, 0, 1);
    expect_errno(fcntl(ro, F_SETLK, &fl), EBADF, "F_SETLK write lock on a read-only fd");
    fl = range(F_RDLCK, 0, 1);
    fl.l_pid = 1;
    expect_errno(fcntl(fd, F_OFD_SETLK, &fl), EINVAL, "F_OFD_SETLK with l_pid set");
    close(ro);
    close(fd);
    close(fd2);
    close(fd3);
}

int main(void) {
    char dir[] = "jvmos_fs_links_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
    REQUIRE(chdir(dir) == 0, "chdir");
    timestamps();
    links();
    ownership();
    locks();
    CHECK(unlink("f") == 0, "unlink f");
    REQUIRE(chdir("..") == 0 && rmdir(dir) == 0, "remove the work directory");
    printf("done\n");
    return 0;
}
