// The sandbox: a session's mount table and the resolution of guest paths beneath it.
//
// Every path a guest gives is resolved here, component by component, on host O_PATH descriptors:
//
//  * A walk starts at a mount's root fd (absolute paths: the "/" mount) or at a directory
//    Handle's fd, and only ever goes *down* on the host: openat(dir, NAME, O_PATH|O_NOFOLLOW)
//    with NAME a single component, never "." or "..". Nothing on the host is followed
//    implicitly, so no host symlink, magic link (/proc/self/root, /proc/self/fd/N) or host ".."
//    can lead outside the mounts.
//  * Symbolic links are read (readlinkat) and interpreted in the *guest's* namespace: an absolute
//    target restarts at the guest root (and may cross into another mount), a relative one
//    continues from the link's directory; at most MAX_SYMLINKS per lookup (ELOOP), as Linux.
//  * ".." is lexical on the canonical guest path the walk has built (the path of directories
//    actually entered), as in a Linux namespace: it never climbs above the guest root, and at a
//    mount root it goes to the directory the mount point is in (in the parent mount).
//  * Mount points are crossed by guest path: entering a name whose canonical guest path is a
//    mount's guest path enters that mount's root (the host directory under the mount point, if
//    any, is hidden, as on Linux).
//  * The walk refuses to enter a host procfs (EACCES): a rw view of /proc would give a guest
//    the proxy's own memory (/proc/self/mem). The guest synthesizes its own /proc.
//
// Lookups return O_PATH fds; callers perform the operation on them or with *at(parent, name)
// calls that do not follow a final symlink (mkdirat, unlinkat, renameat2, openat with
// O_NOFOLLOW), so a guest racing a rename against a lookup gets an error, never a host file.
//
// Everything here is synchronous and runs on the event-loop thread.
#pragma once

#include "result.h"

#include <kj/array.h>
#include <kj/io.h>
#include <kj/string.h>
#include <kj/vector.h>

#include <sys/stat.h>

namespace jvmos::proxy {

// Linux's limits, as the schema states them.
constexpr size_t MAX_PATH_BYTES = 4096;  // proto::MAX_PATH
constexpr unsigned MAX_SYMLINKS = 40;    // Linux's MAXSYMLINKS
constexpr size_t MAX_MOUNTS = 256;       // more is a malformed config (EINVAL)

// A canonical absolute guest path as its components; "/" is empty. Canonical: no ".", "..",
// empty components or symlinks (the path of the directories a walk actually entered).
using GuestPath = kj::Array<kj::String>;

// "/" or "/a/b".
kj::String format_guest_path(kj::ArrayPtr<const kj::String> path);
GuestPath clone_guest_path(kj::ArrayPtr<const kj::String> path);

// One mount as a session config gives it (the schema's Mount).
struct MountSpec {
    kj::StringPtr host_path;
    kj::StringPtr guest_path;
    bool read_only = false;
};

// One mount of a built table. Immutable once built.
struct Mount {
    GuestPath guest;      // where it appears
    kj::String host_path; // for messages only; the fd below is what is used
    kj::AutoCloseFd root; // O_PATH|O_DIRECTORY of the host directory, opened when built
    dev_t dev = 0;        // st_dev of `root`
    bool read_only = false;
};

// A session's mounts. Mount addresses are stable for the table's lifetime (Handles point at
// their mount).
class MountTable {
public:
    // Validates and opens every mount. EINVAL: no mounts, more than MAX_MOUNTS, a path that is
    // not absolute, contains NUL, "." or ".." components or is longer than MAX_PATH_BYTES, two
    // mounts at one guest path, or none at "/". Else the errno of opening a host directory
    // (ENOENT, ENOTDIR, EACCES...); EACCES for a directory on procfs.
    static Result<kj::Own<MountTable>> build(kj::ArrayPtr<const MountSpec> specs);

    // The mount at "/".
    const Mount& root() const { return *m_root; }
    // The mount whose guest path is exactly `path`, if any.
    kj::Maybe<const Mount&> at(kj::ArrayPtr<const kj::String> path) const;
    // The mount with the longest guest path that is a prefix of `path` (at least the root).
    const Mount& containing(kj::ArrayPtr<const kj::String> path) const;
    // True if some mount point lies strictly beneath `path`.
    bool has_mount_below(kj::ArrayPtr<const kj::String> path) const;

    explicit MountTable(kj::Array<Mount> mounts);

private:
    kj::Array<Mount> m_mounts;
    const Mount* m_root = nullptr;
};

// Where a relative walk starts: a directory Handle's fd, mount, st_dev and canonical guest path.
struct StartDir {
    int fd;
    const Mount* mount;
    dev_t dev;
    kj::ArrayPtr<const kj::String> guest;
};

// What to do with a final symlink: YES follow it (stat, open); NO return it, unless the path
// ends in '/' (lstat: "link/" is the directory); NEVER return it whatever follows (the
// parent-based calls: mkdir, unlink, rmdir, rename, which then judge a trailing slash).
enum class FollowLast { YES, NO, NEVER };

// What the final component of a path was, in Linux's terms (LAST_NORM/DOT/DOTDOT/ROOT): it
// decides errnos such as rmdir(".") EINVAL versus rmdir("..") ENOTEMPTY.
enum class LastKind { NAME, DOT, DOTDOT, ROOT };

// The outcome of a lookup.
struct Lookup {
    LastKind kind = LastKind::ROOT;
    bool trailing_slash = false; // the path (or the last symlink expanded) ended in '/'

    // kind == NAME: the directory the final name is in (O_PATH), its mount, and the name.
    kj::AutoCloseFd parent;
    const Mount* parent_mount = nullptr;
    kj::String name;
    bool is_mount_point = false; // the name is a mount point (then `target` is the mount root)

    // The final object: an O_PATH fd (of a symlink itself when not followed) and its stat; -1
    // when it does not exist (only for kind NAME: the parent exists, the name does not).
    kj::AutoCloseFd target;
    const Mount* target_mount = nullptr; // the mount the final object (or name) is in
    struct stat target_stat {};
    GuestPath guest; // canonical guest path of the final object (or of the missing name)

    bool exists() const { return target.get() >= 0; }
};

// Resolves guest paths beneath a mount table (see the top of this file).
class Resolver {
public:
    explicit Resolver(const MountTable& table) : m_table(table) {}

    // Resolves `path` (absolute, or relative to `base`) down to its final component. Errnos as
    // Linux: ENOENT (empty path, a missing directory on the way), ENOTDIR, ELOOP, ENAMETOOLONG
    // (path > MAX_PATH_BYTES), EINVAL (path contains NUL), EACCES (search permission, procfs).
    // A missing final name is not an error (exists() is false); a missing directory on the
    // way (a dangling symlink mid-path too) is ENOENT. Final symlinks: see FollowLast. Except
    // with NEVER, a final non-directory with a trailing slash is ENOTDIR.
    Result<Lookup> lookup(const StartDir& base, kj::StringPtr path, FollowLast follow) const;

    // Opens the directory at canonical guest path `path` (O_PATH), from its mount's root.
    struct Dir {
        kj::AutoCloseFd fd;
        const Mount* mount = nullptr;
        dev_t dev = 0;
    };
    Result<Dir> open_canonical(kj::ArrayPtr<const kj::String> path) const;

    const MountTable& table() const { return m_table; }

private:
    const MountTable& m_table;
};

// Validates a guest-supplied path string: EINVAL if it contains NUL, ENAMETOOLONG if longer
// than MAX_PATH_BYTES. (An empty path is the caller's to judge: AT_EMPTY_PATH or ENOENT.)
Status check_path_text(kj::StringPtr path);

} // namespace jvmos::proxy
