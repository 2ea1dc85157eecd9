// Host-test build of jvmos::assertion_failed: print and abort (gtest death tests can catch it).
#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace jvmos {
void assertion_failed(const char* expr, const char* file, int line, u64 a, u64 b) {
    std::fprintf(stderr, "assertion failed: %s at %s:%d (0x%llx, 0x%llx)\n", expr, file, line,
                 static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
    std::abort();
}
} // namespace jvmos
