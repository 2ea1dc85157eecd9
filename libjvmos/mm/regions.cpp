// RegionMap: a sorted array of regions. Every operation first reserves the slots it may need,
// so that an allocation failure leaves the map as it was.
#include "mm/regions.h"

#include "base/assert.h"
#include "base/string.h"

#include <type_traits>

namespace jvmos::mm {

static_assert(std::is_trivially_copyable_v<Region>, "regions are moved with memmove");

namespace {

constexpr usize INITIAL_CAPACITY = 16;

// Whether `b`, which starts where `a` ends, can be folded into `a`.
bool mergeable(const Region& a, const Region& b) {
    if (a.end != b.start) return false;
    if (a.prot != b.prot || a.flags != b.flags || a.kind != b.kind || a.file_id != b.file_id)
        return false;
    // Without a backing object the offset means nothing (Linux derives it from the address).
    return a.file_id == 0 || a.file_offset + a.size() == b.file_offset;
}

// The part [start, end) of `r`, with its file offset.
Region piece_of(const Region& r, u64 start, u64 end) {
    Region piece = r;
    piece.start = start;
    piece.end = end;
    if (r.file_id != 0) piece.file_offset = r.file_offset + (start - r.start);
    return piece;
}

void check_range(u64 start, u64 end) {
    if (!is_aligned(start, PAGE_SIZE) || !is_aligned(end, PAGE_SIZE) || start > end)
        assertion_failed("page-aligned range", __FILE__, __LINE__, start, end);
}

} // namespace

RegionMap::~RegionMap() {
    if (m_regions != nullptr) m_allocator.deallocate(m_regions, m_capacity * sizeof(Region));
}

Result<void> RegionMap::reserve(usize capacity) {
    if (capacity <= m_capacity) return {};
    usize new_capacity = m_capacity == 0 ? INITIAL_CAPACITY : m_capacity * 2;
    while (new_capacity < capacity) new_capacity *= 2;
    void* storage = m_allocator.allocate(new_capacity * sizeof(Region), alignof(Region));
    if (storage == nullptr) return Errno::ENOMEM;
    if (m_count > 0) memcpy(storage, m_regions, m_count * sizeof(Region));
    if (m_regions != nullptr) m_allocator.deallocate(m_regions, m_capacity * sizeof(Region));
    m_regions = static_cast<Region*>(storage);
    m_capacity = new_capacity;
    return {};
}

void RegionMap::insert_at(usize index, const Region& region) {
    JVMOS_ASSERT(m_count < m_capacity);
    memmove(&m_regions[index + 1], &m_regions[index], (m_count - index) * sizeof(Region));
    m_regions[index] = region;
    ++m_count;
}

void RegionMap::erase(usize first, usize end_index) {
    if (first == end_index) return;
    memmove(&m_regions[first], &m_regions[end_index], (m_count - end_index) * sizeof(Region));
    m_count -= end_index - first;
}

void RegionMap::split(usize index, u64 addr) {
    const Region r = m_regions[index];
    JVMOS_ASSERT(r.start < addr && addr < r.end);
    insert_at(index + 1, piece_of(r, addr, r.end));
    m_regions[index].end = addr;
}

void RegionMap::merge_run(usize first, usize last) {
    if (m_count == 0 || first >= last) return;
    usize kept = first;
    for (usize i = first + 1; i <= last; ++i) {
        if (mergeable(m_regions[kept], m_regions[i]))
            m_regions[kept].end = m_regions[i].end;
        else
            m_regions[++kept] = m_regions[i];
    }
    erase(kept + 1, last + 1);
}

usize RegionMap::first_ending_after(u64 addr) const {
    usize lo = 0;
    usize hi = m_count;
    while (lo < hi) {
        usize mid = lo + (hi - lo) / 2;
        if (m_regions[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

Result<void> RegionMap::insert(const Region& region) {
    check_range(region.start, region.end);
    JVMOS_ASSERT(region.start < region.end);
    const usize i = first_ending_after(region.start);
    if (i < m_count && m_regions[i].start < region.end) return Errno::EEXIST;

    const bool with_prev = i > 0 && mergeable(m_regions[i - 1], region);
    const bool with_next = i < m_count && mergeable(region, m_regions[i]);
    if (with_prev && with_next) {
        m_regions[i - 1].end = m_regions[i].end;
        erase(i, i + 1);
    } else if (with_prev) {
        m_regions[i - 1].end = region.end;
    } else if (with_next) {
        m_regions[i].start = region.start;
        m_regions[i].file_offset = region.file_offset;
    } else {
        TRY(reserve(m_count + 1));
        insert_at(i, region);
    }
    return {};
}

Result<void> RegionMap::remove_range(u64 start, u64 end, RemovedSink& sink) {
    check_range(start, end);
    usize i = first_ending_after(start);
    if (start == end || i == m_count || m_regions[i].start >= end) return {};

    if (m_regions[i].start < start && m_regions[i].end > end) {
        // A hole in the middle of one region: the only case that needs a new slot.
        TRY(reserve(m_count + 1));
        split(i, end);
        sink.removed(piece_of(m_regions[i], start, end));
        m_regions[i].end = start;
        return {};
    }
    if (m_regions[i].start < start) {
        sink.removed(piece_of(m_regions[i], start, m_regions[i].end));
        m_regions[i].end = start;
        ++i;
    }
    const usize first_whole = i;
    while (i < m_count && m_regions[i].end <= end) sink.removed(m_regions[i++]);
    const usize end_whole = i;
    if (i < m_count && m_regions[i].start < end) {
        Region& r = m_regions[i];
        sink.removed(piece_of(r, r.start, end));
        r = piece_of(r, end, r.end);
    }
    erase(first_whole, end_whole);
    return {};
}

Result<void> RegionMap::protect_range(u64 start, u64 end, u32 prot) {
    check_range(start, end);
    if (start == end) return {};
    usize first = first_ending_after(start);
    usize last = first;
    for (u64 covered = start; covered < end; ++last) {
        if (last == m_count || m_regions[last].start > covered) return Errno::ENOMEM;
        covered = m_regions[last].end;
    }
    --last; // the last region intersecting the range

    // Only a region whose prot changes needs splitting; one that already has `prot` may extend
    // past the range as it is.
    const bool split_front = m_regions[first].start < start && m_regions[first].prot != prot;
    const bool split_back = m_regions[last].end > end && m_regions[last].prot != prot;
    TRY(reserve(m_count + (split_front ? 1 : 0) + (split_back ? 1 : 0)));
    if (split_front) {
        split(first, start);
        ++first;
        ++last;
    }
    if (split_back) split(last, end);
    for (usize k = first; k <= last; ++k) m_regions[k].prot = prot;

    const usize merge_first = first > 0 ? first - 1 : 0;
    const usize merge_last = last + 1 < m_count ? last + 1 : last;
    merge_run(merge_first, merge_last);
    return {};
}

const Region* RegionMap::find(u64 addr) const {
    usize i = first_ending_after(addr);
    if (i == m_count || m_regions[i].start > addr) return nullptr;
    return &m_regions[i];
}

bool RegionMap::is_free(u64 start, u64 end) const {
    if (start >= end) return true;
    usize i = first_ending_after(start);
    return i == m_count || m_regions[i].start >= end;
}

Result<u64> RegionMap::find_free(u64 length, u64 hint, u64 low, u64 high) const {
    JVMOS_ASSERT(length > 0 && is_aligned(length, PAGE_SIZE));
    if (low >= high || high - low < length) return Errno::ENOMEM;
    hint = align_down(hint, PAGE_SIZE);
    if (hint != 0 && hint >= low && hint <= high - length && is_free(hint, hint + length))
        return hint;

    // Walk the gaps downwards from `high`. Region i - 1 is the highest one starting below
    // `top`; the gap is [its end, top).
    u64 top = high;
    usize i = first_ending_after(high);
    // The region ending above `high` may still start below it: cap top by its start.
    if (i < m_count && m_regions[i].start < top) top = m_regions[i].start;
    for (;;) {
        u64 gap_low = low;
        if (i > 0 && m_regions[i - 1].end > gap_low) gap_low = m_regions[i - 1].end;
        if (top > gap_low && top - gap_low >= length) return top - length;
        if (i == 0) return Errno::ENOMEM;
        --i;
        if (m_regions[i].start < top) top = m_regions[i].start;
        if (top <= low) return Errno::ENOMEM;
    }
}

} // namespace jvmos::mm
