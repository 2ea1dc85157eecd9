// The sandbox over RPC: read-only mounts (EROFS), mount crossing, and attempts to reach host
// files outside the mounts. The fixture's tree (proxy_support.h):
//   T/root  -> "/"       etc/passwd = "guest passwd\n", file.txt, dir/{a.txt,sub/}
//   T/data  -> "/data"   d.txt = "data file"
//   T/ro    -> "/ro"     read-only; r.txt, rdir/
//   T/outside/secret = "SECRET", T/secret_parent = "PARENT SECRET"   (not mounted)
#include "proxy_support.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace jvmos::proxy::testing {
namespace {

using ReadOnlyMount = ProxyTest;
using SandboxEscape = ProxyTest;

TEST_F(ReadOnlyMount, ReadsWorkWritesAreErofs) {
    EXPECT_EQ(read_file(*client, root, "/ro/r.txt").data, "read only");
    EXPECT_EQ(open_at(*client, root, "/ro/r.txt", O_WRONLY).error, EROFS);
    EXPECT_EQ(open_at(*client, root, "/ro/r.txt", O_RDWR).error, EROFS);
    EXPECT_EQ(open_at(*client, root, "/ro/r.txt", O_RDONLY | O_TRUNC).error, EROFS);
    EXPECT_EQ(open_at(*client, root, "/ro/missing", O_WRONLY | O_CREAT).error, EROFS);
    EXPECT_EQ(open_at(*client, root, "/ro/r.txt", O_RDONLY | O_CREAT).error, 0); // no write
    EXPECT_EQ(open_at(*client, root, "/ro/r.txt", O_RDONLY | O_CREAT | O_EXCL).error, EEXIST);
    EXPECT_EQ(open_at(*client, root, "/ro/rdir", O_TMPFILE | O_RDWR).error, EROFS);
    EXPECT_FALSE(tree.exists("ro/missing"));
    EXPECT_EQ(tree.read("ro/r.txt"), "read only");

    EXPECT_EQ(mkdir_at(*client, root, "/ro/newdir"), EROFS);
    EXPECT_EQ(mkdir_at(*client, root, "/ro/rdir"), EEXIST); // Linux checks existence first
    EXPECT_FALSE(tree.exists("ro/newdir"));

    EXPECT_EQ(unlink_at(*client, root, "/ro/r.txt"), EROFS);
    EXPECT_EQ(unlink_at(*client, root, "/ro/missing"), EROFS); // even if absent
    EXPECT_EQ(unlink_at(*client, root, "/ro/rdir", AT_REMOVEDIR), EROFS);
    EXPECT_TRUE(tree.exists("ro/r.txt"));
    EXPECT_TRUE(tree.exists("ro/rdir"));

    EXPECT_EQ(rename_at(*client, root, "/ro/r.txt", root, "/ro/r2.txt"), EROFS);
    EXPECT_TRUE(tree.exists("ro/r.txt"));

    struct stat before;
    ASSERT_EQ(::stat(tree.at("ro/r.txt").c_str(), &before), 0);
    EXPECT_EQ(chmod_at(*client, root, "/ro/r.txt", 0600), EROFS);
    auto opened = open_at(*client, root, "/ro/r.txt", O_RDONLY);
    auto chmod = opened.handle.chmodRequest();
    chmod.setMode(0600);
    EXPECT_EQ(chmod.send().wait(client->ws()).getErrno(), EROFS);
    struct stat after;
    ASSERT_EQ(::stat(tree.at("ro/r.txt").c_str(), &after), 0);
    EXPECT_EQ(after.st_mode, before.st_mode);

    EXPECT_EQ(access_at(*client, root, "/ro/r.txt", W_OK), EROFS);
    EXPECT_EQ(access_at(*client, root, "/ro/r.txt", R_OK), 0);

    auto statfs = opened.handle.statfsRequest().send().wait(client->ws());
    ASSERT_EQ(statfs.getErrno(), 0);
    EXPECT_NE(statfs.getStatfs().getFlags() & ST_RDONLY, 0);
}

TEST_F(ReadOnlyMount, FifosOnItStayWritable) {
    // Linux: a read-only mount does not make a FIFO or a device read-only.
    ASSERT_EQ(mkfifo(tree.at("ro/fifo").c_str(), 0600), 0);
    auto opened = open_at(*client, root, "/ro/fifo", O_RDWR);
    ASSERT_EQ(opened.error, 0);
    EXPECT_EQ(write(*client, opened.handle, "ok").value, 2);
    EXPECT_EQ(read(*client, opened.handle, 10).data, "ok");
}

TEST_F(ReadOnlyMount, RenameAcrossMountsIsExdev) {
    EXPECT_EQ(rename_at(*client, root, "/file.txt", root, "/data/file.txt"), EXDEV);
    EXPECT_EQ(rename_at(*client, root, "/ro/r.txt", root, "/r.txt"), EXDEV);
    EXPECT_TRUE(tree.exists("root/file.txt"));
    EXPECT_FALSE(tree.exists("data/file.txt"));
    EXPECT_EQ(rename_at(*client, root, "/data/d.txt", root, "/data/e.txt"), 0);
    EXPECT_EQ(tree.read("data/e.txt"), "data file");
}

TEST_F(SandboxEscape, DotDotNeverClimbsAboveTheRoot) {
    EXPECT_EQ(read_file(*client, root, "/../../../../etc/passwd").data, "guest passwd\n");
    EXPECT_EQ(read_file(*client, root, "../../../../../etc/passwd").data, "guest passwd\n");
    auto dir = open_at(*client, root, "dir/sub", O_RDONLY | O_DIRECTORY).handle;
    EXPECT_EQ(read_file(*client, dir, "../../../../../../../etc/passwd").data, "guest passwd\n");
    EXPECT_EQ(read_file(*client, root, "/../secret_parent").error, ENOENT);
    EXPECT_EQ(read_file(*client, root, "/../outside/secret").error, ENOENT);
    EXPECT_EQ(stat_at(*client, root, "/..").ino, stat_at(*client, root, "/").ino);
}

TEST_F(SandboxEscape, DotDotAtAMountRootGoesToTheGuestParent) {
    // Host-wise the data mount's parent is T (with secret_parent); guest-wise it is "/".
    EXPECT_EQ(read_file(*client, root, "/data/../etc/passwd").data, "guest passwd\n");
    EXPECT_EQ(read_file(*client, root, "/data/../secret_parent").error, ENOENT);
    auto data = open_at(*client, root, "/data", O_RDONLY | O_DIRECTORY).handle;
    EXPECT_EQ(read_file(*client, data, "../etc/passwd").data, "guest passwd\n");
    EXPECT_EQ(read_file(*client, data, "../secret_parent").error, ENOENT);
    EXPECT_EQ(read_file(*client, data, "d.txt").data, "data file");
}

TEST_F(SandboxEscape, DotDotFromDeepDirectories) {
    // Deeper than the walk keeps directories open: ".." then reopens by canonical guest path.
    std::string deep = "root";
    std::string down, up;
    for (int i = 0; i < 100; ++i) {
        deep += "/d";
        tree.mkdir(deep);
        down += "d/";
        up += "../";
    }
    EXPECT_EQ(read_file(*client, root, down + up + "file.txt").data, "hello world");
    EXPECT_EQ(read_file(*client, root, down + up + up + "etc/passwd").data, "guest passwd\n");
    auto bottom = open_at(*client, root, down, O_RDONLY | O_DIRECTORY).handle;
    EXPECT_EQ(read_file(*client, bottom, up + "file.txt").data, "hello world");
    EXPECT_EQ(read_file(*client, bottom, up + up + "secret_parent").error, ENOENT);
}

TEST_F(SandboxEscape, AbsoluteSymlinkIsAGuestPath) {
    tree.symlink("/etc/passwd", "root/passwd_link");
    EXPECT_EQ(read_file(*client, root, "passwd_link").data, "guest passwd\n");
    EXPECT_EQ(readlink_at(*client, root, "passwd_link").data, "/etc/passwd");

    // A root without etc/passwd: ENOENT, never the host's /etc/passwd.
    TempTree bare;
    bare.symlink("/etc/passwd", "passwd_link");
    auto other = new_session(*client, {{bare.path(), "/", false}});
    ASSERT_EQ(other.error, 0);
    auto bare_root = root_of(*client, other.session);
    EXPECT_EQ(read_file(*client, bare_root, "passwd_link").error, ENOENT);
    EXPECT_EQ(read_file(*client, bare_root, "/etc/passwd").error, ENOENT);
    EXPECT_EQ(stat_at(*client, bare_root, "passwd_link").error, ENOENT);
}

TEST_F(SandboxEscape, RelativeSymlinkClimbingOut) {
    tree.symlink("../../../../../../outside/secret", "root/climb");
    tree.symlink("../secret_parent", "root/dir/up2");
    EXPECT_EQ(read_file(*client, root, "climb").error, ENOENT);
    EXPECT_EQ(read_file(*client, root, "dir/up2").error, ENOENT);
    // In the data mount: ".." from its root is the guest "/", not the host T.
    tree.symlink("../secret_parent", "data/up");
    tree.symlink("../etc/passwd", "data/up_passwd");
    EXPECT_EQ(read_file(*client, root, "/data/up").error, ENOENT);
    EXPECT_EQ(read_file(*client, root, "/data/up_passwd").data, "guest passwd\n");
}

TEST_F(SandboxEscape, SymlinkToADirectoryOutsideTheMounts) {
    tree.symlink(tree.at("outside"), "root/outdir"); // absolute host path: a guest path here
    EXPECT_EQ(read_file(*client, root, "outdir/secret").error, ENOENT);
    EXPECT_EQ(open_at(*client, root, "outdir", O_RDONLY | O_DIRECTORY).error, ENOENT);
    EXPECT_EQ(open_at(*client, root, "outdir/new", O_WRONLY | O_CREAT).error, ENOENT);
    EXPECT_EQ(mkdir_at(*client, root, "outdir/new"), ENOENT);
    EXPECT_FALSE(tree.exists("outside/new"));
    // The same host path recreated inside the guest root is what the link reaches.
    std::string inside = "root" + tree.at("outside");
    std::string walk = "root";
    for (size_t start = 1; start <= tree.at("outside").size();) {
        size_t slash = tree.at("outside").find('/', start);
        size_t end = slash == std::string::npos ? tree.at("outside").size() : slash;
        walk += "/" + tree.at("outside").substr(start, end - start);
        if (!tree.exists(walk)) tree.mkdir(walk);
        start = end + 1;
    }
    tree.write(inside + "/secret", "guest secret");
    EXPECT_EQ(read_file(*client, root, "outdir/secret").data, "guest secret");
}

TEST_F(SandboxEscape, ProcSelfRootAndMagicLinks) {
    // The guest's /proc is not the host's: in this root there is none.
    EXPECT_EQ(read_file(*client, root, "/proc/self/root/etc/passwd").error, ENOENT);
    tree.symlink("/proc/self/root", "root/proc_root");
    EXPECT_EQ(read_file(*client, root, "proc_root/etc/passwd").error, ENOENT);

    // With the host's "/" mounted (read-only, as jvmos's default table does), the host's procfs
    // is refused: its magic links would lead anywhere (and /proc/self/mem into the proxy).
    auto host = new_session(*client, {{"/", "/", true}});
    ASSERT_EQ(host.error, 0);
    auto host_root = root_of(*client, host.session);
    EXPECT_EQ(read_file(*client, host_root, "/proc/self/root/etc/hostname").error, EACCES);
    EXPECT_EQ(open_at(*client, host_root, "/proc/self/mem", O_RDWR).error, EACCES);
    EXPECT_EQ(stat_at(*client, host_root, "/proc/self/fd/0").error, EACCES);
    // A symlink inside the mounts into the host's procfs is refused the same way.
    tree.symlink("/proc/self/cwd", "root/cwd_link");
    std::string via_host_root = tree.at("root/cwd_link");
    EXPECT_EQ(read_file(*client, host_root, via_host_root + "/x").error, EACCES);
    // Everything else of the host root stays readable.
    EXPECT_EQ(read_file(*client, host_root, tree.at("root/file.txt")).data, "hello world");
}

TEST_F(SandboxEscape, SymlinkLoopsAreEloop) {
    tree.symlink("loop_b", "root/loop_a");
    tree.symlink("loop_a", "root/loop_b");
    tree.symlink("self", "root/self");
    EXPECT_EQ(read_file(*client, root, "loop_a").error, ELOOP);
    EXPECT_EQ(read_file(*client, root, "self").error, ELOOP);
    EXPECT_EQ(stat_at(*client, root, "loop_a/x").error, ELOOP);
    EXPECT_EQ(stat_at(*client, root, "loop_a", AT_SYMLINK_NOFOLLOW).error, 0);
    // Linux follows at most 40 links: a chain of 40 resolves, 41 is ELOOP.
    tree.symlink("file.txt", "root/chain0");
    for (int i = 1; i <= 41; ++i) {
        tree.symlink("chain" + std::to_string(i - 1), "root/chain" + std::to_string(i));
    }
    EXPECT_EQ(read_file(*client, root, "chain39").data, "hello world"); // 40 links
    EXPECT_EQ(read_file(*client, root, "chain40").error, ELOOP);         // 41 links
}

TEST_F(SandboxEscape, MountCrossingThroughASymlink) {
    tree.symlink("/data", "root/to_data");
    tree.symlink("/ro/r.txt", "root/to_ro_file");
    EXPECT_EQ(read_file(*client, root, "to_data/d.txt").data, "data file");
    auto through = open_at(*client, root, "to_data/created", O_WRONLY | O_CREAT);
    EXPECT_EQ(through.error, 0);
    EXPECT_TRUE(tree.exists("data/created"));
    // The read-only mount stays read-only when reached through a link from a writable one.
    EXPECT_EQ(open_at(*client, root, "to_ro_file", O_WRONLY).error, EROFS);
    EXPECT_EQ(read_file(*client, root, "to_ro_file").data, "read only");
    // The host directory under a mount point is hidden by the mount.
    tree.write("root/data/hidden", "under the mount point");
    EXPECT_EQ(read_file(*client, root, "/data/hidden").error, ENOENT);
}

TEST_F(SandboxEscape, HandlesOfAnotherSessionAreRefused) {
    auto other = new_session(*client, {{tree.at("outside"), "/", false}});
    ASSERT_EQ(other.error, 0);
    auto other_root = root_of(*client, other.session);
    // Moving a file into another session's tree: EBADF, nothing moves.
    EXPECT_EQ(rename_at(*client, root, "file.txt", other_root, "stolen"), EBADF);
    EXPECT_FALSE(tree.exists("outside/stolen"));
    EXPECT_EQ(rename_at(*client, other_root, "secret", root, "stolen"), EBADF);
    EXPECT_FALSE(tree.exists("root/stolen"));
    EXPECT_TRUE(tree.exists("outside/secret"));
}

} // namespace
} // namespace jvmos::proxy::testing
