// Kernel panics: our own bug or an impossible machine state. The report (message, and the
// registers when a frame is known) goes to the monitor, which prints "guest kernel panic" and
// exits with JVMOS_EXIT_PANIC. Never used for application input.
#pragma once

#include "arch/x86_64/frame.h"

namespace jvmos {
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void panic_with_frame(const arch::TrapFrame& frame, u64 fault_address,
                                   const char* fmt, ...) __attribute__((format(printf, 3, 4)));
} // namespace jvmos
