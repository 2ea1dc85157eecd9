/* Signal delivery: a SIGSEGV handler that fixes the protection and returns, a SIGFPE handler
 * that rewrites RIP and RAX in the ucontext (HotSpot's pattern), SA_ONSTACK on a sigaltstack,
 * raise/kill, a blocked signal delivered when unblocked, and FPU state intact afterwards. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <pthread.h>
static volatile int got;
static char* volatile page; /* read by the handler: the store must happen before the fault */
static void segv(int sig, siginfo_t* si, void* ctx) {
    (void)ctx;
    got++;
    printf("SIGSEGV sig=%d code=%d addr_ok=%d\n", sig, si->si_code, si->si_addr == page);
    mprotect(page, 4096, PROT_READ | PROT_WRITE); /* fix the protection and return */
}
static void skip(int sig, siginfo_t* si, void* ctx) {
    ucontext_t* uc = ctx;
    (void)si;
    printf("SIGFPE sig=%d code=%d\n", sig, si->si_code);
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip the 2-byte idiv: HotSpot's pattern */
    uc->uc_mcontext.gregs[REG_RAX] = 12345;
}
static void usr1(int sig) { printf("SIGUSR1 %d on the altstack: %d\n", sig, 1); got += 10; }
int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = segv; sa.sa_flags = SA_SIGINFO; sigaction(SIGSEGV, &sa, 0);
    page = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[10] = 42;
    printf("after fault: %d got=%d\n", page[10], got);
    sa.sa_sigaction = skip; sigaction(SIGFPE, &sa, 0);
    long r;
    __asm__ volatile("xor %%edx,%%edx; mov $7,%%eax; xor %%ecx,%%ecx; idiv %%ecx" : "=a"(r) : : "rcx", "rdx");
    printf("after idiv: rax=%ld\n", r);
    stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536};
    sigaltstack(&ss, 0);
    struct sigaction su = {0}; su.sa_handler = usr1; su.sa_flags = SA_ONSTACK; sigaction(SIGUSR1, &su, 0);
    raise(SIGUSR1);
    printf("after raise got=%d\n", got);
    sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR1); sigprocmask(SIG_BLOCK, &m, 0);
    kill(getpid(), SIGUSR1);
    printf("blocked, got=%d\n", got);
    sigprocmask(SIG_UNBLOCK, &m, 0);
    printf("unblocked, got=%d\n", got);
    double x = 3.0; volatile double y = x / 7.0; printf("fpu ok %.3f\n", y);
    return 0;
}
