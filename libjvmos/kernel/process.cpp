#include "kernel/process.h"
#include "kernel/boot.h"
#include "kernel/host.h"
#include "kernel/panic.h"

namespace jvmos::kernel {
void handle_user_exception(arch::TrapFrame& frame, u64 fault_address) {
    panic_with_frame(frame, fault_address, "user exception");
}
void exit_process(int status) { host_exit(status); }
void kill_process(int signal, const arch::TrapFrame*, u64) { host_killed(signal, "", 0); }
void start_first_process(const jvmos_boot_info&) {
    log("jvmos kernel booted\n");
    exit_process(42);
}
} // namespace jvmos::kernel
