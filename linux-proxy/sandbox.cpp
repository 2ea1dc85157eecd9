#include "sandbox.h"

#include <kj/debug.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace jvmos::proxy {

Errno last_errno() { return Errno{errno != 0 ? errno : EIO}; }

kj::String format_guest_path(kj::ArrayPtr<const kj::String> path) {
    if (path.size() == 0) return kj::str("/");
    kj::Vector<char> text;
    for (auto& component : path) {
        text.add('/');
        text.addAll(component);
    }
    text.add('\0');
    return kj::String(text.releaseAsArray());
}

GuestPath clone_guest_path(kj::ArrayPtr<const kj::String> path) {
    return KJ_MAP(component, path) { return kj::str(component); };
}

Status check_path_text(kj::StringPtr path) {
    if (memchr(path.begin(), '\0', path.size()) != nullptr) return Errno{EINVAL};
    if (path.size() > MAX_PATH_BYTES) return Errno{ENAMETOOLONG};
    return ok_status();
}

namespace {

bool is_prefix(kj::ArrayPtr<const kj::String> prefix, kj::ArrayPtr<const kj::String> path) {
    if (prefix.size() > path.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (prefix[i] != path[i]) return false;
    }
    return true;
}

// Splits "/a//b/c/" into {"a", "b", "c"}.
kj::Vector<kj::String> split_components(kj::StringPtr text) {
    kj::Vector<kj::String> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == '/') ++i;
        size_t start = i;
        while (i < text.size() && text[i] != '/') ++i;
        if (i > start) out.add(kj::heapString(text.begin() + start, i - start));
    }
    return out;
}

// EACCES if the directory `fd` (with stat `st`, entered from a directory on `parent_dev`) is on
// a host procfs; see sandbox.h. Only a device change can enter another file system.
Status check_file_system(int fd, const struct stat& st, dev_t parent_dev) {
    if (st.st_dev == parent_dev) return ok_status();
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0) return last_errno();
    if (fs.f_type == PROC_SUPER_MAGIC) return Errno{EACCES};
    return ok_status();
}

Result<kj::AutoCloseFd> dup_fd(int fd) {
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) return last_errno();
    return kj::AutoCloseFd(copy);
}

} // namespace

// ---- MountTable ----------------------------------------------------------------------------

MountTable::MountTable(kj::Array<Mount> mounts) : m_mounts(kj::mv(mounts)) {
    for (auto& mount : m_mounts) {
        if (mount.guest.size() == 0) m_root = &mount;
    }
    KJ_ASSERT(m_root != nullptr, "a mount table without a root mount");
}

Result<kj::Own<MountTable>> MountTable::build(kj::ArrayPtr<const MountSpec> specs) {
    if (specs.size() == 0 || specs.size() > MAX_MOUNTS) return Errno{EINVAL};

    // Syntax first (EINVAL), then the host directories.
    auto guests = kj::heapArrayBuilder<GuestPath>(specs.size());
    bool has_root = false;
    for (auto& spec : specs) {
        for (auto text : {spec.host_path, spec.guest_path}) {
            if (text.size() == 0 || text[0] != '/' || !check_path_text(text).ok()) {
                return Errno{EINVAL};
            }
        }
        auto components = split_components(spec.guest_path);
        for (auto& component : components) {
            if (component == "." || component == "..") return Errno{EINVAL};
        }
        GuestPath guest = components.releaseAsArray();
        for (auto& other : guests) {
            if (other.size() == guest.size() && is_prefix(other, guest)) return Errno{EINVAL};
        }
        if (guest.size() == 0) has_root = true;
        guests.add(kj::mv(guest));
    }
    if (!has_root) return Errno{EINVAL};

    auto mounts = kj::heapArrayBuilder<Mount>(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        auto& spec = specs[i];
        int fd = open(spec.host_path.cStr(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return last_errno();
        kj::AutoCloseFd root(fd);
        struct stat st;
        if (fstat(root, &st) != 0) return last_errno();
        struct statfs fs;
        if (fstatfs(root, &fs) != 0) return last_errno();
        if (fs.f_type == PROC_SUPER_MAGIC) return Errno{EACCES};
        mounts.add(Mount{kj::mv(guests[i]), kj::heapString(spec.host_path), kj::mv(root),
                         st.st_dev, spec.read_only});
    }
    return kj::heap<MountTable>(mounts.finish());
}

kj::Maybe<const Mount&> MountTable::at(kj::ArrayPtr<const kj::String> path) const {
    for (auto& mount : m_mounts) {
        if (mount.guest.size() == path.size() && is_prefix(mount.guest, path)) return mount;
    }
    return nullptr;
}

const Mount& MountTable::containing(kj::ArrayPtr<const kj::String> path) const {
    const Mount* best = m_root;
    for (auto& mount : m_mounts) {
        if (mount.guest.size() > best->guest.size() && is_prefix(mount.guest, path)) {
            best = &mount;
        }
    }
    return *best;
}

bool MountTable::has_mount_below(kj::ArrayPtr<const kj::String> path) const {
    for (auto& mount : m_mounts) {
        if (mount.guest.size() > path.size() && is_prefix(path, mount.guest)) return true;
    }
    return false;
}

// ---- Resolver ------------------------------------------------------------------------------

Result<Resolver::Dir> Resolver::open_canonical(kj::ArrayPtr<const kj::String> path) const {
    const Mount& mount = m_table.containing(path);
    Dir dir{JVMOS_PROXY_TRY(dup_fd(mount.root)), &mount, mount.dev};
    for (size_t i = mount.guest.size(); i < path.size(); ++i) {
        int fd = openat(dir.fd, path[i].cStr(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return last_errno();
        kj::AutoCloseFd next(fd);
        struct stat st;
        if (fstat(next, &st) != 0) return last_errno();
        if (!S_ISDIR(st.st_mode)) return Errno{ENOTDIR};
        JVMOS_PROXY_TRY(check_file_system(next, st, dir.dev));
        dir = Dir{kj::mv(next), dir.mount, st.st_dev};
    }
    return kj::mv(dir);
}

namespace {

// The state of one walk. `m_dirs.back()` is the current directory; the entries before it are
// its ancestors as entered by this walk (at most MAX_HELD of them are kept open), so that ".."
// is usually a pop; when the held ancestors run out, ".." reopens the parent by its canonical
// guest path.
class Walk {
public:
    Walk(const Resolver& resolver) : m_resolver(resolver), m_table(resolver.table()) {}

    Status start_at_root() {
        m_dirs.clear();
        const Mount& root = m_table.root();
        m_dirs.push_back(Resolver::Dir{JVMOS_PROXY_TRY(dup_fd(root.root)), &root, root.dev});
        m_guest.clear();
        m_kind = LastKind::ROOT;
        return ok_status();
    }

    Status start_at(const StartDir& base) {
        m_dirs.clear();
        m_dirs.push_back(Resolver::Dir{JVMOS_PROXY_TRY(dup_fd(base.fd)), base.mount, base.dev});
        m_guest.clear();
        for (auto& component : base.guest) m_guest.add(kj::str(component));
        m_kind = LastKind::DOT;
        return ok_status();
    }

    // Queues the components of `text` in front of those still pending.
    void push_path(kj::StringPtr text) {
        auto components = split_components(text);
        for (size_t i = components.size(); i > 0; --i) m_pending.add(kj::mv(components[i - 1]));
    }

    Result<Lookup> run(kj::StringPtr path, FollowLast follow) {
        if (path.size() > 0 && path[path.size() - 1] == '/') m_trailing_slash = true;
        push_path(path);
        while (m_pending.size() > 0) {
            kj::String name = kj::mv(m_pending.back());
            m_pending.removeLast();
            bool last = m_pending.size() == 0;
            if (name == ".") {
                m_kind = LastKind::DOT;
                continue;
            }
            if (name == "..") {
                JVMOS_PROXY_TRY(go_up());
                m_kind = LastKind::DOTDOT;
                continue;
            }
            m_kind = LastKind::NAME;
            m_guest.add(kj::mv(name));
            auto child_guest = m_guest.asPtr();
            kj::StringPtr child_name = m_guest.back();

            // A mount point: enter the mount whatever the parent has under that name.
            KJ_IF_MAYBE (mount, m_table.at(child_guest)) {
                Resolver::Dir dir{JVMOS_PROXY_TRY(dup_fd(mount->root)), mount, mount->dev};
                if (last) {
                    struct stat st;
                    if (fstat(dir.fd, &st) != 0) return last_errno();
                    return finish_name(kj::mv(dir.fd), mount, st, true);
                }
                enter(kj::mv(dir));
                continue;
            }

            const Resolver::Dir& here = m_dirs.back();
            int fd = openat(here.fd, child_name.cStr(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                if (errno == ENOENT && last) {
                    struct stat none {};
                    return finish_name(kj::AutoCloseFd(), here.mount, none, false);
                }
                return last_errno();
            }
            kj::AutoCloseFd object(fd);
            struct stat st;
            if (fstat(object, &st) != 0) return last_errno();

            if (S_ISLNK(st.st_mode)) {
                bool keep = follow == FollowLast::NEVER ||
                            (follow == FollowLast::NO && !m_trailing_slash);
                if (last && keep) {
                    return finish_name(kj::mv(object), here.mount, st, false);
                }
                if (++m_links > MAX_SYMLINKS) return Errno{ELOOP};
                char target[MAX_PATH_BYTES + 1];
                ssize_t n = readlinkat(object, "", target, sizeof target);
                if (n < 0) return last_errno();
                if (n == 0) return Errno{ENOENT};
                if (size_t(n) > MAX_PATH_BYTES) return Errno{ENAMETOOLONG};
                auto owned = kj::heapString(target, n);
                m_guest.removeLast(); // the link's name is not part of the path
                if (owned[0] == '/') JVMOS_PROXY_TRY(start_at_root());
                if (last && owned[owned.size() - 1] == '/') m_trailing_slash = true;
                push_path(owned);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                JVMOS_PROXY_TRY(check_file_system(object, st, here.dev));
                if (last) return finish_name(kj::mv(object), here.mount, st, false);
                enter(Resolver::Dir{kj::mv(object), here.mount, st.st_dev});
                continue;
            }
            if (!last) return Errno{ENOTDIR};
            if (m_trailing_slash && follow != FollowLast::NEVER) return Errno{ENOTDIR};
            return finish_name(kj::mv(object), here.mount, st, false);
        }
        // The path ended on the current directory ("/", ".", "a/..", a link to "/").
        Lookup out;
        out.kind = m_kind;
        out.trailing_slash = m_trailing_slash;
        Resolver::Dir& here = m_dirs.back();
        if (fstat(here.fd, &out.target_stat) != 0) return last_errno();
        out.target = kj::mv(here.fd);
        out.target_mount = here.mount;
        out.guest = clone_guest_path(m_guest);
        return kj::mv(out);
    }

private:
    static constexpr size_t MAX_HELD = 64;

    // Enters `dir`, whose name is already the last component of m_guest.
    void enter(Resolver::Dir dir) {
        m_dirs.push_back(kj::mv(dir));
        if (m_dirs.size() > MAX_HELD) m_dirs.pop_front();
    }

    Status go_up() {
        if (m_guest.size() == 0) return ok_status(); // ".." of the root is the root
        m_guest.removeLast();
        if (m_dirs.size() > 1) {
            m_dirs.pop_back();
            return ok_status();
        }
        auto parent = JVMOS_PROXY_TRY(m_resolver.open_canonical(m_guest));
        m_dirs.clear();
        m_dirs.push_back(kj::mv(parent));
        return ok_status();
    }

    // The final component is a name (m_guest's last): the result carries its parent.
    Result<Lookup> finish_name(kj::AutoCloseFd target, const Mount* mount, const struct stat& st,
                               bool is_mount_point) {
        Lookup out;
        out.kind = LastKind::NAME;
        out.trailing_slash = m_trailing_slash;
        Resolver::Dir& here = m_dirs.back();
        out.parent = kj::mv(here.fd);
        out.parent_mount = here.mount;
        out.name = kj::str(m_guest.back());
        out.is_mount_point = is_mount_point;
        out.target = kj::mv(target);
        out.target_mount = mount;
        out.target_stat = st;
        out.guest = clone_guest_path(m_guest);
        return kj::mv(out);
    }

    const Resolver& m_resolver;
    const MountTable& m_table;
    std::deque<Resolver::Dir> m_dirs;
    kj::Vector<kj::String> m_guest;   // canonical guest path of m_dirs.back() (+ the name)
    kj::Vector<kj::String> m_pending; // components still to walk; the next one is last
    LastKind m_kind = LastKind::ROOT;
    bool m_trailing_slash = false;
    unsigned m_links = 0;
};

} // namespace

Result<Lookup> Resolver::lookup(const StartDir& base, kj::StringPtr path, FollowLast follow) const {
    if (path.size() == 0) return Errno{ENOENT};
    JVMOS_PROXY_TRY(check_path_text(path));
    Walk walk(*this);
    if (path[0] == '/') {
        JVMOS_PROXY_TRY(walk.start_at_root());
    } else {
        JVMOS_PROXY_TRY(walk.start_at(base));
    }
    return walk.run(path, follow);
}

} // namespace jvmos::proxy
