// Building the initial process stack (see initial_stack.h for the layout). The sizes come from
// execve's arguments, i.e. from the application, so all of the arithmetic is overflow-checked
// and every store is checked to land inside the caller's buffer.
#include "proc/initial_stack.h"

#include "base/assert.h"
#include "base/string.h"

namespace jvmos::proc {

namespace {

// The zero word at the very top (Linux leaves it so that the last string is followed by
// readable zeros).
constexpr u64 END_MARKER_BYTES = 8;
constexpr u64 RANDOM_BYTES = 16;
constexpr u64 STACK_ALIGN = 16;

bool checked_add(u64& acc, u64 v) { return !__builtin_add_overflow(acc, v, &acc); }

// Bytes of NUL-terminated strings in a vector, or false on overflow.
bool vector_bytes(const char* const* strings, usize count, u64& out) {
    out = 0;
    for (usize i = 0; i < count; ++i) {
        if (!checked_add(out, u64{strlen(strings[i])} + 1)) return false;
    }
    return true;
}

u64 string_bytes(const char* s) { return s == nullptr ? 0 : u64{strlen(s)} + 1; }

usize builder_aux_count(const InitialStackSpec& spec) {
    usize n = 1; // AT_NULL
    if (spec.random16 != nullptr) ++n;
    if (spec.execfn != nullptr) ++n;
    if (spec.platform != nullptr) ++n;
    return n;
}

// The part of the layout that does not depend on stack_top_va's alignment.
struct Sizes {
    u64 arg_bytes;     // argv strings
    u64 env_bytes;     // envp strings
    u64 above_vectors; // everything from the random bytes (or the lowest string) to the top
    u64 vector_bytes;  // argc + argv + NULL + envp + NULL + auxv
};

bool compute_sizes(const InitialStackSpec& spec, Sizes& s) {
    if (!vector_bytes(spec.argv, spec.argc, s.arg_bytes)) return false;
    if (!vector_bytes(spec.envp, spec.envc, s.env_bytes)) return false;
    u64 above = END_MARKER_BYTES;
    if (spec.random16 != nullptr) above += RANDOM_BYTES;
    if (!checked_add(above, string_bytes(spec.execfn)) ||
        !checked_add(above, string_bytes(spec.platform)) || !checked_add(above, s.arg_bytes) ||
        !checked_add(above, s.env_bytes))
        return false;
    s.above_vectors = above;

    // Words: argc, argv[], NULL, envp[], NULL, then two per auxv entry.
    u64 words = 3;
    u64 aux_words;
    if (__builtin_mul_overflow(u64{spec.aux_count} + builder_aux_count(spec), u64{2}, &aux_words))
        return false;
    if (!checked_add(words, spec.argc) || !checked_add(words, spec.envc) ||
        !checked_add(words, aux_words))
        return false;
    if (__builtin_mul_overflow(words, u64{8}, &s.vector_bytes)) return false;
    return true;
}

// Stores into buf at user address `va` (already known to be inside the buffer).
class StackWriter {
public:
    StackWriter(u8* buf, usize size, u64 top) : m_buf(buf), m_size(size), m_bottom(top - size) {}

    void bytes(u64 va, const void* src, usize n) {
        JVMOS_ASSERT(va >= m_bottom && n <= m_size && va - m_bottom <= m_size - n);
        memcpy(m_buf + (va - m_bottom), src, n);
    }
    void zero(u64 va, usize n) {
        JVMOS_ASSERT(va >= m_bottom && n <= m_size && va - m_bottom <= m_size - n);
        memset(m_buf + (va - m_bottom), 0, n);
    }
    void word(u64 va, u64 value) { bytes(va, &value, sizeof(value)); }
    // Copies the strings upwards from `va` and returns the address after the last one.
    u64 strings(u64 va, const char* const* strings, usize count) {
        for (usize i = 0; i < count; ++i) {
            usize n = strlen(strings[i]) + 1;
            bytes(va, strings[i], n);
            va += n;
        }
        return va;
    }
    // Writes the pointers to consecutive strings starting at strings_va, then a NULL; returns
    // the address after the NULL.
    u64 pointers(u64 va, u64 strings_va, const char* const* strings, usize count) {
        for (usize i = 0; i < count; ++i) {
            word(va, strings_va);
            strings_va += strlen(strings[i]) + 1;
            va += 8;
        }
        word(va, 0);
        return va + 8;
    }
    u64 aux(u64 va, u64 type, u64 value) {
        word(va, type);
        word(va + 8, value);
        return va + 16;
    }

private:
    u8* m_buf;
    usize m_size;
    u64 m_bottom;
};

} // namespace

usize initial_stack_size(const InitialStackSpec& spec) {
    constexpr usize SATURATED = ~usize{0};
    Sizes s;
    if (!compute_sizes(spec, s)) return SATURATED;
    // Up to STACK_ALIGN - 1 bytes of padding go between the random bytes and the vectors.
    u64 total = s.above_vectors;
    if (!checked_add(total, s.vector_bytes) || !checked_add(total, STACK_ALIGN - 1))
        return SATURATED;
    return total;
}

Result<u64> build_initial_stack(const InitialStackSpec& spec, u8* buf, usize buf_size,
                                u64 stack_top_va) {
    // The caller maps the stack, so a buffer "below address 0" is our bug, not the user's.
    JVMOS_ASSERT(stack_top_va >= buf_size);

    Sizes s;
    if (!compute_sizes(spec, s)) return Errno::E2BIG;
    u64 required = s.above_vectors;
    if (!checked_add(required, s.vector_bytes) || required > buf_size) return Errno::E2BIG;
    const u64 rsp = align_down(stack_top_va - required, STACK_ALIGN);
    if (rsp < stack_top_va - buf_size) return Errno::E2BIG;

    // Only now that the counts are known to be sane: the entries the builder owns must not come
    // from the caller (an AT_NULL among them would even cut the vector short).
    for (usize i = 0; i < spec.aux_count; ++i) {
        u64 type = spec.aux[i].type;
        JVMOS_ASSERT(type != AT_NULL && type != AT_RANDOM && type != AT_EXECFN &&
                     type != AT_PLATFORM);
    }

    StackWriter w(buf, buf_size, stack_top_va);

    // Strings and bytes, from the top down.
    u64 p = stack_top_va - END_MARKER_BYTES;
    w.zero(p, END_MARKER_BYTES);
    u64 execfn_va = 0;
    if (spec.execfn != nullptr) {
        p -= string_bytes(spec.execfn);
        execfn_va = p;
        w.bytes(p, spec.execfn, string_bytes(spec.execfn));
    }
    p -= s.env_bytes;
    const u64 env_va = p;
    w.strings(env_va, spec.envp, spec.envc);
    p -= s.arg_bytes;
    const u64 arg_va = p;
    w.strings(arg_va, spec.argv, spec.argc);
    u64 platform_va = 0;
    if (spec.platform != nullptr) {
        p -= string_bytes(spec.platform);
        platform_va = p;
        w.bytes(p, spec.platform, string_bytes(spec.platform));
    }
    u64 random_va = 0;
    if (spec.random16 != nullptr) {
        p -= RANDOM_BYTES;
        random_va = p;
        w.bytes(p, spec.random16, RANDOM_BYTES);
    }
    JVMOS_ASSERT_EQ(p, stack_top_va - s.above_vectors);

    // Vectors, from RSP up; the alignment gap above them is zeroed, not left as stale data.
    u64 vectors_end = rsp + s.vector_bytes;
    w.zero(vectors_end, p - vectors_end);
    u64 v = rsp;
    w.word(v, spec.argc);
    v = w.pointers(v + 8, arg_va, spec.argv, spec.argc);
    v = w.pointers(v, env_va, spec.envp, spec.envc);
    for (usize i = 0; i < spec.aux_count; ++i) v = w.aux(v, spec.aux[i].type, spec.aux[i].value);
    if (spec.random16 != nullptr) v = w.aux(v, AT_RANDOM, random_va);
    if (spec.execfn != nullptr) v = w.aux(v, AT_EXECFN, execfn_va);
    if (spec.platform != nullptr) v = w.aux(v, AT_PLATFORM, platform_va);
    v = w.aux(v, AT_NULL, 0);
    JVMOS_ASSERT_EQ(v, vectors_end);
    return rsp;
}

} // namespace jvmos::proc
