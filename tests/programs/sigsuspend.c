/* rt_sigsuspend: the main thread blocks SIGUSR2, another thread sends it, sigsuspend with an
 * empty mask lets it in: the handler runs, sigsuspend returns -1, and SIGUSR2 is blocked again. */
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <unistd.h>
#include <string.h>
static volatile int hits;
static void h(int s) { (void)s; hits++; }
static pthread_t main_t;
static void* sender(void* a) { (void)a; usleep(50000); pthread_kill(main_t, SIGUSR2); return 0; }
int main() {
  main_t = pthread_self();
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = h; sigaction(SIGUSR2, &sa, 0);
  sigset_t block, old, wait; sigemptyset(&block); sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &old);
  pthread_t t; pthread_create(&t, 0, sender, 0);
  sigemptyset(&wait);
  int r = sigsuspend(&wait);
  sigset_t now; sigprocmask(SIG_BLOCK, 0, &now);
  printf("sigsuspend=%d hits=%d usr2 blocked again=%d\n", r, hits, sigismember(&now, SIGUSR2));
  pthread_join(t, 0);
}
