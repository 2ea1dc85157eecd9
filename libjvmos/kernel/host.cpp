#include "kernel/host.h"

#include "base/string.h"

namespace jvmos::kernel {
namespace {

// TODO(smp): one request block per vCPU.
alignas(64) jvmos_host_request g_request;

inline void outl(u16 port, u32 value) {
    asm volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

} // namespace

i64 host_request(u32 op, u64 a0, u64 a1, u64 a2) {
    memset(&g_request, 0, sizeof g_request);
    g_request.op = op;
    g_request.args[0] = a0;
    g_request.args[1] = a1;
    g_request.args[2] = a2;
    outl(JVMOS_PORT_REQUEST, u32(kernel_va_to_gpa(&g_request)));
    return g_request.result;
}

void host_log(const char* text, usize len) {
    host_request(JVMOS_HOST_LOG, 0, kernel_va_to_gpa(text), len);
}


void host_exit(int status) {
    for (;;) outl(JVMOS_PORT_EXIT, u32(status & 0xff));
}

void host_killed(int signal, const char* report, usize len) {
    for (;;) host_request(JVMOS_HOST_KILLED, u64(signal), kernel_va_to_gpa(report), len);
}

} // namespace jvmos::kernel
