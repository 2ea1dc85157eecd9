// Every Session and Handle method over a real Cap'n Proto connection, and the errnos Linux gives.
#include "proxy_support.h"

#include <asm/termbits.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <cstdlib>
#include <dirent.h>
#include <set>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace jvmos::proxy::testing {
namespace {

using HandleTest = ProxyTest;

// The kernel's O_LARGEFILE, which musl passes (glibc's x86-64 O_LARGEFILE macro is 0).
constexpr uint32_t LINUX_O_LARGEFILE = 0100000;

TEST_F(HandleTest, OpenWithTheKernelsLargefileFlag) {
    auto opened = open_at(*client, root, "file.txt", O_RDONLY | LINUX_O_LARGEFILE);
    ASSERT_EQ(opened.error, 0);
    EXPECT_EQ(read(*client, opened.handle, 100).data, "hello world");
}

TEST_F(HandleTest, SessionRootCwdAndStdio) {
    auto root_stat = stat(*client, root);
    ASSERT_EQ(root_stat.error, 0);
    struct stat host;
    ASSERT_EQ(::stat(tree.at("root").c_str(), &host), 0);
    EXPECT_EQ(root_stat.ino, host.st_ino);
    EXPECT_TRUE(S_ISDIR(root_stat.mode));

    auto cwd = session.cwdRequest().send().wait(client->ws());
    EXPECT_EQ(kj::StringPtr(cwd.getPath()), "/");

    // The inherited stdout is the pipe the fixture gave as the proxy's fd 1.
    auto stdio = session.stdioRequest().send().wait(client->ws());
    auto out = stdio.getStdout();
    auto written = write(*client, out, "to stdout");
    ASSERT_EQ(written.error, 0);
    EXPECT_EQ(written.value, 9);
    char buffer[32] = {};
    ASSERT_EQ(::read(stdout_reader(), buffer, sizeof buffer), 9);
    EXPECT_STREQ(buffer, "to stdout");

    ASSERT_EQ(::write(stdin_writer(), "typed", 5), 5);
    auto in = stdio.getStdin();
    auto typed = read(*client, in, 100);
    ASSERT_EQ(typed.error, 0);
    EXPECT_EQ(typed.data, "typed");
}

TEST_F(HandleTest, SessionCwdIsCanonicalAndItsHandleWorks) {
    tree.symlink("dir/sub", "root/to_sub");
    auto reply = new_session(*client, {{tree.at("root"), "/", false}}, "/to_sub/");
    ASSERT_EQ(reply.error, 0);
    auto cwd = reply.session.cwdRequest().send().wait(client->ws());
    EXPECT_EQ(kj::StringPtr(cwd.getPath()), "/dir/sub");
    auto dir = cwd.getDir();
    tree.write("root/dir/sub/here", "here");
    EXPECT_EQ(read_file(*client, dir, "here").data, "here");
    EXPECT_EQ(read_file(*client, dir, "../a.txt").data, "a");
}

TEST_F(HandleTest, OpenReadSeekPread) {
    auto opened = open_at(*client, root, "file.txt", O_RDONLY);
    ASSERT_EQ(opened.error, 0);
    EXPECT_EQ(opened.size, 11);
    EXPECT_TRUE(S_ISREG(opened.mode));
    auto& file = opened.handle;

    EXPECT_EQ(read(*client, file, 5).data, "hello");
    EXPECT_EQ(read(*client, file, 100).data, " world");
    auto at_end = read(*client, file, 100);
    EXPECT_EQ(at_end.error, 0);
    EXPECT_EQ(at_end.data, ""); // end of file

    auto seek = file.seekRequest();
    seek.setOffset(-5);
    seek.setWhence(SEEK_END);
    auto position = seek.send().wait(client->ws());
    EXPECT_EQ(position.getErrno(), 0);
    EXPECT_EQ(position.getPosition(), 6);
    EXPECT_EQ(read(*client, file, 100).data, "world");

    auto pread = file.preadRequest();
    pread.setCount(4);
    pread.setOffset(2);
    auto piece = pread.send().wait(client->ws());
    EXPECT_EQ(piece.getErrno(), 0);
    EXPECT_EQ(std::string(piece.getData().asChars().begin(), piece.getData().size()), "llo ");

    auto bad_seek = file.seekRequest();
    bad_seek.setOffset(0);
    bad_seek.setWhence(9);
    EXPECT_EQ(bad_seek.send().wait(client->ws()).getErrno(), EINVAL);
}

TEST_F(HandleTest, CreateWritePwriteTruncateSync) {
    mode_t mask = umask(0);
    umask(mask);
    auto created = open_at(*client, root, "new.txt", O_RDWR | O_CREAT | O_EXCL, 0640);
    ASSERT_EQ(created.error, 0);
    EXPECT_TRUE(S_ISREG(created.mode));
    EXPECT_EQ(created.mode & 07777, 0640u & ~mask);
    auto& file = created.handle;
    auto written = write(*client, file, "0123456789");
    EXPECT_EQ(written.error, 0);
    EXPECT_EQ(written.value, 10);

    auto pwrite = file.pwriteRequest();
    const char patch[] = "AB";
    pwrite.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(patch), 2));
    pwrite.setOffset(3);
    auto pwritten = pwrite.send().wait(client->ws());
    EXPECT_EQ(pwritten.getErrno(), 0);
    EXPECT_EQ(pwritten.getWritten(), 2u);
    EXPECT_EQ(tree.read("root/new.txt"), "012AB56789");

    auto truncate = file.truncateRequest();
    truncate.setLength(4);
    EXPECT_EQ(truncate.send().wait(client->ws()).getErrno(), 0);
    EXPECT_EQ(tree.read("root/new.txt"), "012A");

    for (bool data_only : {false, true}) {
        auto sync = file.syncRequest();
        sync.setDataOnly(data_only);
        EXPECT_EQ(sync.send().wait(client->ws()).getErrno(), 0);
    }

    // O_TRUNC on an existing file, O_APPEND appends.
    auto again = open_at(*client, root, "new.txt", O_WRONLY | O_TRUNC | O_APPEND);
    ASSERT_EQ(again.error, 0);
    EXPECT_EQ(again.size, 0);
    write(*client, again.handle, "x");
    write(*client, again.handle, "y");
    EXPECT_EQ(tree.read("root/new.txt"), "xy");
}

TEST_F(HandleTest, StatFsReportsTheHostFileSystem) {
    auto reply = root.statfsRequest().send().wait(client->ws());
    ASSERT_EQ(reply.getErrno(), 0);
    struct statfs host;
    ASSERT_EQ(::statfs(tree.at("root").c_str(), &host), 0);
    EXPECT_EQ(reply.getStatfs().getType(), host.f_type);
    EXPECT_EQ(reply.getStatfs().getBsize(), host.f_bsize);
    EXPECT_EQ(reply.getStatfs().getFlags() & ST_RDONLY, 0);
}

TEST_F(HandleTest, FlockConflictsBetweenHandles) {
    auto a = open_at(*client, root, "file.txt", O_RDONLY);
    auto b = open_at(*client, root, "file.txt", O_RDONLY);
    ASSERT_EQ(a.error, 0);
    ASSERT_EQ(b.error, 0);
    auto lock = [&](proto::Handle::Client& handle, uint32_t operation) {
        auto request = handle.flockRequest();
        request.setOperation(operation);
        return request.send().wait(client->ws()).getErrno();
    };
    EXPECT_EQ(lock(a.handle, LOCK_EX), 0);
    EXPECT_EQ(lock(b.handle, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    EXPECT_EQ(lock(b.handle, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    EXPECT_EQ(lock(a.handle, LOCK_UN), 0);
    EXPECT_EQ(lock(b.handle, LOCK_SH | LOCK_NB), 0);
    EXPECT_EQ(lock(a.handle, LOCK_SH | LOCK_NB), 0);
    EXPECT_EQ(lock(a.handle, 0x40), EINVAL);
}

TEST_F(HandleTest, StatusFlags) {
    auto opened = open_at(*client, root, "file.txt", O_WRONLY);
    ASSERT_EQ(opened.error, 0);
    auto get = [&]() {
        auto reply = opened.handle.getStatusFlagsRequest().send().wait(client->ws());
        EXPECT_EQ(reply.getErrno(), 0);
        return reply.getFlags();
    };
    EXPECT_EQ(get() & O_ACCMODE, uint32_t(O_WRONLY));
    EXPECT_EQ(get() & O_APPEND, 0u);
    auto set = opened.handle.setStatusFlagsRequest();
    set.setFlags(O_APPEND | LINUX_O_LARGEFILE | O_WRONLY); // F_GETFL's bits handed back
    EXPECT_EQ(set.send().wait(client->ws()).getErrno(), 0);
    EXPECT_EQ(get() & O_APPEND, uint32_t(O_APPEND));
    write(*client, opened.handle, "!");
    EXPECT_EQ(tree.read("root/file.txt"), "hello world!");

    auto bad = opened.handle.setStatusFlagsRequest();
    bad.setFlags(O_ASYNC); // would signal the proxy
    EXPECT_EQ(bad.send().wait(client->ws()).getErrno(), EINVAL);
}

TEST_F(HandleTest, StdioNonblockIsEmulatedNotSetOnTheSharedDescription) {
    auto stdio = session.stdioRequest().send().wait(client->ws());
    auto in = stdio.getStdin();
    auto set = in.setStatusFlagsRequest();
    set.setFlags(O_NONBLOCK);
    ASSERT_EQ(set.send().wait(client->ws()).getErrno(), 0);
    auto flags = in.getStatusFlagsRequest().send().wait(client->ws());
    EXPECT_NE(flags.getFlags() & O_NONBLOCK, 0u);
    // The description the proxy shares with its parent is untouched...
    EXPECT_EQ(fcntl(stdin_writer(), F_GETFL) & O_NONBLOCK, 0);
    // ...but the guest gets non-blocking behaviour.
    EXPECT_EQ(read(*client, in, 10).error, EAGAIN);
    ASSERT_EQ(::write(stdin_writer(), "x", 1), 1);
    EXPECT_EQ(read(*client, in, 10).data, "x");
    // Other flags of the shared description cannot change.
    auto append = in.setStatusFlagsRequest();
    append.setFlags(O_APPEND);
    EXPECT_EQ(append.send().wait(client->ws()).getErrno(), EPERM);
}

TEST_F(HandleTest, IoctlFionreadOnAPipeAndEnottyElsewhere) {
    auto pipe = session.pipeRequest().send().wait(client->ws());
    ASSERT_EQ(pipe.getErrno(), 0);
    auto read_end = pipe.getReadEnd();
    auto write_end = pipe.getWriteEnd();
    write(*client, write_end, "12345");
    auto request = read_end.ioctlRequest();
    request.setRequest(FIONREAD);
    request.initArg(4);
    auto reply = request.send().wait(client->ws());
    ASSERT_EQ(reply.getErrno(), 0);
    ASSERT_EQ(reply.getArg().size(), 4u);
    int count;
    memcpy(&count, reply.getArg().begin(), 4);
    EXPECT_EQ(count, 5);

    auto file = open_at(*client, root, "file.txt", O_RDONLY);
    auto tcgets = file.handle.ioctlRequest();
    tcgets.setRequest(TCGETS);
    EXPECT_EQ(tcgets.send().wait(client->ws()).getErrno(), ENOTTY);
    auto unknown = read_end.ioctlRequest();
    unknown.setRequest(0x5401 + 0x100); // not one of the three
    EXPECT_EQ(unknown.send().wait(client->ws()).getErrno(), ENOTTY);
}

TEST(HandleTerminal, TcgetsAndWinsizeInTheKernelLayout) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(master, 0);
    ASSERT_EQ(grantpt(master), 0);
    ASSERT_EQ(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    ASSERT_GE(slave, 0);
    struct winsize size = {};
    size.ws_row = 42;
    size.ws_col = 132;
    ASSERT_EQ(ioctl(master, TIOCSWINSZ, &size), 0);
    struct termios expected; // the kernel's struct (asm/termbits.h)
    ASSERT_EQ(ioctl(slave, TCGETS, &expected), 0);

    TempTree tree;
    ProxyOptions options;
    options.stdio = InheritedStdio{slave, slave, slave};
    InProcessServer server(options);
    {
        Client client(server.take_client_fd());
        auto session = new_session(client, {{tree.path(), "/", false}}).session;
        auto in = session.stdioRequest().send().wait(client.ws()).getStdin();

        auto tcgets = in.ioctlRequest();
        tcgets.setRequest(TCGETS);
        auto termios = tcgets.send().wait(client.ws());
        ASSERT_EQ(termios.getErrno(), 0);
        ASSERT_EQ(termios.getArg().size(), 36u);
        EXPECT_EQ(memcmp(termios.getArg().begin(), &expected, 36), 0);

        auto winsize = in.ioctlRequest();
        winsize.setRequest(TIOCGWINSZ);
        auto reply = winsize.send().wait(client.ws());
        ASSERT_EQ(reply.getErrno(), 0);
        ASSERT_EQ(reply.getArg().size(), 8u);
        struct winsize got;
        memcpy(&got, reply.getArg().begin(), 8);
        EXPECT_EQ(got.ws_row, 42);
        EXPECT_EQ(got.ws_col, 132);
    }
    server.join();
    close(master);
    close(slave);
}

TEST_F(HandleTest, ChmodAndChmodAt) {
    auto opened = open_at(*client, root, "file.txt", O_RDONLY);
    auto chmod = opened.handle.chmodRequest();
    chmod.setMode(0600);
    EXPECT_EQ(chmod.send().wait(client->ws()).getErrno(), 0);
    struct stat st;
    ASSERT_EQ(::stat(tree.at("root/file.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    EXPECT_EQ(chmod_at(*client, root, "dir/a.txt", 0604), 0);
    ASSERT_EQ(::stat(tree.at("root/dir/a.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0604u);

    EXPECT_EQ(chmod_at(*client, opened.handle, "", 0644, AT_EMPTY_PATH), 0);
    ASSERT_EQ(::stat(tree.at("root/file.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);

    tree.symlink("file.txt", "root/link");
    EXPECT_EQ(chmod_at(*client, root, "link", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
    EXPECT_EQ(chmod_at(*client, root, "missing", 0600), ENOENT);

    // fchmod on an O_PATH handle: EBADF, as Linux.
    auto path_only = open_at(*client, root, "file.txt", O_PATH);
    auto on_path = path_only.handle.chmodRequest();
    on_path.setMode(0600);
    EXPECT_EQ(on_path.send().wait(client->ws()).getErrno(), EBADF);
}

// Parses getdents64 records into names (checking the record layout as it goes).
std::set<std::string> parse_dirents(kj::ArrayPtr<const kj::byte> data) {
    std::set<std::string> names;
    size_t at = 0;
    while (at < data.size()) {
        EXPECT_GE(data.size() - at, 19u);
        uint16_t reclen;
        memcpy(&reclen, data.begin() + at + 16, 2);
        EXPECT_GE(reclen, 20u);
        EXPECT_LE(at + reclen, data.size());
        if (reclen < 20 || at + reclen > data.size()) break;
        names.insert(reinterpret_cast<const char*>(data.begin() + at + 19));
        at += reclen;
    }
    return names;
}

TEST_F(HandleTest, Getdents) {
    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY);
    ASSERT_EQ(dir.error, 0);
    std::set<std::string> names;
    for (;;) {
        auto request = dir.handle.getdentsRequest();
        request.setMaxBytes(64); // small: several calls
        auto reply = request.send().wait(client->ws());
        ASSERT_EQ(reply.getErrno(), 0);
        if (reply.getData().size() == 0) break;
        auto more = parse_dirents(reply.getData());
        names.insert(more.begin(), more.end());
    }
    EXPECT_EQ(names, (std::set<std::string>{".", "..", "a.txt", "sub"}));

    auto too_small = dir.handle.getdentsRequest();
    too_small.setMaxBytes(0);
    EXPECT_EQ(too_small.send().wait(client->ws()).getErrno(), EINVAL);
    auto file = open_at(*client, root, "file.txt", O_RDONLY);
    auto on_file = file.handle.getdentsRequest();
    on_file.setMaxBytes(4096);
    EXPECT_EQ(on_file.send().wait(client->ws()).getErrno(), ENOTDIR);
}

TEST_F(HandleTest, StatAtFlags) {
    tree.symlink("file.txt", "root/link");
    auto followed = stat_at(*client, root, "link");
    ASSERT_EQ(followed.error, 0);
    EXPECT_TRUE(S_ISREG(followed.mode));
    EXPECT_EQ(followed.size, 11);
    auto link = stat_at(*client, root, "link", AT_SYMLINK_NOFOLLOW);
    ASSERT_EQ(link.error, 0);
    EXPECT_TRUE(S_ISLNK(link.mode));

    auto opened = open_at(*client, root, "file.txt", O_RDONLY);
    auto self = stat_at(*client, opened.handle, "", AT_EMPTY_PATH);
    ASSERT_EQ(self.error, 0);
    EXPECT_EQ(self.ino, opened.ino);
    EXPECT_EQ(stat_at(*client, root, "").error, ENOENT); // empty without AT_EMPTY_PATH
    EXPECT_EQ(stat_at(*client, root, "file.txt", 0x80000).error, EINVAL);
}

TEST_F(HandleTest, ReadlinkAt) {
    tree.symlink("../somewhere/else", "root/dir/link");
    auto target = readlink_at(*client, root, "dir/link");
    EXPECT_EQ(target.error, 0);
    EXPECT_EQ(target.data, "../somewhere/else");
    EXPECT_EQ(readlink_at(*client, root, "file.txt").error, EINVAL); // not a symlink
    EXPECT_EQ(readlink_at(*client, root, "dir").error, EINVAL);
    EXPECT_EQ(readlink_at(*client, root, "nothing").error, ENOENT);

    // readlinkAt("") on an O_PATH|O_NOFOLLOW handle of the link.
    auto link = open_at(*client, root, "dir/link", O_PATH | O_NOFOLLOW);
    ASSERT_EQ(link.error, 0);
    EXPECT_TRUE(S_ISLNK(link.mode));
    EXPECT_EQ(readlink_at(*client, link.handle, "").data, "../somewhere/else");

    auto request = root.readlinkAtRequest();
    request.setPath("dir/link");
    request.setMaxBytes(3); // truncated, as readlink(2)
    auto reply = request.send().wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getTarget().size(), 3u);
}

TEST_F(HandleTest, AccessAt) {
    EXPECT_EQ(access_at(*client, root, "file.txt", R_OK | W_OK), 0);
    EXPECT_EQ(access_at(*client, root, "file.txt", F_OK), 0);
    EXPECT_EQ(access_at(*client, root, "missing", F_OK), ENOENT);
    EXPECT_EQ(access_at(*client, root, "file.txt", 8), EINVAL);
    if (geteuid() != 0) { // root may execute nothing without an x bit, but reads anything
        ASSERT_EQ(::chmod(tree.at("root/file.txt").c_str(), 0), 0);
        EXPECT_EQ(access_at(*client, root, "file.txt", R_OK), EACCES);
    }
    EXPECT_EQ(access_at(*client, root, "file.txt", X_OK), EACCES);
}

TEST_F(HandleTest, MkdirUnlinkRmdir) {
    EXPECT_EQ(mkdir_at(*client, root, "newdir/", 0700), 0);
    struct stat st;
    ASSERT_EQ(::stat(tree.at("root/newdir").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(mkdir_at(*client, root, "newdir"), EEXIST);
    EXPECT_EQ(mkdir_at(*client, root, "file.txt"), EEXIST);
    EXPECT_EQ(mkdir_at(*client, root, "missing/x"), ENOENT);
    EXPECT_EQ(mkdir_at(*client, root, "file.txt/x"), ENOTDIR);
    EXPECT_EQ(mkdir_at(*client, root, "/"), EEXIST);

    EXPECT_EQ(unlink_at(*client, root, "newdir"), EISDIR);
    EXPECT_EQ(unlink_at(*client, root, "file.txt", AT_REMOVEDIR), ENOTDIR);
    EXPECT_EQ(unlink_at(*client, root, "dir", AT_REMOVEDIR), ENOTEMPTY);
    EXPECT_EQ(unlink_at(*client, root, "newdir", AT_REMOVEDIR), 0);
    EXPECT_FALSE(tree.exists("root/newdir"));
    EXPECT_EQ(unlink_at(*client, root, "file.txt/"), ENOTDIR);
    EXPECT_EQ(unlink_at(*client, root, "file.txt"), 0);
    EXPECT_FALSE(tree.exists("root/file.txt"));
    EXPECT_EQ(unlink_at(*client, root, "file.txt"), ENOENT);
    EXPECT_EQ(unlink_at(*client, root, "dir/.", AT_REMOVEDIR), EINVAL);
    EXPECT_EQ(unlink_at(*client, root, "dir/..", AT_REMOVEDIR), ENOTEMPTY);
    EXPECT_EQ(unlink_at(*client, root, "/", AT_REMOVEDIR), EBUSY);
    EXPECT_EQ(unlink_at(*client, root, "data", AT_REMOVEDIR), EBUSY); // a mount point
    EXPECT_EQ(unlink_at(*client, root, "dir", 0x1), EINVAL);

    // A symlink is unlinked, not its target.
    tree.symlink("dir", "root/dirlink");
    EXPECT_EQ(unlink_at(*client, root, "dirlink"), 0);
    EXPECT_TRUE(tree.exists("root/dir"));
}

TEST_F(HandleTest, RenameAt) {
    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY).handle;
    EXPECT_EQ(rename_at(*client, root, "file.txt", dir, "moved.txt"), 0);
    EXPECT_EQ(tree.read("root/dir/moved.txt"), "hello world");
    EXPECT_FALSE(tree.exists("root/file.txt"));
    EXPECT_EQ(rename_at(*client, dir, "moved.txt", root, "etc/passwd", RENAME_NOREPLACE), EEXIST);
    EXPECT_EQ(rename_at(*client, dir, "a.txt", dir, "moved.txt", RENAME_EXCHANGE), 0);
    EXPECT_EQ(tree.read("root/dir/a.txt"), "hello world");
    EXPECT_EQ(tree.read("root/dir/moved.txt"), "a");
    EXPECT_EQ(rename_at(*client, root, "missing", root, "x"), ENOENT);
    EXPECT_EQ(rename_at(*client, root, "dir/a.txt/", root, "x"), ENOTDIR);
    EXPECT_EQ(rename_at(*client, root, "dir", root, "x", 3), EINVAL);
    EXPECT_EQ(rename_at(*client, root, "data", root, "x"), EBUSY); // a mount point
    EXPECT_EQ(rename_at(*client, root, "dir/.", root, "x"), EBUSY);
}

TEST_F(HandleTest, PipeRoundTripAndNonblock) {
    auto pipe = session.pipeRequest().send().wait(client->ws());
    ASSERT_EQ(pipe.getErrno(), 0);
    auto read_end = pipe.getReadEnd();
    auto write_end = pipe.getWriteEnd();
    EXPECT_EQ(write(*client, write_end, "through").value, 7);
    EXPECT_EQ(read(*client, read_end, 100).data, "through");
    auto st = stat(*client, read_end);
    EXPECT_TRUE(S_ISFIFO(st.mode));
    EXPECT_EQ(write(*client, read_end, "x").error, EBADF);

    auto nonblocking = session.pipeRequest();
    nonblocking.setFlags(O_NONBLOCK | O_CLOEXEC);
    auto second = nonblocking.send().wait(client->ws());
    ASSERT_EQ(second.getErrno(), 0);
    auto empty = second.getReadEnd();
    EXPECT_EQ(read(*client, empty, 10).error, EAGAIN);

    auto bad = session.pipeRequest();
    bad.setFlags(O_DIRECT);
    EXPECT_EQ(bad.send().wait(client->ws()).getErrno(), EINVAL);

    // A write to a pipe whose read end is gone: EPIPE as data, the proxy lives on.
    proto::Handle::Client lone_writer = nullptr;
    {
        auto third = session.pipeRequest().send().wait(client->ws());
        lone_writer = third.getWriteEnd();
    } // the read end is released
    EXPECT_EQ(write(*client, lone_writer, "x").error, EPIPE);
}

TEST_F(HandleTest, OpenErrnos) {
    EXPECT_EQ(open_at(*client, root, "missing", O_RDONLY).error, ENOENT);
    EXPECT_EQ(open_at(*client, root, "missing/x", O_RDONLY | O_CREAT).error, ENOENT);
    EXPECT_EQ(open_at(*client, root, "file.txt/x", O_RDONLY).error, ENOTDIR);
    EXPECT_EQ(open_at(*client, root, "file.txt", O_RDONLY | O_DIRECTORY).error, ENOTDIR);
    EXPECT_EQ(open_at(*client, root, "dir", O_WRONLY).error, EISDIR);
    EXPECT_EQ(open_at(*client, root, "dir", O_RDONLY | O_CREAT).error, EISDIR);
    EXPECT_EQ(open_at(*client, root, "newfile/", O_RDWR | O_CREAT).error, EISDIR);
    EXPECT_EQ(open_at(*client, root, "file.txt", O_RDONLY | O_CREAT | O_EXCL).error, EEXIST);
    EXPECT_EQ(open_at(*client, root, "file.txt", O_RDONLY | O_ASYNC).error, EINVAL);
    EXPECT_EQ(open_at(*client, root, "file.txt", O_ACCMODE).error, EINVAL);
    EXPECT_EQ(open_at(*client, root, "file.txt", 0x40000000).error, EINVAL);
    EXPECT_EQ(open_at(*client, root, "", O_RDONLY).error, ENOENT);
    EXPECT_EQ(open_at(*client, root, std::string("file.txt\0x", 10), O_RDONLY).error, EINVAL);
    EXPECT_EQ(open_at(*client, root, "/" + std::string(4200, 'a'), O_RDONLY).error, ENAMETOOLONG);
    EXPECT_EQ(open_at(*client, root, std::string(300, 'a'), O_RDONLY).error, ENAMETOOLONG);

    // Symlinks and O_NOFOLLOW / O_CREAT.
    tree.symlink("file.txt", "root/link");
    EXPECT_EQ(open_at(*client, root, "link", O_RDONLY | O_NOFOLLOW).error, ELOOP);
    tree.symlink("created-through-link", "root/dangling");
    EXPECT_EQ(open_at(*client, root, "dangling", O_WRONLY | O_CREAT | O_EXCL).error, EEXIST);
    EXPECT_EQ(open_at(*client, root, "dangling", O_WRONLY | O_CREAT).error, 0);
    EXPECT_TRUE(tree.exists("root/created-through-link"));

    // Misuse of handles: EBADF, as Linux.
    auto read_only = open_at(*client, root, "file.txt", O_RDONLY);
    EXPECT_EQ(write(*client, read_only.handle, "x").error, EBADF);
    auto path_only = open_at(*client, root, "file.txt", O_PATH);
    ASSERT_EQ(path_only.error, 0);
    EXPECT_EQ(read(*client, path_only.handle, 10).error, EBADF);
    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(read(*client, dir.handle, 10).error, EISDIR);
    // A relative path from a non-directory.
    EXPECT_EQ(open_at(*client, read_only.handle, "x", O_RDONLY).error, ENOTDIR);
    EXPECT_EQ(stat_at(*client, read_only.handle, "/file.txt").error, 0); // absolute is fine
}

TEST_F(HandleTest, OversizedCountsAreEinval) {
    auto file = open_at(*client, root, "file.txt", O_RDWR).handle;
    EXPECT_EQ(read(*client, file, proto::MAX_IO + 1).error, EINVAL);
    EXPECT_EQ(write(*client, file, std::string(proto::MAX_IO + 1, 'x')).error, EINVAL);
    auto pread = file.preadRequest();
    pread.setCount(10);
    pread.setOffset(-1);
    EXPECT_EQ(pread.send().wait(client->ws()).getErrno(), EINVAL);
    auto readlink = root.readlinkAtRequest();
    readlink.setPath("file.txt");
    readlink.setMaxBytes(proto::MAX_IO + 1);
    EXPECT_EQ(readlink.send().wait(client->ws()).getErrno(), EINVAL);
    auto ioctl = file.ioctlRequest();
    ioctl.setRequest(FIONREAD);
    ioctl.initArg(proto::MAX_IO + 1);
    EXPECT_EQ(ioctl.send().wait(client->ws()).getErrno(), EINVAL);
}

TEST_F(HandleTest, LargeCountsReadExactlyWhatIsThere) {
    std::string pattern(proto::MAX_IO + 100, '\0');
    for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = char(i % 251);
    tree.write("root/big", pattern);
    auto big = open_at(*client, root, "big", O_RDONLY).handle;
    auto whole = read(*client, big, proto::MAX_IO); // a maximal read
    EXPECT_EQ(whole.error, 0);
    EXPECT_TRUE(whole.data == pattern.substr(0, proto::MAX_IO));
    EXPECT_TRUE(read(*client, big, proto::MAX_IO).data == pattern.substr(proto::MAX_IO));
    auto pread = big.preadRequest();
    pread.setCount(proto::MAX_IO);
    pread.setOffset(77);
    auto piece = pread.send().wait(client->ws());
    EXPECT_TRUE(std::string(piece.getData().asChars().begin(), piece.getData().size()) ==
                pattern.substr(77, proto::MAX_IO));
    // A large count on a small file: the file's bytes, nothing more.
    auto small = open_at(*client, root, "file.txt", O_RDONLY).handle;
    EXPECT_EQ(read(*client, small, proto::MAX_IO).data, "hello world");
}

TEST_F(HandleTest, TmpfileAndPathOnlyOpens) {
    auto tmp = open_at(*client, root, "dir", O_TMPFILE | O_RDWR, 0600);
    ASSERT_EQ(tmp.error, 0);
    EXPECT_EQ(write(*client, tmp.handle, "anon").value, 4);
    EXPECT_EQ(open_at(*client, root, "dir", (O_TMPFILE & ~O_DIRECTORY) | O_RDWR).error, EINVAL);

    auto path_dir = open_at(*client, root, "dir", O_PATH | O_DIRECTORY);
    ASSERT_EQ(path_dir.error, 0);
    EXPECT_EQ(read_file(*client, path_dir.handle, "a.txt").data, "a");
    // "." reopens: the new Handle does not share the directory's offset.
    auto dir = open_at(*client, root, "dir", O_RDONLY | O_DIRECTORY).handle;
    auto again = open_at(*client, dir, ".", O_RDONLY | O_DIRECTORY).handle;
    auto first = dir.getdentsRequest();
    first.setMaxBytes(4096);
    auto all = first.send().wait(client->ws()).getData().size();
    auto second = again.getdentsRequest();
    second.setMaxBytes(4096);
    EXPECT_EQ(second.send().wait(client->ws()).getData().size(), all);
}

TEST_F(HandleTest, NewSessionValidatesTheConfig) {
    auto root_dir = tree.at("root");
    EXPECT_EQ(new_session(*client, {}).error, EINVAL);
    EXPECT_EQ(new_session(*client, {{tree.at("data"), "/data"}}).error, EINVAL); // no "/"
    EXPECT_EQ(new_session(*client, {{"relative", "/"}}).error, EINVAL);
    EXPECT_EQ(new_session(*client, {{root_dir, "relative"}}).error, EINVAL);
    EXPECT_EQ(new_session(*client, {{root_dir, "/"}, {root_dir, "/a/../b"}}).error, EINVAL);
    EXPECT_EQ(new_session(*client, {{root_dir, "/"}, {root_dir, "/x"}, {root_dir, "/x/"}}).error,
              EINVAL);
    EXPECT_EQ(new_session(*client, {{tree.at("missing"), "/"}}).error, ENOENT);
    EXPECT_EQ(new_session(*client, {{tree.at("root/file.txt"), "/"}}).error, ENOTDIR);
    EXPECT_EQ(new_session(*client, {{root_dir, "/"}}, "/missing").error, ENOENT);
    EXPECT_EQ(new_session(*client, {{root_dir, "/"}}, "/file.txt").error, ENOTDIR);
    EXPECT_EQ(new_session(*client, {{root_dir, "/"}}, "dir").error, EINVAL);
    EXPECT_EQ(new_session(*client, {{"/proc", "/"}}).error, EACCES);

    auto request = client->service().newSessionRequest();
    auto mounts = request.initConfig().initMounts(1);
    mounts[0].setHostPath(root_dir);
    mounts[0].setGuestPath("/");
    request.initStdio().initHandles(2);
    EXPECT_EQ(request.send().wait(client->ws()).getErrno(), EINVAL);
}

TEST_F(HandleTest, StdioHandlesServedByTheCallerAreReturned) {
    // StdioSource.handles: the session hands back the caller's own capabilities.
    auto pipe = session.pipeRequest().send().wait(client->ws());
    auto request = client->service().newSessionRequest();
    auto mounts = request.initConfig().initMounts(1);
    mounts[0].setHostPath(tree.at("root"));
    mounts[0].setGuestPath("/");
    auto handles = request.initStdio().initHandles(3);
    handles.set(0, pipe.getReadEnd());
    handles.set(1, pipe.getWriteEnd());
    handles.set(2, pipe.getWriteEnd());
    auto reply = request.send().wait(client->ws());
    ASSERT_EQ(reply.getErrno(), 0);
    auto stdio = reply.getSession().stdioRequest().send().wait(client->ws());
    auto out = stdio.getStdout();
    auto in = stdio.getStdin();
    EXPECT_EQ(write(*client, out, "loop").value, 4);
    EXPECT_EQ(read(*client, in, 10).data, "loop");
}

TEST_F(HandleTest, PipelinedOpenThenRead) {
    // openAt's handle used before the reply arrives: one round trip.
    auto request = root.openAtRequest();
    request.setPath("file.txt");
    request.setFlags(O_RDONLY);
    auto open = request.send();
    auto read_request = open.getHandle().readRequest();
    read_request.setCount(5);
    auto reply = read_request.send().wait(client->ws());
    EXPECT_EQ(std::string(reply.getData().asChars().begin(), reply.getData().size()), "hello");
    EXPECT_EQ(open.wait(client->ws()).getErrno(), 0);
}

} // namespace
} // namespace jvmos::proxy::testing

namespace jvmos::proxy::testing {
namespace {

size_t open_fd_count() {
    size_t count = 0;
    DIR* dir = opendir("/proc/self/fd");
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
    return count;
}

TEST_F(HandleTest, DroppingAHandleClosesItsHostFd) {
    // The server runs in this process: its host fds are ours to count.
    stat(*client, root); // everything of the fixture is set up
    size_t before = open_fd_count();
    std::vector<proto::Handle::Client> handles;
    for (int i = 0; i < 20; ++i)
        handles.push_back(open_at(*client, root, "file.txt", O_RDONLY).handle);
    EXPECT_GE(open_fd_count(), before + 20);
    handles.clear();
    stat(*client, root); // a round trip after the releases: they have been processed
    EXPECT_EQ(open_fd_count(), before);
}

} // namespace
} // namespace jvmos::proxy::testing
