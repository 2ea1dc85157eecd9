// Frame allocator: a "used" bitmap searched next-fit a 64-bit word at a time, and a "dirty"
// bitmap that remembers which frames were ever handed out, so that only those are zeroed.
#include "mm/frame_allocator.h"

#include "base/assert.h"
#include "base/string.h"

namespace jvmos::mm {

namespace {

constexpr usize BITS_PER_WORD = 64;

constexpr usize words_for_frames(u64 frames) {
    return (frames + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

// The page-aligned part of a range: [first, end). Empty (first == end) if it holds no full page.
struct PageSpan {
    u64 first;
    u64 end;
    u64 frames() const { return (end - first) / PAGE_SIZE; }
};

PageSpan page_span(const MemRange& r) {
    u64 first = align_up(r.gpa, PAGE_SIZE);
    u64 end = align_down(r.gpa + r.size, PAGE_SIZE);
    if (end <= first) return {first, first};
    return {first, end};
}

void set_bits(u64* map, usize first, usize count) {
    while (count > 0) {
        usize w = first / BITS_PER_WORD;
        usize b = first % BITS_PER_WORD;
        usize n = BITS_PER_WORD - b < count ? BITS_PER_WORD - b : count;
        u64 mask = n == BITS_PER_WORD ? ~0ull : ((1ull << n) - 1) << b;
        map[w] |= mask;
        first += n;
        count -= n;
    }
}

void clear_bits(u64* map, usize first, usize count) {
    while (count > 0) {
        usize w = first / BITS_PER_WORD;
        usize b = first % BITS_PER_WORD;
        usize n = BITS_PER_WORD - b < count ? BITS_PER_WORD - b : count;
        u64 mask = n == BITS_PER_WORD ? ~0ull : ((1ull << n) - 1) << b;
        map[w] &= ~mask;
        first += n;
        count -= n;
    }
}

} // namespace

usize FrameAllocator::bitmap_bytes_needed(const MemRange* ranges, usize count) {
    usize words = 0;
    for (usize i = 0; i < count; ++i) words += words_for_frames(page_span(ranges[i]).frames());
    return 2 * words * sizeof(u64);
}

Result<void> FrameAllocator::init(const MemRange* ranges, usize count, u64 reserved_end,
                                  void* bitmap_storage, usize bitmap_bytes, u8* physmap_base) {
    if (ranges == nullptr || count == 0 || count > MAX_RANGES) return Errno::EINVAL;
    if (bitmap_storage == nullptr || !is_aligned(reinterpret_cast<uptr>(bitmap_storage), 8))
        return Errno::EINVAL;
    for (usize i = 0; i < count; ++i) {
        if (ranges[i].gpa + ranges[i].size < ranges[i].gpa) return Errno::EINVAL; // wraps
        if (i > 0 && ranges[i].gpa < ranges[i - 1].gpa + ranges[i - 1].size) return Errno::EINVAL;
    }
    if (bitmap_bytes < bitmap_bytes_needed(ranges, count)) return Errno::EINVAL;

    m_range_count = 0;
    m_words = 0;
    for (usize i = 0; i < count; ++i) {
        PageSpan span = page_span(ranges[i]);
        if (span.frames() == 0) continue;
        m_ranges[m_range_count++] = {span.first, span.frames(), m_words * BITS_PER_WORD};
        m_words += words_for_frames(span.frames());
    }
    m_used = static_cast<u64*>(bitmap_storage);
    m_dirty = m_used + m_words;
    m_physmap = reinterpret_cast<uptr>(physmap_base);
    m_reserved_end = reserved_end;

    // Everything starts used (this covers the padding after each range), then each range's
    // frames are freed except the reserved ones, which also count as dirty: they hold data.
    memset(m_used, 0xff, m_words * sizeof(u64));
    memset(m_dirty, 0, m_words * sizeof(u64));
    m_total = 0;
    usize reserved = 0;
    for (usize i = 0; i < m_range_count; ++i) {
        const Range& r = m_ranges[i];
        clear_bits(m_used, r.first_bit, r.frames);
        m_total += r.frames;
        if (r.gpa < reserved_end) {
            u64 n = (reserved_end - r.gpa + PAGE_SIZE - 1) / PAGE_SIZE;
            if (n > r.frames) n = r.frames;
            set_bits(m_used, r.first_bit, n);
            set_bits(m_dirty, r.first_bit, n);
            reserved += n;
        }
    }
    m_free = m_total - reserved;
    m_cursor = 0;
    return {};
}

bool FrameAllocator::bit_of(u64 gpa, usize& bit) const {
    for (usize i = 0; i < m_range_count; ++i) {
        const Range& r = m_ranges[i];
        if (gpa >= r.gpa && (gpa - r.gpa) / PAGE_SIZE < r.frames) {
            bit = r.first_bit + (gpa - r.gpa) / PAGE_SIZE;
            return true;
        }
    }
    return false;
}

u64 FrameAllocator::gpa_of(usize bit) const {
    for (usize i = 0; i < m_range_count; ++i) {
        const Range& r = m_ranges[i];
        if (bit >= r.first_bit && bit - r.first_bit < r.frames)
            return r.gpa + (bit - r.first_bit) * PAGE_SIZE;
    }
    JVMOS_ASSERT(!"frame bit outside every range");
    return 0;
}

Result<usize> FrameAllocator::take_one() {
    SpinlockGuard guard(m_lock);
    if (m_free == 0) return Errno::ENOMEM;
    // Next fit: resume at the word where the last allocation succeeded. Frees behind the cursor
    // are found after the wrap-around; in the common case the cursor's word has a free bit.
    for (usize n = 0; n < m_words; ++n) {
        usize w = m_cursor + n;
        if (w >= m_words) w -= m_words;
        u64 word = m_used[w];
        if (word == ~0ull) continue;
        usize b = static_cast<usize>(__builtin_ctzll(~word));
        m_used[w] = word | (1ull << b);
        __atomic_store_n(&m_free, m_free - 1, __ATOMIC_RELAXED);
        m_cursor = w;
        return w * BITS_PER_WORD + b;
    }
    JVMOS_ASSERT(!"free count says a frame is free but the bitmap has none");
    return Errno::ENOMEM;
}

bool FrameAllocator::mark_dirty(usize bit) {
    // Atomic because neighbouring bits of the word belong to frames other vCPUs may be taking
    // at the same moment, outside the lock. Only the owner of a frame touches its bit.
    u64 mask = 1ull << (bit % BITS_PER_WORD);
    u64 old = __atomic_fetch_or(&m_dirty[bit / BITS_PER_WORD], mask, __ATOMIC_RELAXED);
    return (old & mask) != 0;
}

void FrameAllocator::zero_if_dirty(usize bit, u64 gpa) {
    if (mark_dirty(bit)) memset(to_virt(gpa), 0, PAGE_SIZE);
}

Result<u64> FrameAllocator::alloc_frame() {
    usize bit = TRY(take_one());
    u64 gpa = gpa_of(bit);
    zero_if_dirty(bit, gpa); // outside the lock: zeroing 4 KiB is the slow part
    return gpa;
}

Result<u64> FrameAllocator::alloc_frame_dirty() {
    usize bit = TRY(take_one());
    mark_dirty(bit);
    return gpa_of(bit);
}

i64 FrameAllocator::last_used_in(usize first, usize count) const {
    usize last = first + count - 1;
    usize w_first = first / BITS_PER_WORD;
    usize w_last = last / BITS_PER_WORD;
    for (usize w = w_last + 1; w-- > w_first;) {
        u64 word = m_used[w];
        if (w == w_last && last % BITS_PER_WORD != BITS_PER_WORD - 1)
            word &= (1ull << (last % BITS_PER_WORD + 1)) - 1;
        if (w == w_first) word &= ~0ull << (first % BITS_PER_WORD);
        if (word != 0) return static_cast<i64>(w * BITS_PER_WORD + 63 - __builtin_clzll(word));
    }
    return -1;
}

Result<u64> FrameAllocator::alloc_contiguous(usize count, usize align_frames) {
    JVMOS_ASSERT(count > 0);
    JVMOS_ASSERT(align_frames > 0 && (align_frames & (align_frames - 1)) == 0);
    const u64 align_bytes = align_frames * PAGE_SIZE;
    usize first_bit = 0;
    u64 gpa = 0;
    {
        SpinlockGuard guard(m_lock);
        if (m_free < count) return Errno::ENOMEM;
        bool found = false;
        // First fit within each range (a run never crosses the hole between ranges). On a used
        // frame the search jumps past the highest used frame of the window.
        // TODO(perf): the next-fit single-frame allocations scatter over all of RAM; if 2 MiB
        // runs become scarce, keep a region of RAM for contiguous requests.
        for (usize i = 0; i < m_range_count && !found; ++i) {
            const Range& r = m_ranges[i];
            const u64 end = r.gpa + r.frames * PAGE_SIZE;
            u64 candidate = align_up(r.gpa, align_bytes);
            while (candidate < end && (end - candidate) / PAGE_SIZE >= count) {
                usize bit = r.first_bit + (candidate - r.gpa) / PAGE_SIZE;
                i64 used = last_used_in(bit, count);
                if (used < 0) {
                    first_bit = bit;
                    gpa = candidate;
                    found = true;
                    break;
                }
                u64 used_gpa = r.gpa + (static_cast<usize>(used) - r.first_bit) * PAGE_SIZE;
                candidate = align_up(used_gpa + PAGE_SIZE, align_bytes);
            }
        }
        if (!found) return Errno::ENOMEM;
        set_bits(m_used, first_bit, count);
        __atomic_store_n(&m_free, m_free - count, __ATOMIC_RELAXED);
    }
    for (usize i = 0; i < count; ++i) zero_if_dirty(first_bit + i, gpa + i * PAGE_SIZE);
    return gpa;
}

void FrameAllocator::release(u64 gpa, usize count) {
    JVMOS_ASSERT(is_aligned(gpa, PAGE_SIZE));
    SpinlockGuard guard(m_lock);
    for (usize i = 0; i < count; ++i) {
        u64 frame = gpa + i * PAGE_SIZE;
        usize bit = 0;
        if (!bit_of(frame, bit))
            assertion_failed("freed frame is RAM", __FILE__, __LINE__, frame, 0);
        if (frame < m_reserved_end)
            assertion_failed("freed frame is not reserved", __FILE__, __LINE__, frame,
                             m_reserved_end);
        u64 mask = 1ull << (bit % BITS_PER_WORD);
        if ((m_used[bit / BITS_PER_WORD] & mask) == 0)
            assertion_failed("freed frame is in use (double free?)", __FILE__, __LINE__, frame, 0);
        m_used[bit / BITS_PER_WORD] &= ~mask;
        // Hand the freed (warm) frame out next: its physmap translation is already cached and,
        // on a shadow-paging host, already shadowed, whereas every never-touched frame costs a
        // trap to the hypervisor on first access (~28 us on kvm_pvm here).
        if (i == 0) m_cursor = bit / BITS_PER_WORD;
    }
    __atomic_store_n(&m_free, m_free + count, __ATOMIC_RELAXED);
}

void FrameAllocator::free_frame(u64 gpa) {
    release(gpa, 1);
}

void FrameAllocator::free_contiguous(u64 gpa, usize count) {
    release(gpa, count);
}

} // namespace jvmos::mm
