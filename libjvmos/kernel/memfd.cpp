#include "kernel/memfd.h"

#include "base/string.h"
#include "kernel/files.h"
#include "kernel/memory.h"
#include "kernel/process.h"

namespace jvmos::kernel {
namespace {

constexpr u32 LINUX_O_RDWR = 02;
constexpr u32 LINUX_O_APPEND = 02000;
constexpr u32 LINUX_F_ALL_SEALS = 0x3f; // SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE, EXEC
constexpr u64 MAX_RW_COUNT = 0x7ffff000; // Linux's cap on one read or write
constexpr u32 SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

// Bytes of a hole, copied out by read().
const u8 ZEROS[PAGE_SIZE] = {};

u64 g_next_inode = 1;

u64 pages_in(u64 bytes) { return bytes / PAGE_SIZE + (bytes % PAGE_SIZE ? 1 : 0); }

u8* frame_bytes(u64 gpa) { return static_cast<u8*>(frames().to_virt(gpa)); }

// Frees the object's pages [first, end) after removing them from every mapping, in every
// process (fork shares the mappings of a memfd; a frame still mapped by another process must
// not be freed under it).
void drop_pages(mm::MemoryObject& object, u64 first, u64 end,
                mm::AddressSpace::PrivateCopies copies) {
    if (first >= end) return;
    for (Process* p = all_processes(); p; p = p->all_next)
        if (p->address_space) p->address_space->unmap_object_pages(object, first, end, copies);
    object.free_pages(first, end);
}

// Whether a process maps the object MAP_SHARED and writable (F_SEAL_WRITE's EBUSY).
bool any_writable_mapping(const mm::MemoryObject& object) {
    for (Process* p = all_processes(); p; p = p->all_next)
        if (p->address_space && p->address_space->object_mapped_writable(object)) return true;
    return false;
}

} // namespace

Result<OpenFile*> memfd_create(const char* name, u32 flags) {
    if (flags & ~(LINUX_MFD_CLOEXEC | LINUX_MFD_ALLOW_SEALING | LINUX_MFD_HUGETLB |
                  LINUX_MFD_NOEXEC_SEAL | LINUX_MFD_EXEC))
        return Errno::EINVAL;
    if ((flags & LINUX_MFD_EXEC) && (flags & LINUX_MFD_NOEXEC_SEAL)) return Errno::EINVAL;
    // No hugetlbfs pool: TODO(perf) back MFD_HUGETLB memfds with 2 MiB chunks only.
    if (flags & LINUX_MFD_HUGETLB) return Errno::EINVAL;
    auto* m = static_cast<MemFd*>(heap().allocate(sizeof(MemFd), alignof(MemFd)));
    if (!m) return Errno::ENOMEM;
    Result<mm::MemoryObject*> object = mm::MemoryObject::create(frames(), heap());
    if (object.is_error()) {
        heap().deallocate(m, sizeof(MemFd));
        return object.error();
    }
    m->object = object.value();
    m->position = 0;
    m->inode = g_next_inode++;
    const bool sealable = flags & (LINUX_MFD_ALLOW_SEALING | LINUX_MFD_NOEXEC_SEAL);
    m->seals = sealable ? 0 : LINUX_F_SEAL_SEAL;
    m->status_flags = 0;
    const char prefix[] = "memfd:";
    memcpy(m->name, prefix, sizeof prefix - 1);
    const usize n = strlen(name);
    const usize room = sizeof m->name - sizeof prefix;
    const usize take = n < room ? n : room;
    memcpy(m->name + sizeof prefix - 1, name, take);
    m->name[sizeof prefix - 1 + take] = 0;
    Result<OpenFile*> f = make_open_file(0, LINUX_S_IFREG | 0777, LINUX_O_RDWR, nullptr);
    if (f.is_error()) {
        memfd_release(m);
        return f.error();
    }
    f.value()->memfd = m;
    return f.value();
}

void memfd_release(MemFd* m) {
    m->object->release();
    heap().deallocate(m, sizeof(MemFd));
}

// A page of kernel memory for the duration of one call: user copies may block (a fault in a
// file mapping ships a read), and meanwhile another thread may free the memfd's frame, so user
// memory is never copied straight to or from a frame.
class BouncePage {
public:
    BouncePage() : m_page(static_cast<u8*>(heap().allocate(PAGE_SIZE, PAGE_SIZE))) {}
    ~BouncePage() {
        if (m_page) heap().deallocate(m_page, PAGE_SIZE);
    }
    BouncePage(const BouncePage&) = delete;
    BouncePage& operator=(const BouncePage&) = delete;
    u8* get() { return m_page; }

private:
    u8* m_page;
};

Result<u64> memfd_read(MemFd& m, u64 user_buf, u64 count, i64 offset) {
    const mm::MemoryObject& object = *m.object;
    const u64 pos = offset < 0 ? m.position : u64(offset);
    if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
    mm::AddressSpace& as = current_address_space();
    BouncePage bounce;
    if (!bounce.get()) return Errno::ENOMEM;
    u64 done = 0;
    while (done < count) {
        // The size is read afresh each time: a copy may have blocked while the file shrank.
        const u64 size = object.size();
        const u64 at = pos + done;
        if (at >= size) break;
        const u64 in_page = at % PAGE_SIZE;
        u64 n = PAGE_SIZE - in_page < count - done ? PAGE_SIZE - in_page : count - done;
        if (n > size - at) n = size - at;
        const u64 frame = object.frame(at / PAGE_SIZE);
        memcpy(bounce.get(), frame ? frame_bytes(frame) + in_page : ZEROS, usize(n));
        if (as.copy_to_user(user_buf + done, bounce.get(), usize(n)).is_error()) {
            if (done == 0) return Errno::EFAULT;
            break;
        }
        done += n;
    }
    if (offset < 0) m.position = pos + done;
    return done;
}

Result<u64> memfd_write(MemFd& m, u64 user_buf, u64 count, i64 offset) {
    mm::MemoryObject& object = *m.object;
    if (m.seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)) return Errno::EPERM;
    const u64 size = object.size();
    const u64 pos = offset >= 0                             ? u64(offset)
                    : (m.status_flags & LINUX_O_APPEND) ? size
                                                            : m.position;
    if (count == 0) return 0;
    if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
    if (pos >= LINUX_MAX_FILE_SIZE) return Errno::EFBIG;
    if (count > LINUX_MAX_FILE_SIZE - pos) count = LINUX_MAX_FILE_SIZE - pos;
    if ((m.seals & LINUX_F_SEAL_GROW) && pos + count > size) {
        // Up to the end of the file, as Linux writes until the page that would grow it.
        if (pos >= size) return Errno::EPERM;
        count = size - pos;
    }
    mm::AddressSpace& as = current_address_space();
    BouncePage bounce;
    if (!bounce.get()) return Errno::ENOMEM;
    u64 done = 0;
    Errno failure = Errno::none;
    while (done < count) {
        const u64 at = pos + done;
        const u64 in_page = at % PAGE_SIZE;
        const u64 n = PAGE_SIZE - in_page < count - done ? PAGE_SIZE - in_page : count - done;
        // The user's bytes first (this may block), then the frame, looked up only now.
        if (as.copy_from_user(bounce.get(), user_buf + done, usize(n)).is_error()) {
            failure = Errno::EFAULT;
            break;
        }
        Result<u64> frame = object.frame_alloc(at / PAGE_SIZE);
        if (frame.is_error()) {
            failure = frame.error();
            break;
        }
        memcpy(frame_bytes(frame.value()) + in_page, bounce.get(), usize(n));
        done += n;
        if (pos + done > object.size()) object.set_size(pos + done);
    }
    if (offset < 0) m.position = pos + done;
    if (done == 0 && failure != Errno::none) return failure;
    return done;
}

Result<u64> memfd_seek(MemFd& m, i64 offset, u32 whence) {
    const mm::MemoryObject& object = *m.object;
    const i64 size = i64(object.size());
    i64 base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = i64(m.position); break;
    case SEEK_END: base = size; break;
    case SEEK_DATA:
    case SEEK_HOLE: {
        if (offset < 0 || offset >= size) return Errno::ENXIO;
        // Holes are pages without a frame; the end of the file counts as a hole.
        u64 page = u64(offset) / PAGE_SIZE;
        const u64 last = pages_in(u64(size));
        const bool want_data = whence == SEEK_DATA;
        while (page < last && (object.frame(page) != 0) != want_data) page++;
        if (page >= last) {
            if (want_data) return Errno::ENXIO;
            m.position = u64(size);
            return m.position;
        }
        const u64 found = page * PAGE_SIZE > u64(offset) ? page * PAGE_SIZE : u64(offset);
        m.position = found < u64(size) ? found : u64(size);
        return m.position;
    }
    default: return Errno::EINVAL;
    }
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return Errno::EINVAL;
    m.position = u64(base + offset);
    return m.position;
}

Result<void> memfd_truncate(MemFd& m, u64 size) {
    mm::MemoryObject& object = *m.object;
    const u64 old = object.size();
    if (size > LINUX_MAX_FILE_SIZE) return Errno::EFBIG;
    if (size < old && (m.seals & LINUX_F_SEAL_SHRINK)) return Errno::EPERM;
    if (size > old && (m.seals & LINUX_F_SEAL_GROW)) return Errno::EPERM;
    if (size < old) {
        // Mappings lose the pages beyond the end (their copies too: an access there is
        // SIGBUS now); the tail of the last page reads as zeros if the file grows again.
        drop_pages(object, pages_in(size), pages_in(old), mm::AddressSpace::PrivateCopies::drop);
        if (size % PAGE_SIZE) object.zero_bytes(size, PAGE_SIZE - size % PAGE_SIZE);
    }
    object.set_size(size);
    return {};
}

Result<void> memfd_allocate(MemFd& m, u32 mode, u64 offset, u64 len) {
    mm::MemoryObject& object = *m.object;
    if (i64(offset) < 0 || i64(len) <= 0) return Errno::EINVAL;
    if (mode & ~(LINUX_FALLOC_FL_KEEP_SIZE | LINUX_FALLOC_FL_PUNCH_HOLE)) return Errno::EOPNOTSUPP;
    if ((mode & LINUX_FALLOC_FL_PUNCH_HOLE) && !(mode & LINUX_FALLOC_FL_KEEP_SIZE))
        return Errno::EOPNOTSUPP;
    if (offset + len > LINUX_MAX_FILE_SIZE || i64(offset + len) < 0) return Errno::EFBIG;
    const u64 size = object.size();
    const u64 end = offset + len;
    if (mode & LINUX_FALLOC_FL_PUNCH_HOLE) {
        if (m.seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)) return Errno::EPERM;
        // Whole pages leave every mapping (private copies stay, as on Linux) and are freed;
        // the partial pages at either end are zeroed in place.
        const u64 first = pages_in(offset), last = end / PAGE_SIZE;
        if (first < last) {
            drop_pages(object, first, last, mm::AddressSpace::PrivateCopies::keep);
            if (offset % PAGE_SIZE) object.zero_bytes(offset, first * PAGE_SIZE - offset);
            if (end % PAGE_SIZE) object.zero_bytes(last * PAGE_SIZE, end - last * PAGE_SIZE);
        } else {
            object.zero_bytes(offset, len);
        }
        return {};
    }
    if ((m.seals & LINUX_F_SEAL_GROW) && end > size) return Errno::EPERM;
    // The size first, so that whole 2 MiB chunks below it are committed as 2 MiB runs.
    // KEEP_SIZE commits only what lies below the size (frames beyond it would be invisible).
    if (!(mode & LINUX_FALLOC_FL_KEEP_SIZE) && end > size) object.set_size(end);
    const u64 commit_end = pages_in(end < object.size() ? end : object.size());
    const u64 first = offset / PAGE_SIZE;
    if (first < commit_end) {
        Result<void> r = object.commit(first, commit_end);
        if (r.is_error()) {
            // Linux undoes a failed fallocate: the size goes back (the committed pages read
            // as zeros either way).
            if (object.size() != size) {
                drop_pages(object, pages_in(size), pages_in(object.size()),
                           mm::AddressSpace::PrivateCopies::drop);
                object.set_size(size);
            }
            return r.error();
        }
    }
    return {};
}

Result<void> memfd_add_seals(MemFd& m, u32 seals) {
    if (seals & ~LINUX_F_ALL_SEALS) return Errno::EINVAL;
    if (m.seals & LINUX_F_SEAL_SEAL) return Errno::EPERM;
    if ((seals & LINUX_F_SEAL_WRITE) && !(m.seals & LINUX_F_SEAL_WRITE) &&
        any_writable_mapping(*m.object))
        return Errno::EBUSY;
    m.seals |= seals;
    return {};
}

Result<void> memfd_check_map(const MemFd& m, bool shared_writable) {
    if (shared_writable && (m.seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)))
        return Errno::EPERM;
    return {};
}

} // namespace jvmos::kernel
