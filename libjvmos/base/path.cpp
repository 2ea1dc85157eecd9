#include "base/path.h"

#include "base/string.h"

namespace jvmos {
namespace {

// Appends `path`'s components to out[0..*len), resolving "." and "..".
Result<void> append_components(const char* path, char* out, usize cap, usize* len) {
    const char* p = path;
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char* start = p;
        while (*p && *p != '/') p++;
        const usize n = usize(p - start);
        if (n == 1 && start[0] == '.') continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            while (*len > 1 && out[*len - 1] != '/') (*len)--; // drop the last component
            if (*len > 1) (*len)--;                            // and its slash
            out[*len] = 0;
            continue;
        }
        const usize need = (*len > 1 ? 1 : 0) + n;
        if (*len + need + 1 > cap) return Errno::ENAMETOOLONG;
        if (*len > 1) out[(*len)++] = '/';
        memcpy(out + *len, start, n);
        *len += n;
        out[*len] = 0;
    }
    return {};
}

} // namespace

Result<usize> normalize_path(const char* base, const char* path, char* out, usize cap) {
    if (cap < 2) return Errno::ENAMETOOLONG;
    out[0] = '/';
    out[1] = 0;
    usize len = 1;
    if (path[0] != '/') TRY(append_components(base, out, cap, &len));
    TRY(append_components(path, out, cap, &len));
    return len;
}

} // namespace jvmos
