// symlinkAt, linkAt, chownAt, setTimesAt and record locks over a real Cap'n Proto connection:
// the errnos Linux gives, links that would lead outside the mounts, and locks that host
// processes see (a forked child plays the other process) and that wait without blocking the
// proxy. The fixture's tree is proxy_support.h's (root at "/", data at "/data", ro read-only
// at "/ro", outside/secret and secret_parent not mounted).
#include "proxy_support.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace jvmos::proxy::testing {
namespace {

using Links = ProxyTest;
using Metadata = ProxyTest;
using Locks = ProxyTest;
using LinkEscape = ProxyTest;

constexpr uint32_t KEEP_ID = 0xffffffff; // chown's -1

int symlink_at(Client& c, proto::Handle::Client& dir, const std::string& target,
               const std::string& path) {
    auto request = dir.symlinkAtRequest();
    request.setTarget(target);
    request.setPath(path);
    return request.send().wait(c.ws()).getErrno();
}

int link_at(Client& c, proto::Handle::Client& dir, const std::string& from,
            proto::Handle::Client& new_dir, const std::string& to, uint32_t flags = 0) {
    auto request = dir.linkAtRequest();
    request.setOldPath(from);
    request.setNewDir(new_dir);
    request.setNewPath(to);
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

int chown_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t uid,
             uint32_t gid, uint32_t flags = 0) {
    auto request = dir.chownAtRequest();
    request.setPath(path);
    request.setUid(uid);
    request.setGid(gid);
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

struct Times {
    int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

int set_times_at(Client& c, proto::Handle::Client& dir, const std::string& path, Times t,
                 uint32_t flags = 0) {
    auto request = dir.setTimesAtRequest();
    request.setPath(path);
    request.initAtime().setSec(t.atime_sec);
    request.getAtime().setNsec(t.atime_nsec);
    request.initMtime().setSec(t.mtime_sec);
    request.getMtime().setNsec(t.mtime_nsec);
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

struct flock lock_range(short type, off_t start, off_t len) {
    struct flock fl = {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = len;
    return fl;
}

capnp::Request<proto::Handle::LockParams, proto::Handle::LockResults>
lock_request(proto::Handle::Client& handle, int command, const struct flock& fl) {
    auto request = handle.lockRequest();
    request.setCommand(uint32_t(command));
    auto lock = request.initLock();
    lock.setType(fl.l_type);
    lock.setWhence(fl.l_whence);
    lock.setStart(fl.l_start);
    lock.setLen(fl.l_len);
    lock.setPid(fl.l_pid);
    return request;
}

struct LockReply {
    int error;
    struct flock lock;
};

LockReply lock(Client& c, proto::Handle::Client& handle, int command, const struct flock& fl) {
    auto reply = lock_request(handle, command, fl).send().wait(c.ws());
    LockReply out{reply.getErrno(), {}};
    if (reply.hasLock()) {
        auto l = reply.getLock();
        out.lock = lock_range(l.getType(), l.getStart(), l.getLen());
        out.lock.l_whence = l.getWhence();
        out.lock.l_pid = l.getPid();
    }
    return out;
}

struct stat host_lstat(const std::string& path) {
    struct stat st = {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
}

// ---- symlinkAt -----------------------------------------------------------------------------

TEST_F(Links, SymlinkAtStoresTheTargetVerbatim) {
    const std::string target = "../../no such/..//thing/";
    EXPECT_EQ(symlink_at(*client, root, target, "link"), 0);
    char buffer[256];
    ssize_t n = ::readlink(tree.at("root/link").c_str(), buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer, size_t(n)), target);
    EXPECT_EQ(readlink_at(*client, root, "link").data, target);

    EXPECT_EQ(symlink_at(*client, root, "file.txt", "dir/to_file"), 0);
    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY).handle;
    EXPECT_EQ(symlink_at(*client, dir, "a.txt", "to_a"), 0); // relative to the Handle
    EXPECT_EQ(read_file(*client, root, "dir/to_a").data, "a");
    EXPECT_EQ(read_file(*client, root, "dir/to_file").error, ENOENT); // resolved from dir/
}

TEST_F(Links, SymlinkAtErrnos) {
    EXPECT_EQ(symlink_at(*client, root, "x", "file.txt"), EEXIST);
    tree.symlink("nowhere", "root/dangling");
    EXPECT_EQ(symlink_at(*client, root, "x", "dangling"), EEXIST); // never followed
    EXPECT_FALSE(tree.exists("root/nowhere"));
    EXPECT_EQ(symlink_at(*client, root, "", "empty"), ENOENT);
    EXPECT_EQ(symlink_at(*client, root, "x", "new/"), ENOENT);
    EXPECT_EQ(symlink_at(*client, root, "x", "missing_dir/new"), ENOENT);
    EXPECT_EQ(symlink_at(*client, root, "x", "/"), EEXIST);
    EXPECT_EQ(symlink_at(*client, root, std::string(4096, 'a'), "long"), ENAMETOOLONG);
    EXPECT_EQ(symlink_at(*client, root, "x", "/ro/new"), EROFS);
    EXPECT_EQ(symlink_at(*client, root, "x", "/ro/r.txt"), EEXIST); // existence first
    EXPECT_FALSE(tree.exists("ro/new"));
    EXPECT_EQ(symlink_at(*client, root, "x", "/data/new"), 0);
    EXPECT_TRUE(S_ISLNK(host_lstat(tree.at("data/new")).st_mode));
}

// ---- linkAt --------------------------------------------------------------------------------

TEST_F(Links, LinkAtCountsAndFlags) {
    EXPECT_EQ(link_at(*client, root, "file.txt", root, "hard"), 0);
    struct stat file = host_lstat(tree.at("root/file.txt"));
    EXPECT_EQ(file.st_nlink, 2u);
    EXPECT_EQ(host_lstat(tree.at("root/hard")).st_ino, file.st_ino);

    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY).handle;
    tree.symlink("../file.txt", "root/dir/sl");
    EXPECT_EQ(link_at(*client, root, "dir/sl", dir, "followed", AT_SYMLINK_FOLLOW), 0);
    EXPECT_EQ(host_lstat(tree.at("root/dir/followed")).st_ino, file.st_ino);
    EXPECT_EQ(link_at(*client, root, "dir/sl", dir, "itself"), 0);
    EXPECT_TRUE(S_ISLNK(host_lstat(tree.at("root/dir/itself")).st_mode));
    EXPECT_EQ(host_lstat(tree.at("root/file.txt")).st_nlink, 3u);

    // AT_EMPTY_PATH: the Handle's own file.
    auto opened = open_at(*client, root, "dir/a.txt", O_RDONLY).handle;
    EXPECT_EQ(link_at(*client, opened, "", root, "a_again", AT_EMPTY_PATH), 0);
    EXPECT_EQ(tree.read("root/a_again"), "a");
    EXPECT_EQ(link_at(*client, opened, "", root, "a_3"), ENOENT); // without the flag

    EXPECT_EQ(link_at(*client, root, "file.txt", root, "hard"), EEXIST);
    EXPECT_EQ(link_at(*client, root, "dir", root, "dir2"), EPERM);
    EXPECT_EQ(link_at(*client, root, "missing", root, "m"), ENOENT);
    EXPECT_EQ(link_at(*client, root, "file.txt/", root, "m"), ENOTDIR);
    EXPECT_EQ(link_at(*client, root, "file.txt", root, "m/"), ENOENT);
    EXPECT_EQ(link_at(*client, root, "file.txt", root, "m", 0x8), EINVAL);
    EXPECT_EQ(link_at(*client, root, "/data", root, "/data/x"), EPERM); // a mount root
    EXPECT_FALSE(tree.exists("root/m"));
}

// ---- links that would lead outside the mounts ----------------------------------------------

TEST_F(LinkEscape, SymlinkTargetsOutsideTheMountsResolveInTheGuest) {
    // What the guest creates is stored as it is, but only ever followed in its namespace.
    EXPECT_EQ(symlink_at(*client, root, tree.at("outside/secret"), "abs"), 0);
    EXPECT_EQ(symlink_at(*client, root, "../../../../../../outside/secret", "rel"), 0);
    EXPECT_EQ(symlink_at(*client, root, tree.at("outside"), "absdir"), 0);
    EXPECT_EQ(symlink_at(*client, root, "../secret_parent", "/data/up"), 0);
    EXPECT_EQ(read_file(*client, root, "abs").error, ENOENT);
    EXPECT_EQ(read_file(*client, root, "rel").error, ENOENT);
    EXPECT_EQ(read_file(*client, root, "/data/up").error, ENOENT);
    EXPECT_EQ(open_at(*client, root, "absdir/new", O_WRONLY | O_CREAT).error, ENOENT);
    EXPECT_EQ(symlink_at(*client, root, "x", "absdir/planted"), ENOENT);
    EXPECT_EQ(link_at(*client, root, "file.txt", root, "absdir/planted"), ENOENT);
    EXPECT_FALSE(tree.exists("outside/new"));
    EXPECT_FALSE(tree.exists("outside/planted"));
    // Following them to hard-link their "target" reaches nothing outside either.
    EXPECT_EQ(link_at(*client, root, "abs", root, "stolen", AT_SYMLINK_FOLLOW), ENOENT);
    EXPECT_EQ(link_at(*client, root, "rel", root, "stolen", AT_SYMLINK_FOLLOW), ENOENT);
    EXPECT_EQ(host_lstat(tree.at("outside/secret")).st_nlink, 1u);
    EXPECT_FALSE(tree.exists("root/stolen"));
}

TEST_F(LinkEscape, HostSymlinksOutsideAreNotFollowedByLinkAt) {
    // A link planted on the host (or left by the guest) whose host meaning is outside.
    tree.symlink(tree.at("outside/secret"), "root/host_abs");
    tree.symlink("../outside/secret", "root/host_rel");
    EXPECT_EQ(link_at(*client, root, "host_abs", root, "s1", AT_SYMLINK_FOLLOW), ENOENT);
    EXPECT_EQ(link_at(*client, root, "host_rel", root, "s2", AT_SYMLINK_FOLLOW), ENOENT);
    EXPECT_EQ(host_lstat(tree.at("outside/secret")).st_nlink, 1u);
    // Without AT_SYMLINK_FOLLOW the link itself gets the name: still a link, still nothing.
    EXPECT_EQ(link_at(*client, root, "host_abs", root, "s3"), 0);
    EXPECT_TRUE(S_ISLNK(host_lstat(tree.at("root/s3")).st_mode));
    EXPECT_EQ(read_file(*client, root, "s3").error, ENOENT);
    EXPECT_EQ(host_lstat(tree.at("outside/secret")).st_nlink, 1u);
}

TEST_F(LinkEscape, HardLinksNeverCrossMounts) {
    // All three mounts are on one host file system: only the proxy stops these.
    EXPECT_EQ(link_at(*client, root, "/ro/r.txt", root, "/writable_ro"), EXDEV);
    EXPECT_EQ(link_at(*client, root, "/ro/r.txt", root, "/data/writable_ro"), EXDEV);
    EXPECT_EQ(link_at(*client, root, "/file.txt", root, "/data/x"), EXDEV);
    EXPECT_EQ(link_at(*client, root, "/data/d.txt", root, "/x"), EXDEV);
    tree.symlink("/ro/r.txt", "root/to_ro");
    EXPECT_EQ(link_at(*client, root, "to_ro", root, "/via_link", AT_SYMLINK_FOLLOW), EXDEV);
    auto ro_file = open_at(*client, root, "/ro/r.txt", O_RDONLY).handle;
    EXPECT_EQ(link_at(*client, ro_file, "", root, "/by_handle", AT_EMPTY_PATH), EXDEV);
    EXPECT_EQ(link_at(*client, root, "/ro/r.txt", root, "/ro/r2"), EROFS);
    EXPECT_EQ(host_lstat(tree.at("ro/r.txt")).st_nlink, 1u);
    EXPECT_EQ(host_lstat(tree.at("data/d.txt")).st_nlink, 1u);
    EXPECT_EQ(link_at(*client, root, "/data/d.txt", root, "/data/d2"), 0);
    EXPECT_EQ(host_lstat(tree.at("data/d.txt")).st_nlink, 2u);
}

TEST_F(LinkEscape, LinkIntoAnotherSessionIsRefused) {
    auto other = new_session(*client, {{tree.at("outside"), "/", false}});
    ASSERT_EQ(other.error, 0);
    auto other_root = root_of(*client, other.session);
    EXPECT_EQ(link_at(*client, root, "file.txt", other_root, "planted"), EBADF);
    EXPECT_EQ(link_at(*client, other_root, "secret", root, "stolen"), EBADF);
    EXPECT_FALSE(tree.exists("outside/planted"));
    EXPECT_FALSE(tree.exists("root/stolen"));
}

// ---- chownAt, setTimesAt -------------------------------------------------------------------

TEST_F(Metadata, ChownAt) {
    struct stat before = host_lstat(tree.at("root/file.txt"));
    EXPECT_EQ(chown_at(*client, root, "file.txt", KEEP_ID, KEEP_ID), 0);
    EXPECT_EQ(chown_at(*client, root, "file.txt", before.st_uid, before.st_gid), 0);
    tree.symlink("file.txt", "root/cl");
    EXPECT_EQ(chown_at(*client, root, "cl", before.st_uid, KEEP_ID, AT_SYMLINK_NOFOLLOW), 0);
    auto handle = open_at(*client, root, "file.txt", O_RDONLY).handle;
    EXPECT_EQ(chown_at(*client, handle, "", KEEP_ID, before.st_gid, AT_EMPTY_PATH), 0);
    EXPECT_EQ(chown_at(*client, handle, "", KEEP_ID, KEEP_ID), ENOENT);
    EXPECT_EQ(chown_at(*client, root, "missing", KEEP_ID, KEEP_ID), ENOENT);
    EXPECT_EQ(chown_at(*client, root, "file.txt", KEEP_ID, KEEP_ID, 0x8000), EINVAL);
    EXPECT_EQ(chown_at(*client, root, "/ro/r.txt", KEEP_ID, KEEP_ID), EROFS);

    // Another owner: the host decides (EPERM unless the proxy is privileged).
    int expected = geteuid() == 0 ? 0 : EPERM;
    EXPECT_EQ(chown_at(*client, root, "file.txt", 12345, KEEP_ID), expected);
    EXPECT_EQ(host_lstat(tree.at("root/file.txt")).st_uid, expected == 0 ? 12345u : before.st_uid);
    // The link itself, not its target, with AT_SYMLINK_NOFOLLOW.
    if (expected == 0) {
        EXPECT_EQ(chown_at(*client, root, "cl", 23456, KEEP_ID, AT_SYMLINK_NOFOLLOW), 0);
        EXPECT_EQ(host_lstat(tree.at("root/cl")).st_uid, 23456u);
        EXPECT_EQ(host_lstat(tree.at("root/file.txt")).st_uid, 12345u);
    }
}

TEST_F(Metadata, SetTimesAt) {
    EXPECT_EQ(set_times_at(*client, root, "file.txt", {1000000000, 123456789, 1200000000, 5}), 0);
    struct stat st = host_lstat(tree.at("root/file.txt"));
    EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
    EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
    EXPECT_EQ(st.st_mtim.tv_nsec, 5);

    EXPECT_EQ(set_times_at(*client, root, "file.txt", {0, UTIME_OMIT, 1300000000, 0}), 0);
    st = host_lstat(tree.at("root/file.txt"));
    EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
    EXPECT_EQ(st.st_mtim.tv_sec, 1300000000);
    EXPECT_EQ(set_times_at(*client, root, "file.txt", {0, UTIME_NOW, 0, UTIME_OMIT}), 0);
    EXPECT_GT(host_lstat(tree.at("root/file.txt")).st_atim.tv_sec, 1500000000);

    tree.symlink("file.txt", "root/tl");
    EXPECT_EQ(set_times_at(*client, root, "tl", {7, 0, 8, 0}, AT_SYMLINK_NOFOLLOW), 0);
    EXPECT_EQ(host_lstat(tree.at("root/tl")).st_mtim.tv_sec, 8);
    EXPECT_EQ(host_lstat(tree.at("root/file.txt")).st_mtim.tv_sec, 1300000000);
    EXPECT_EQ(set_times_at(*client, root, "tl", {7, 0, 9, 0}), 0); // followed
    EXPECT_EQ(host_lstat(tree.at("root/file.txt")).st_mtim.tv_sec, 9);

    auto handle = open_at(*client, root, "dir/a.txt", O_RDONLY).handle;
    EXPECT_EQ(set_times_at(*client, handle, "", {1, 0, 2, 0}, AT_EMPTY_PATH), 0);
    EXPECT_EQ(host_lstat(tree.at("root/dir/a.txt")).st_mtim.tv_sec, 2);

    EXPECT_EQ(set_times_at(*client, root, "missing", {0, UTIME_OMIT, 0, UTIME_OMIT}), 0);
    EXPECT_EQ(set_times_at(*client, root, "missing", {1, 0, 1, 0}), ENOENT);
    EXPECT_EQ(set_times_at(*client, root, "file.txt", {1, 1000000000, 1, 0}), EINVAL);
    EXPECT_EQ(set_times_at(*client, root, "file.txt", {1, -1, 1, 0}), EINVAL);
    EXPECT_EQ(set_times_at(*client, root, "file.txt", {1, 0, 1, 0}, 0x8000), EINVAL);
    EXPECT_EQ(set_times_at(*client, root, "/ro/r.txt", {1, 0, 1, 0}), EROFS);
    EXPECT_NE(host_lstat(tree.at("ro/r.txt")).st_mtim.tv_sec, 1);
}

// ---- record locks --------------------------------------------------------------------------

// A child process that takes a POSIX write lock on [start, start+len) of `path`, reports, and
// holds it until told to go (or reports what F_GETLK says when `probe`).
class LockingChild {
  public:
    // Takes the lock and waits; the child exits (dropping it) when release() is called.
    LockingChild(const std::string& path, off_t start, off_t len) {
        int ready[2], go[2];
        KJ_ASSERT(pipe(ready) == 0 && pipe(go) == 0);
        m_pid = fork();
        KJ_ASSERT(m_pid >= 0);
        if (m_pid == 0) {
            close(ready[0]);
            close(go[1]);
            int fd = open(path.c_str(), O_RDWR);
            struct flock fl = lock_range(F_WRLCK, start, len);
            char status = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
            if (::write(ready[1], &status, 1) != 1) _exit(2);
            char byte;
            (void)!::read(go[0], &byte, 1);
            _exit(0);
        }
        close(ready[1]);
        close(go[0]);
        m_go = go[1];
        char status = 0;
        KJ_ASSERT(::read(ready[0], &status, 1) == 1);
        close(ready[0]);
        m_locked = status == 'y';
    }
    ~LockingChild() { release(); }
    bool locked() const { return m_locked; }
    pid_t pid() const { return m_pid; }
    void release() {
        if (m_pid <= 0) return;
        close(m_go);
        int status;
        waitpid(m_pid, &status, 0);
        m_pid = -1;
    }

  private:
    pid_t m_pid = -1;
    int m_go = -1;
    bool m_locked = false;
};

// What another process's F_GETLK (a write lock over [start, start+len)) reports: the
// conflicting lock's type and pid, from a forked child.
struct Probe {
    short type;
    pid_t pid;
};
Probe probe_from_another_process(const std::string& path, off_t start, off_t len) {
    int out[2];
    KJ_ASSERT(pipe(out) == 0);
    pid_t child = fork();
    KJ_ASSERT(child >= 0);
    if (child == 0) {
        close(out[0]);
        Probe p{-1, 0};
        int fd = open(path.c_str(), O_RDWR);
        struct flock fl = lock_range(F_WRLCK, start, len);
        if (fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0) p = Probe{fl.l_type, fl.l_pid};
        (void)!::write(out[1], &p, sizeof p);
        _exit(0);
    }
    close(out[1]);
    Probe p{-1, 0};
    KJ_ASSERT(::read(out[0], &p, sizeof p) == sizeof p);
    close(out[0]);
    int status;
    waitpid(child, &status, 0);
    return p;
}

TEST_F(Locks, PosixLocksAreTakenOnTheHostFile) {
    auto file = open_at(*client, root, "file.txt", O_RDWR).handle;
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(F_WRLCK, 0, 5)).error, 0);
    // Another host process sees it, held by the proxy (this test process).
    Probe seen = probe_from_another_process(tree.at("root/file.txt"), 0, 1);
    EXPECT_EQ(seen.type, F_WRLCK);
    EXPECT_EQ(seen.pid, getpid());
    EXPECT_EQ(probe_from_another_process(tree.at("root/file.txt"), 5, 1).type, F_UNLCK);
    // The guest's own query: no conflict with itself, as in one Linux process.
    auto own = lock(*client, file, F_GETLK, lock_range(F_WRLCK, 0, 1));
    EXPECT_EQ(own.error, 0);
    EXPECT_EQ(own.lock.l_type, F_UNLCK);
    // An OFD query does conflict with the guest's POSIX lock; the holder is the guest: pid 0.
    auto other = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto ofd = lock(*client, other, F_OFD_GETLK, lock_range(F_WRLCK, 0, 1));
    EXPECT_EQ(ofd.error, 0);
    EXPECT_EQ(ofd.lock.l_type, F_WRLCK);
    EXPECT_EQ(ofd.lock.l_pid, 0);
    EXPECT_EQ(ofd.lock.l_len, 5);
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(F_UNLCK, 0, 0)).error, 0);
    EXPECT_EQ(probe_from_another_process(tree.at("root/file.txt"), 0, 1).type, F_UNLCK);
}

TEST_F(Locks, ConflictsWithAnotherProcess) {
    LockingChild child(tree.at("root/file.txt"), 2, 3);
    ASSERT_TRUE(child.locked());
    auto file = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto seen = lock(*client, file, F_GETLK, lock_range(F_RDLCK, 0, 0));
    EXPECT_EQ(seen.error, 0);
    EXPECT_EQ(seen.lock.l_type, F_WRLCK);
    EXPECT_EQ(seen.lock.l_pid, child.pid());
    EXPECT_EQ(seen.lock.l_start, 2);
    EXPECT_EQ(seen.lock.l_len, 3);
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(F_RDLCK, 4, 1)).error, EAGAIN);
    EXPECT_EQ(lock(*client, file, F_OFD_SETLK, lock_range(F_RDLCK, 4, 1)).error, EAGAIN);
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(F_WRLCK, 5, 10)).error, 0); // beside it
}

TEST_F(Locks, OfdLocksBelongToTheDescription) {
    auto a = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto b = open_at(*client, root, "file.txt", O_RDWR).handle;
    EXPECT_EQ(lock(*client, a, F_OFD_SETLK, lock_range(F_WRLCK, 0, 4)).error, 0);
    auto seen = lock(*client, b, F_OFD_GETLK, lock_range(F_RDLCK, 1, 1));
    EXPECT_EQ(seen.error, 0);
    EXPECT_EQ(seen.lock.l_type, F_WRLCK);
    EXPECT_EQ(seen.lock.l_pid, -1);
    EXPECT_EQ(lock(*client, b, F_OFD_SETLK, lock_range(F_RDLCK, 1, 1)).error, EAGAIN);
    EXPECT_EQ(lock(*client, a, F_OFD_SETLK, lock_range(F_RDLCK, 1, 1)).error, 0); // its own
    auto bad_pid = lock_range(F_RDLCK, 0, 1);
    bad_pid.l_pid = 1;
    EXPECT_EQ(lock(*client, b, F_OFD_SETLK, bad_pid).error, EINVAL);
}

TEST_F(Locks, BadRequests) {
    auto file = open_at(*client, root, "file.txt", O_RDONLY).handle;
    EXPECT_EQ(lock(*client, file, F_GETFL, lock_range(F_RDLCK, 0, 1)).error, EINVAL);
    EXPECT_EQ(lock(*client, file, 9999, lock_range(F_RDLCK, 0, 1)).error, EINVAL);
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(7, 0, 1)).error, EINVAL);
    EXPECT_EQ(lock(*client, file, F_SETLK, lock_range(F_WRLCK, 0, 1)).error, EBADF); // O_RDONLY
    auto path_only = open_at(*client, root, "file.txt", O_PATH).handle;
    EXPECT_EQ(lock(*client, path_only, F_SETLK, lock_range(F_RDLCK, 0, 1)).error, EBADF);
}

TEST_F(Locks, SetlkwWaitsWithoutBlockingTheProxy) {
    LockingChild child(tree.at("root/file.txt"), 0, 0);
    ASSERT_TRUE(child.locked());
    auto file = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto posix = lock_request(file, F_SETLKW, lock_range(F_WRLCK, 0, 1)).send();
    auto other = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto ofd = lock_request(other, F_OFD_SETLKW, lock_range(F_RDLCK, 3, 1)).send();
    // Other calls complete while both wait.
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_EQ(read_file(*client, root, "file.txt").data, "hello world");
    EXPECT_FALSE(posix.poll(client->ws()));
    EXPECT_FALSE(ofd.poll(client->ws()));
    child.release(); // the child exits: its lock goes
    EXPECT_EQ(posix.wait(client->ws()).getErrno(), 0);
    EXPECT_EQ(ofd.wait(client->ws()).getErrno(), 0);
    Probe seen = probe_from_another_process(tree.at("root/file.txt"), 0, 1);
    EXPECT_EQ(seen.type, F_WRLCK);
    EXPECT_EQ(seen.pid, getpid());
}

TEST_F(Locks, InterruptEndsAWaitingSetlkwWithEintr) {
    LockingChild child(tree.at("root/file.txt"), 0, 0);
    ASSERT_TRUE(child.locked());
    auto file = open_at(*client, root, "file.txt", O_RDWR).handle;
    auto request = lock_request(file, F_OFD_SETLKW, lock_range(F_WRLCK, 0, 1));
    request.setToken(11);
    auto pending = request.send();
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws()));
    auto interrupt = file.interruptRequest();
    interrupt.setToken(11);
    interrupt.send().wait(client->ws());
    EXPECT_EQ(pending.wait(client->ws()).getErrno(), EINTR);
    child.release();
    EXPECT_EQ(probe_from_another_process(tree.at("root/file.txt"), 0, 1).type, F_UNLCK);
}

// A client that disconnects while F_SETLKW waits for another process: the wait is interrupted
// and the server ends (were the worker stuck in fcntl, join() would hang).
TEST(LockDisconnect, AWaitingSetlkwEndsWithTheConnection) {
    TempTree tree;
    tree.write("file", "x");
    LockingChild child(tree.at("file"), 0, 0);
    ASSERT_TRUE(child.locked());
    InProcessServer server(ProxyOptions{});
    {
        Client client(server.take_client_fd());
        auto session = new_session(client, {{tree.path(), "/", false}}).session;
        auto root = root_of(client, session);
        auto file = open_at(client, root, "file", O_RDWR).handle;
        auto waiting = lock_request(file, F_SETLKW, lock_range(F_WRLCK, 0, 0)).send();
        auto ofd_waiting = lock_request(file, F_OFD_SETLKW, lock_range(F_WRLCK, 0, 0)).send();
        EXPECT_EQ(stat_at(client, root, "file").error, 0);
        EXPECT_FALSE(waiting.poll(client.ws()));
        EXPECT_FALSE(ofd_waiting.poll(client.ws()));
        client.disconnect();
        server.join();
        EXPECT_ANY_THROW(waiting.wait(client.ws()));
    }
    // Once the child's lock is gone, nothing is left: the cancelled waits took none.
    child.release();
    EXPECT_EQ(probe_from_another_process(tree.at("file"), 0, 1).type, F_UNLCK);
}

} // namespace
} // namespace jvmos::proxy::testing
