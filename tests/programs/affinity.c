/* sched_setaffinity / sched_getaffinity / getcpu: a thread pinned to a CPU runs there.
 *   - the process's mask covers every online CPU;
 *   - pinned to each CPU in turn, sched_getcpu() reports that CPU (also after a yield and a
 *     sleep, when the scheduler had the chance to move it);
 *   - a new thread inherits its creator's mask, and a thread pinned by another thread (by tid)
 *     moves there;
 *   - errors: an empty mask (EINVAL), a mask naming no online CPU (EINVAL), an unknown tid
 *     (ESRCH), an unreadable mask (EFAULT), a length too short for getaffinity (EINVAL).
 * Output is deterministic whatever the number of CPUs (counts are compared, never printed). */
#define _GNU_SOURCE
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int online;

static int pin_self(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static void* inherits(void* arg) {
    int* ok = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    *ok = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1 &&
          CPU_ISSET(online - 1, &set) && sched_getcpu() == online - 1;
    return NULL;
}

static atomic_int target_tid;
static atomic_int moved;
static atomic_int stop;

static void* spinner(void* arg) {
    (void)arg;
    pin_self(online - 1);
    atomic_store(&target_tid, (int)syscall(SYS_gettid));
    while (!atomic_load(&stop)) {
        if (sched_getcpu() == 0) atomic_store(&moved, 1);
        sched_yield();
    }
    return NULL;
}

int main(void) {
    online = (int)sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity");
    CHECK(CPU_COUNT(&set) == online, "the mask covers every online CPU");
    int all_pinned = 1;
    for (int cpu = 0; cpu < online; cpu++) {
        REQUIRE(pin_self(cpu) == 0, "pin to one CPU");
        if (sched_getcpu() != cpu) all_pinned = 0;
        sched_yield();
        if (sched_getcpu() != cpu) all_pinned = 0;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
        if (sched_getcpu() != cpu) all_pinned = 0;
        CPU_ZERO(&set);
        REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0, "getaffinity after pinning");
        if (CPU_COUNT(&set) != 1 || !CPU_ISSET(cpu, &set)) all_pinned = 0;
    }
    CHECK(all_pinned, "pinned to each CPU in turn, the thread runs there");

    /* Still pinned to the last CPU: a new thread inherits that. */
    pthread_t t;
    int ok = 0;
    REQUIRE(pthread_create(&t, NULL, inherits, &ok) == 0, "pthread_create");
    pthread_join(t, NULL);
    CHECK(ok, "a new thread inherits its creator's mask");

    /* Another thread, pinned by tid from here, ends up on CPU 0. */
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < online; cpu++) CPU_SET(cpu, &set);
    REQUIRE(sched_setaffinity(0, sizeof set, &set) == 0, "unpin");
    REQUIRE(pthread_create(&t, NULL, spinner, NULL) == 0, "pthread_create");
    while (!atomic_load(&target_tid)) sched_yield();
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    CHECK(sched_setaffinity(atomic_load(&target_tid), sizeof set, &set) == 0,
          "pin another thread by its tid");
    for (int i = 0; i < 100000 && !atomic_load(&moved); i++) sched_yield();
    CHECK(atomic_load(&moved), "the other thread moved to its new CPU");
    CPU_ZERO(&set);
    CHECK(sched_getaffinity(atomic_load(&target_tid), sizeof set, &set) == 0 &&
              CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set),
          "getaffinity of the other thread");
    atomic_store(&stop, 1);
    pthread_join(t, NULL);

    CPU_ZERO(&set);
    errno = 0;
    CHECK(sched_setaffinity(0, sizeof set, &set) == -1 && errno == EINVAL, "empty mask: EINVAL");
    if (online < CPU_SETSIZE) {
        CPU_SET(online, &set); /* the first CPU past the online ones */
        errno = 0;
        CHECK(sched_setaffinity(0, sizeof set, &set) == -1 && errno == EINVAL,
              "a mask of offline CPUs: EINVAL");
    }
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    errno = 0;
    CHECK(sched_setaffinity(999999, sizeof set, &set) == -1 && errno == ESRCH, "unknown tid: ESRCH");
    errno = 0;
    CHECK(syscall(SYS_sched_setaffinity, 0, sizeof set, (void*)8) == -1 && errno == EFAULT,
          "unreadable mask: EFAULT");
    unsigned long word;
    errno = 0;
    CHECK(syscall(SYS_sched_getaffinity, 0, 4, &word) == -1 && errno == EINVAL,
          "getaffinity with 4 bytes: EINVAL");
    return 0;
}
