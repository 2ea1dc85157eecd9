// The one process the guest runs: its address space, threads (one, for now), signal
// dispositions and identity.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/types.h"

namespace jvmos::kernel {

// A CPU exception in user mode: resolves demand faults, otherwise the program receives the
// matching signal (for now: it dies of it, as Linux does without a handler).
void handle_user_exception(arch::TrapFrame& frame, u64 fault_address);

// Ends the program: every thread stops and jvmos exits with `status`.
[[noreturn]] void exit_process(int status);
// The program dies of `signal` (Linux default action): jvmos exits with 128 + signal.
[[noreturn]] void kill_process(int signal, const arch::TrapFrame* frame, u64 fault_address);

} // namespace jvmos::kernel
