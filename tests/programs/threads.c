/* pthreads: create/join with results, a mutex-protected counter, a condition variable
 * handshake, timed waits that time out, thread-local storage, a barrier, and many threads
 * alive at once. Output is deterministic (no timing values). */
#include "check.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 8
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static __thread int tls_value;
static pthread_barrier_t barrier;

static void* worker(void* arg) {
    long id = (long)arg;
    tls_value = (int)id * 10;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        if (i % 5000 == 0) sched_yield();
    }
    return (void*)(long)(tls_value + 1);
}

static void* waiter(void* arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!ready) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return (void*)42;
}

static void* barrier_worker(void* arg) {
    int r = pthread_barrier_wait(&barrier);
    (void)arg;
    return (void*)(long)(r == PTHREAD_BARRIER_SERIAL_THREAD);
}

static void* idle_worker(void* arg) {
    pthread_mutex_lock(&lock);
    while (!ready) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return arg;
}

int main(void) {
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        REQUIRE(pthread_create(&t[i], NULL, worker, (void*)i) == 0, "pthread_create");
    long sum = 0;
    for (int i = 0; i < WORKERS; i++) {
        void* r;
        REQUIRE(pthread_join(t[i], &r) == 0, "pthread_join");
        sum += (long)r;
    }
    CHECK(counter == (long)WORKERS * ITERS, "mutex-protected counter is exact");
    CHECK(sum == 10 * (WORKERS * (WORKERS - 1) / 2) + WORKERS, "each thread returned its TLS value + 1");
    CHECK(tls_value == 0, "main thread's TLS is untouched");

    pthread_t w;
    REQUIRE(pthread_create(&w, NULL, waiter, NULL) == 0, "create waiter");
    usleep(20000);
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    void* r;
    CHECK(pthread_join(w, &r) == 0 && (long)r == 42, "condition variable handshake");

    pthread_mutex_lock(&lock);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 30 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    int rc = pthread_cond_timedwait(&cond, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    CHECK(rc == ETIMEDOUT, "timed wait with nobody signalling times out");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec),
          "the timeout did not fire early");

    REQUIRE(pthread_barrier_init(&barrier, NULL, 4) == 0, "barrier init");
    pthread_t b[3];
    for (int i = 0; i < 3; i++) REQUIRE(pthread_create(&b[i], NULL, barrier_worker, NULL) == 0, "create");
    int serial = pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
    for (int i = 0; i < 3; i++) {
        REQUIRE(pthread_join(b[i], &r) == 0, "join barrier worker");
        serial += (int)(long)r;
    }
    CHECK(serial == 1, "exactly one thread is the barrier's serial thread");

    /* Many threads alive at once, all parked on one condition variable. */
    enum { MANY = 200 };
    static pthread_t many[MANY];
    ready = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < MANY; i++)
        REQUIRE(pthread_create(&many[i], &attr, idle_worker, (void*)i) == 0, "create many");
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    long total = 0;
    for (int i = 0; i < MANY; i++) {
        REQUIRE(pthread_join(many[i], &r) == 0, "join many");
        total += (long)r;
    }
    CHECK(total == (long)MANY * (MANY - 1) / 2, "200 threads alive at once all ran and joined");
    return 0;
}
