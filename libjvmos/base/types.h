// Fixed-width integer names used throughout the guest kernel (and by the host-side unit tests
// that compile guest-independent pieces of it).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace jvmos {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using uptr = uintptr_t;

inline constexpr u64 KiB = 1024;
inline constexpr u64 MiB = 1024 * KiB;
inline constexpr u64 GiB = 1024 * MiB;
inline constexpr u64 TiB = 1024 * GiB;

inline constexpr u64 PAGE_SIZE = 4096;
inline constexpr u64 LARGE_PAGE_SIZE = 2 * MiB;

constexpr u64 align_down(u64 v, u64 a) { return v & ~(a - 1); }
constexpr u64 align_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(u64 v, u64 a) { return (v & (a - 1)) == 0; }

} // namespace jvmos
