/* A signal sent to the process from outside: prints "ready", then waits in sleep() until SIGINT
 * arrives; the handler runs, the sleep is interrupted, and the program exits 0. Without the
 * signal it would wait 100 s. With SIGTERM (no handler) it dies of it: status 143. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_int(int sig) {
    got = sig;
    const char msg[] = "handler: got SIGINT\n";
    write(1, msg, sizeof msg - 1);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_int;
    sigaction(SIGINT, &sa, NULL);
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < 100 && !got; i++) sleep(1);
    printf(got ? "interrupted by signal %d\n" : "no signal (%d)\n", (int)got);
    return got == SIGINT ? 0 : 1;
}
