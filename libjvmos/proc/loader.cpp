#include "proc/loader.h"

namespace jvmos::proc {

Result<LoadedImage> load_elf(mm::AddressSpace& as, const ElfImage& image, const u8* data,
                             u64 pie_base) {
    constexpr u32 MAP_PRIVATE_ANON_FIXED_NOREPLACE = 0x02 | 0x20 | 0x100000;
    const u64 bias = choose_load_bias(image, pie_base);
    LoadedImage out{};
    out.bias = bias;
    out.entry = image.entry + bias;
    out.phdr = image.phdr_vaddr ? image.phdr_vaddr + bias : 0;
    out.phnum = image.phnum;
    out.phent = image.phentsize;
    out.interp = image.interp;
    for (usize i = 0; i < image.load_count; i++) {
        const ElfLoad& l = image.loads[i];
        const u64 start = align_down(l.vaddr + bias, PAGE_SIZE);
        const u64 end = align_up(l.vaddr + bias + l.memsz, PAGE_SIZE);
        // Writable while the bytes are copied in, then the segment's own protection.
        TRY(as.map_anonymous(start, end - start, mm::LINUX_PROT_READ | mm::LINUX_PROT_WRITE,
                             MAP_PRIVATE_ANON_FIXED_NOREPLACE, mm::RegionKind::Image));
        if (l.filesz) TRY(as.copy_to_user(l.vaddr + bias, data + l.offset, l.filesz));
        TRY(as.protect(start, end - start, l.prot));
        if (end > out.end) out.end = end;
    }
    return out;
}

} // namespace jvmos::proc
