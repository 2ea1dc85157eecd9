// The C string/memory primitives the kernel uses. In the guest they are implemented in
// base/string_kernel.cpp (freestanding); in host unit-test builds they are libc's.
#pragma once

#include "base/types.h"

#ifdef JVMOS_KERNEL
extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
}
#else
#include <string.h>
#endif
