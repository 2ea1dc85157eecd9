// Lexical path arithmetic for guest paths (no file system access): joining a relative path to
// a directory and normalising "." / ".." / repeated slashes, as a shell's logical `pwd` does.
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos {

// Writes the normalised absolute path of `path` (absolute, or relative to the absolute `base`)
// into `out` (capacity `cap`, NUL-terminated) and returns its length. ".." at the root stays at
// the root. ENAMETOOLONG if the result does not fit.
Result<usize> normalize_path(const char* base, const char* path, char* out, usize cap);

} // namespace jvmos
