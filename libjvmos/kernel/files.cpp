#include "kernel/files.h"

#include "base/assert.h"
#include "base/string.h"
#include "kernel/memfd.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/procfs.h"
#include "shipper/guest/ship.h"

namespace jvmos::kernel {

struct FdSlot {
    OpenFile* file;
    bool cloexec;
};

// A process's descriptors (fork copies the table; the OpenFiles are shared, as on Linux).
struct FdTable {
    FdSlot* slots;
    usize capacity;
};

namespace {

FdTable& fds() { return *current_process().files; }

// The table grows on demand up to the soft RLIMIT_NOFILE.
usize fd_limit() {
    const u64 cur = current_process().rlimits[7].cur;
    return cur > 1u << 20 ? 1u << 20 : usize(cur);
}

Result<void> grow_table(FdTable& table, usize want) {
    if (want <= table.capacity) return {};
    usize cap = table.capacity ? table.capacity : 64;
    while (cap < want) cap *= 2;
    auto* fresh = static_cast<FdSlot*>(heap().allocate(cap * sizeof(FdSlot), alignof(FdSlot)));
    if (!fresh) return Errno::ENOMEM;
    memset(fresh, 0, cap * sizeof(FdSlot));
    if (table.slots) {
        memcpy(fresh, table.slots, table.capacity * sizeof(FdSlot));
        heap().deallocate(table.slots, table.capacity * sizeof(FdSlot));
    }
    table.slots = fresh;
    table.capacity = cap;
    return {};
}

Result<void> grow_to(usize want) { return grow_table(fds(), want); }

char* copy_string(const char* s) {
    const usize n = strlen(s) + 1;
    auto* p = static_cast<char*>(heap().allocate(n, 1));
    if (p) memcpy(p, s, n);
    return p;
}

// File mappings read through the shipper, one pread per fault-around window; the mappings keep
// their OpenFile (and so the proxy's file) alive after the program closes the fd.
class ShippedFileBacking final : public mm::FileBacking {
public:
    Result<usize> read(u64 file_id, u64 offset, u8* dst, usize len) override {
        auto* f = reinterpret_cast<OpenFile*>(file_id);
        usize done = 0;
        while (done < len) {
            usize n = len - done;
            if (n > shipper::Call::DATA_CAPACITY) n = shipper::Call::DATA_CAPACITY;
            shipper::Call c = shipper::begin(JVMOS_SHIP_PREAD, f->handle);
            c.slot().args[0] = n;
            c.slot().args[1] = offset + done;
            TRY(shipper::call(c));
            const usize got = c.slot().out_len < n ? c.slot().out_len : n;
            memcpy(dst + done, c.data(), got);
            done += got;
            if (got < n) break;
        }
        return done;
    }
    Result<void> write(u64 file_id, u64 offset, const u8* src, usize len) override {
        auto* f = reinterpret_cast<OpenFile*>(file_id);
        usize done = 0;
        while (done < len) {
            usize n = len - done;
            if (n > shipper::Call::DATA_CAPACITY) n = shipper::Call::DATA_CAPACITY;
            shipper::Call c = shipper::begin(JVMOS_SHIP_PWRITE, f->handle);
            memcpy(c.data(), src + done, n);
            c.slot().in_len = u32(n);
            c.slot().args[1] = offset + done;
            const i64 wrote = TRY(shipper::call(c));
            if (wrote <= 0) return Errno::EIO;
            done += usize(wrote);
        }
        return {};
    }
    Result<u64> size(u64 file_id) override {
        constexpr usize STAT_SIZE = 144, ST_SIZE_OFFSET = 48;
        auto* f = reinterpret_cast<OpenFile*>(file_id);
        shipper::Call c = shipper::begin(JVMOS_SHIP_STAT, f->handle);
        TRY(shipper::call(c));
        if (c.slot().out_len < STAT_SIZE) return Errno::EIO;
        i64 size;
        memcpy(&size, c.data() + ST_SIZE_OFFSET, sizeof size);
        return size < 0 ? 0 : u64(size);
    }
    void pages_added(u64 file_id, u64 pages) override {
        file_mapped(reinterpret_cast<OpenFile*>(file_id), pages);
    }
    void pages_removed(u64 file_id, u64 pages) override {
        auto* f = reinterpret_cast<OpenFile*>(file_id);
        JVMOS_ASSERT(f->mapped_pages >= pages);
        f->mapped_pages -= pages;
        if (f->mapped_pages == 0) put(f);
    }
};

ShippedFileBacking g_file_backing;

} // namespace

mm::FileBacking& file_backing() { return g_file_backing; }

void file_mapped(OpenFile* f, u64 pages) {
    if (f->mapped_pages == 0) retain(f);
    f->mapped_pages += pages;
}

Result<OpenFile*> make_open_file(u32 handle, u32 mode, u32 open_flags, const char* path) {
    auto* f = static_cast<OpenFile*>(heap().allocate(sizeof(OpenFile), alignof(OpenFile)));
    if (!f) return Errno::ENOMEM;
    f->handle = handle;
    f->refs = 0;
    f->mode = mode;
    f->open_flags = open_flags;
    f->path = nullptr;
    f->open_stat_seq = 0;
    f->mapped_pages = 0;
    f->memfd = nullptr;
    f->procfs = nullptr;
    f->dev = 0;
    f->ino = 0;
    if (path && path[0]) {
        f->path = copy_string(path);
        if (!f->path) {
            heap().deallocate(f, sizeof(OpenFile));
            return Errno::ENOMEM;
        }
    }
    return f;
}

bool take_open_stat(OpenFile* f, void* stat_out) {
    const bool fresh = f->open_stat_seq && f->open_stat_seq == shipper::calls_issued();
    f->open_stat_seq = 0;
    if (fresh) memcpy(stat_out, f->open_stat, sizeof f->open_stat);
    return fresh;
}

void retain(OpenFile* f) { f->refs++; }

void put(OpenFile* f) {
    JVMOS_ASSERT(f->refs > 0);
    if (--f->refs) return;
    if (f->memfd)
        memfd_release(f->memfd);
    else if (f->procfs)
        procfs::release(f->procfs);
    else
        shipper::release(f->handle);
    if (f->path) heap().deallocate(f->path, strlen(f->path) + 1);
    heap().deallocate(f, sizeof(OpenFile));
}

Result<int> install_fd(OpenFile* f, bool cloexec, int min_fd) {
    const usize limit = fd_limit();
    for (usize fd = usize(min_fd); fd < limit; fd++) {
        if (fd >= fds().capacity) TRY(grow_to(fd + 1));
        if (fds().slots[fd].file) continue;
        fds().slots[fd] = {f, cloexec};
        retain(f);
        return int(fd);
    }
    return Errno::EMFILE;
}

Result<void> install_fd_at(int fd, OpenFile* f, bool cloexec) {
    if (fd < 0 || usize(fd) >= fd_limit()) return Errno::EBADF;
    TRY(grow_to(usize(fd) + 1));
    retain(f); // before dropping the old one: dup2(fd, fd) must not free it
    OpenFile* old = fds().slots[fd].file;
    fds().slots[fd] = {f, cloexec};
    if (old) put(old);
    return {};
}

Result<OpenFile*> file_of(i64 fd) {
    if (fd < 0 || u64(fd) >= fds().capacity || !fds().slots[fd].file) return Errno::EBADF;
    return fds().slots[fd].file;
}

Result<bool> cloexec_of(i64 fd) {
    TRY(file_of(fd));
    return fds().slots[fd].cloexec;
}

Result<void> set_cloexec(i64 fd, bool cloexec) {
    TRY(file_of(fd));
    fds().slots[fd].cloexec = cloexec;
    return {};
}

Result<void> close_fd(i64 fd) {
    OpenFile* f = TRY(file_of(fd));
    fds().slots[fd] = {nullptr, false};
    put(f);
    return {};
}

usize fd_table_size() { return fds().capacity; }

OpenFile* cwd() { return current_process().cwd; }

void set_cwd(OpenFile* dir) {
    retain(dir);
    OpenFile* old = current_process().cwd;
    current_process().cwd = dir;
    if (old) put(old);
}

Result<FdTable*> fork_fd_table(const FdTable& from) {
    auto* table = static_cast<FdTable*>(heap().allocate(sizeof(FdTable), alignof(FdTable)));
    if (!table) return Errno::ENOMEM;
    *table = {};
    if (grow_table(*table, from.capacity).is_error()) {
        heap().deallocate(table, sizeof(FdTable));
        return Errno::ENOMEM;
    }
    for (usize fd = 0; fd < from.capacity; fd++) {
        if (!from.slots[fd].file) continue;
        table->slots[fd] = from.slots[fd];
        retain(from.slots[fd].file);
    }
    return table;
}

void close_fd_table(FdTable* table) {
    for (usize fd = 0; fd < table->capacity; fd++)
        if (OpenFile* f = table->slots[fd].file) {
            table->slots[fd] = {nullptr, false};
            put(f);
        }
    if (table->slots) heap().deallocate(table->slots, table->capacity * sizeof(FdSlot));
    heap().deallocate(table, sizeof(FdTable));
}

u32 root_handle() { return JVMOS_SHIP_HANDLE_ROOT; }

void files_init() {
    static FdTable first_table;
    current_process().files = &first_table;
    const u32 stdio[3] = {JVMOS_SHIP_HANDLE_STDIN, JVMOS_SHIP_HANDLE_STDOUT,
                          JVMOS_SHIP_HANDLE_STDERR};
    const u32 access[3] = {0 /* O_RDONLY */, 1 /* O_WRONLY */, 1};
    for (int fd = 0; fd < 3; fd++) {
        Result<OpenFile*> f = make_open_file(stdio[fd], 0, access[fd], nullptr);
        if (f.is_error() || install_fd_at(fd, f.value(), false).is_error())
            panic("cannot set up the standard file descriptors");
    }
    Result<OpenFile*> dir =
        make_open_file(JVMOS_SHIP_HANDLE_CWD, LINUX_S_IFDIR, 0, shipper::initial_cwd());
    if (dir.is_error()) panic("cannot set up the working directory");
    set_cwd(dir.value());
}

} // namespace jvmos::kernel
