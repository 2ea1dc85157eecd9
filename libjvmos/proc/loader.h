// Loading an ELF executable into an address space (kernel-only: it fills user memory).
// Designed to be called once for the program and, when PT_INTERP support arrives, once more for
// the interpreter (ld-linux) at its own bias.
#pragma once

#include "base/result.h"
#include "mm/address_space.h"
#include "proc/elf.h"

namespace jvmos::proc {

struct LoadedImage {
    u64 bias;      // added to every link-time address
    u64 entry;     // run-time entry point
    u64 phdr;      // run-time address of the program headers (AT_PHDR), 0 if not mapped
    u64 phnum;
    u64 phent;
    u64 end;       // page-aligned end of the highest segment (initial program break)
    const char* interp; // PT_INTERP path inside the image bytes, or nullptr
};

// Maps every PT_LOAD of `image` (already parsed from `data`) with its protection, copying the
// file bytes; bss is zero. ENOMEM if the address space cannot hold it.
Result<LoadedImage> load_elf(mm::AddressSpace& as, const ElfImage& image, const u8* data,
                             u64 pie_base);

} // namespace jvmos::proc
