// Kernel-wide boot state and helpers shared by kernel/ and shim/.
#pragma once

#include "base/types.h"
#include "jvmos/abi/abi.h"

#include <stdarg.h>

namespace jvmos::kernel {

const jvmos_boot_info& boot_info();
// A line (or lines) of kernel text on the monitor's stderr.
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Loads the program from the boot info and enters user mode. Does not return.
[[noreturn]] void start_first_process(const jvmos_boot_info& boot);

} // namespace jvmos::kernel
