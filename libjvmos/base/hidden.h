// Force-included into every guest-kernel translation unit (see libjvmos/CMakeLists.txt): every
// symbol, declarations included, has hidden visibility, so the position-independent kernel code
// reaches other symbols RIP-relatively instead of through a GOT that the static link at
// 0xffffc000_00100000 could not resolve into 32-bit immediates.
#pragma GCC visibility push(hidden)
