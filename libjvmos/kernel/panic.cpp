#include "kernel/panic.h"

#include "base/assert.h"
#include "base/format.h"
#include "kernel/host.h"

#include <stdarg.h>

namespace jvmos {
namespace {

char g_report[4096];

[[noreturn]] void send(StringBuilder& sb) {
    kernel::host_request(JVMOS_HOST_PANIC, 0, kernel::kernel_va_to_gpa(sb.c_str()), sb.length());
    for (;;) kernel::host_exit(JVMOS_EXIT_PANIC);
}

} // namespace

void panic(const char* fmt, ...) {
    StringBuilder sb(g_report, sizeof g_report);
    sb.append("guest kernel panic: ");
    va_list ap;
    va_start(ap, fmt);
    sb.vappendf(fmt, ap);
    va_end(ap);
    send(sb);
}

void panic_with_frame(const arch::TrapFrame& f, u64 fault_address, const char* fmt, ...) {
    StringBuilder sb(g_report, sizeof g_report);
    sb.append("guest kernel panic: ");
    va_list ap;
    va_start(ap, fmt);
    sb.vappendf(fmt, ap);
    va_end(ap);
    sb.appendf("\n  vector %llu error %#llx fault address %#llx\n", (unsigned long long)f.vector,
               (unsigned long long)f.error, (unsigned long long)fault_address);
    sb.appendf("  rip %016llx cs %04llx rflags %08llx rsp %016llx ss %04llx\n",
               (unsigned long long)f.rip, (unsigned long long)f.cs, (unsigned long long)f.rflags,
               (unsigned long long)f.rsp, (unsigned long long)f.ss);
    sb.appendf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)f.rax,
               (unsigned long long)f.rbx, (unsigned long long)f.rcx, (unsigned long long)f.rdx);
    sb.appendf("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n", (unsigned long long)f.rsi,
               (unsigned long long)f.rdi, (unsigned long long)f.rbp, (unsigned long long)f.r8);
    sb.appendf("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n", (unsigned long long)f.r9,
               (unsigned long long)f.r10, (unsigned long long)f.r11, (unsigned long long)f.r12);
    sb.appendf("  r13 %016llx r14 %016llx r15 %016llx", (unsigned long long)f.r13,
               (unsigned long long)f.r14, (unsigned long long)f.r15);
    send(sb);
}

void assertion_failed(const char* expr, const char* file, int line, u64 a, u64 b) {
    panic("assertion failed: %s at %s:%d (%#llx, %#llx)", expr, file, line,
          (unsigned long long)a, (unsigned long long)b);
}

} // namespace jvmos
