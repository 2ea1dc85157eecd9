/* /proc and /sys as a program sees its own process: the exe link, maps (its text segment, a
 * fresh mapping's permissions and its removal, a file mapping's path and offset), cmdline,
 * fd/ and its links, task/ and the Threads: line while threads run, stat and status, comm
 * (prctl and writes), paths relative to a /proc/self directory fd, self == <pid>, and the CPU
 * and memory files agreeing with sched_getaffinity and sysinfo. Only facts are printed: the
 * values (pids, addresses, sizes) differ between runs. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define PAGE 4096
#define THREADS 3

/* The whole of a /proc or /sys file (read in small pieces, as stdio would), NUL-terminated. */
static char* slurp_at(int dirfd, const char* path, size_t* len_out) {
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0, path);
    size_t cap = 4096, len = 0;
    char* buf = malloc(cap);
    for (;;) {
        if (cap - len < 512) buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd, buf + len, 511);
        REQUIRE(n >= 0, "read");
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    if (len_out) *len_out = len;
    return buf;
}

static char* slurp(const char* path) {
    return slurp_at(AT_FDCWD, path, NULL);
}

/* The value after "Key:" in a status-style text, or -1. */
static long field(const char* text, const char* key) {
    const char* p = strstr(text, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* /proc/self/maps into static storage: malloc could otherwise reuse the very range whose
 * absence from maps is being checked. */
static char* read_maps(void) {
    static char buf[1 << 20];
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0, "open maps");
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)n;
    REQUIRE(n == 0, "read maps");
    close(fd);
    buf[len] = 0;
    return buf;
}

/* Finds the maps line for address `addr`: its permissions and name (both may be NULL). */
static int maps_line(uintptr_t addr, char perms[5], char* name, size_t name_cap,
                     unsigned long* offset) {
    char* maps = read_maps();
    int found = 0;
    for (char* line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long start, end, off;
        char p[5];
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %*x:%*x %*u %n", &start, &end, p, &off, &name_at) < 4)
            continue;
        if (addr < start || addr >= end) continue;
        if (perms) memcpy(perms, p, 5);
        if (name) snprintf(name, name_cap, "%s", name_at ? line + name_at : "");
        if (offset) *offset = off;
        found = 1;
        break;
    }
    return found;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int started, release;

static void* worker(void* arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    started++;
    pthread_cond_broadcast(&cond);
    while (!release) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int count_entries(const char* path) {
    DIR* d = opendir(path);
    REQUIRE(d != NULL, path);
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void check_exe_and_maps(char* argv0) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    REQUIRE(n > 0, "readlink /proc/self/exe");
    exe[n] = 0;
    struct stat a, b;
    CHECK(stat(exe, &a) == 0 && stat(argv0, &b) == 0 && a.st_ino == b.st_ino &&
              a.st_dev == b.st_dev,
          "/proc/self/exe names this program");
    CHECK(exe[0] == '/', "the exe link is an absolute path");

    char perms[5], name[4096];
    REQUIRE(maps_line((uintptr_t)&check_exe_and_maps, perms, name, sizeof name, NULL),
            "maps has a line for the code");
    CHECK(strcmp(perms, "r-xp") == 0, "the text segment is r-xp in maps");
    CHECK(strcmp(name, exe) == 0, "the text segment is named by the program's path");
    static int data_word = 1;
    REQUIRE(maps_line((uintptr_t)&data_word, perms, NULL, 0, NULL), "maps has the data");
    CHECK(strcmp(perms, "rw-p") == 0, "the data segment is rw-p");
    int on_stack = 0;
    REQUIRE(maps_line((uintptr_t)&on_stack, perms, name, sizeof name, NULL), "maps has the stack");
    CHECK(strcmp(perms, "rw-p") == 0 && strcmp(name, "[stack]") == 0, "the stack is [stack]");

    /* A fresh mapping between two PROT_NONE guards (so that it merges with nothing). */
    char* p = mmap(NULL, 5 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED, "mmap");
    REQUIRE(mprotect(p + PAGE, 3 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect rw");
    REQUIRE(mprotect(p + 2 * PAGE, PAGE, PROT_READ) == 0, "mprotect r");
    char* maps = read_maps();
    char want[128];
    snprintf(want, sizeof want, "%lx-%lx rw-p 00000000 00:00 0 \n", (unsigned long)(p + PAGE),
             (unsigned long)(p + 2 * PAGE));
    int rw = strstr(maps, want) != NULL;
    snprintf(want, sizeof want, "%lx-%lx r--p 00000000 00:00 0 \n", (unsigned long)(p + 2 * PAGE),
             (unsigned long)(p + 3 * PAGE));
    int ro = strstr(maps, want) != NULL;
    char guard_perms[5];
    const int guard =
        maps_line((uintptr_t)p, guard_perms, NULL, 0, NULL) && strcmp(guard_perms, "---p") == 0;
    CHECK(rw && ro && guard, "a fresh mapping shows its pages' permissions, split by mprotect");
    REQUIRE(munmap(p, 5 * PAGE) == 0, "munmap");
    CHECK(!maps_line((uintptr_t)p + 2 * PAGE, NULL, NULL, 0, NULL),
          "an unmapped range is gone from maps");

    /* A file mapping: the file's path and the offset. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/jvmos-procfs-%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0, "create the mapped file");
    static char block[3 * PAGE];
    REQUIRE(write(fd, block, sizeof block) == (ssize_t)sizeof block, "fill the mapped file");
    char* m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    REQUIRE(m != MAP_FAILED, "mmap the file");
    unsigned long offset = 0;
    REQUIRE(maps_line((uintptr_t)m, perms, name, sizeof name, &offset), "maps has the file");
    CHECK(strcmp(perms, "r--p") == 0 && offset == PAGE && strcmp(name, path) == 0,
          "a file mapping shows r--p, its offset and the file's path");
    munmap(m, 2 * PAGE);

    /* fd/: 0, 1, 2 and the file, whose link is its path. */
    DIR* d = opendir("/proc/self/fd");
    REQUIRE(d != NULL, "opendir /proc/self/fd");
    int seen[3] = {0, 0, 0}, seen_file = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        int n = atoi(e->d_name);
        if (n < 3) seen[n] = 1;
        if (n == fd) seen_file = e->d_type == DT_LNK;
    }
    closedir(d);
    CHECK(seen[0] && seen[1] && seen[2] && seen_file,
          "/proc/self/fd lists 0, 1, 2 and the open file");
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    REQUIRE(n > 0, "readlink fd");
    target[n] = 0;
    CHECK(strcmp(target, path) == 0, "the fd's link is the path it was opened with");
    struct stat via_link, direct;
    CHECK(stat(link, &via_link) == 0 && fstat(fd, &direct) == 0 && via_link.st_ino == direct.st_ino,
          "stat through the fd link is the file");
    close(fd);
    unlink(path);
    CHECK(access(link, F_OK) == -1 && errno == ENOENT, "a closed fd is gone from fd/");
}

static void check_cmdline(int argc, char** argv) {
    size_t len;
    char* cmdline = slurp_at(AT_FDCWD, "/proc/self/cmdline", &len);
    size_t want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    int same = len == want;
    const char* p = cmdline;
    for (int i = 0; same && i < argc; i++) {
        same = strcmp(p, argv[i]) == 0;
        p += strlen(argv[i]) + 1;
    }
    CHECK(same, "cmdline is argv, NUL-separated");
    free(cmdline);
    char* env = slurp_at(AT_FDCWD, "/proc/self/environ", &len);
    CHECK(len > 0 && memmem(env, len, "JVMOS_COMPARE=1", 16) != NULL,
          "environ has the environment");
    free(env);
}

static void check_ids_and_threads(void) {
    char self[32], pid_path[64];
    snprintf(pid_path, sizeof pid_path, "/proc/%d", (int)getpid());
    ssize_t n = readlink("/proc/self", self, sizeof self - 1);
    REQUIRE(n > 0, "readlink /proc/self");
    self[n] = 0;
    CHECK(atoi(self) == getpid(), "/proc/self links to the pid");
    struct stat a, b;
    CHECK(stat("/proc/self", &a) == 0 && stat(pid_path, &b) == 0 && a.st_ino == b.st_ino &&
              S_ISDIR(a.st_mode),
          "/proc/self is /proc/<pid>");
    char ts[64], want[64];
    n = readlink("/proc/thread-self", ts, sizeof ts - 1);
    REQUIRE(n > 0, "readlink /proc/thread-self");
    ts[n] = 0;
    snprintf(want, sizeof want, "%d/task/%d", (int)getpid(), (int)gettid());
    CHECK(strcmp(ts, want) == 0, "/proc/thread-self links to <pid>/task/<tid>");

    char* status = slurp("/proc/self/status");
    CHECK(field(status, "\nPid:") == getpid() && field(status, "\nPPid:") == getppid() &&
              field(status, "\nTgid:") == getpid(),
          "status: Pid, PPid and Tgid");
    CHECK(strstr(status, "Name:\tprocfs\n") && strstr(status, "State:\tR (running)\n"),
          "status: the name and the running state");
    CHECK(field(status, "\nVmRSS:") > 0 && field(status, "\nVmSize:") >= field(status, "\nVmRSS:"),
          "status: VmSize >= VmRSS > 0");
    CHECK(field(status, "\nThreads:") == 1, "status: one thread");
    free(status);

    char* stat = slurp("/proc/self/stat");
    int pid = 0, ppid = 0;
    char comm[32], state = 0;
    CHECK(sscanf(stat, "%d (%31[^)]) %c %d", &pid, comm, &state, &ppid) == 4 && pid == getpid() &&
              strcmp(comm, "procfs") == 0 && state == 'R' && ppid == getppid(),
          "stat: pid (comm) state ppid");
    int fields = 0;
    for (char* p = stat; *p; p++) fields += *p == ' ';
    CHECK(fields == 51, "stat has 52 fields");
    free(stat);

    /* Threads show in task/ and in Threads:. */
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        REQUIRE(pthread_create(&t[i], NULL, worker, NULL) == 0, "create");
    pthread_mutex_lock(&lock);
    while (started < THREADS) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    CHECK(count_entries("/proc/self/task") == THREADS + 1, "task/ has one entry per thread");
    status = slurp("/proc/self/status");
    CHECK(field(status, "\nThreads:") == THREADS + 1, "status counts the threads");
    free(status);
    char task_status[96];
    snprintf(task_status, sizeof task_status, "/proc/self/task/%d/status", (int)gettid());
    status = slurp(task_status);
    CHECK(field(status, "\nPid:") == gettid(), "task/<tid>/status is the thread's");
    free(status);
    pthread_mutex_lock(&lock);
    release = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    CHECK(count_entries("/proc/self/task") == 1, "joined threads leave task/");

    /* comm: the program's name, then prctl's, then a write's. */
    char* comm_text = slurp("/proc/self/comm");
    CHECK(strcmp(comm_text, "procfs\n") == 0, "comm is the program's name");
    free(comm_text);
    prctl(PR_SET_NAME, "renamed");
    comm_text = slurp("/proc/thread-self/comm");
    CHECK(strcmp(comm_text, "renamed\n") == 0, "comm follows prctl(PR_SET_NAME)");
    free(comm_text);
    int fd = open("/proc/thread-self/comm", O_WRONLY);
    REQUIRE(fd >= 0, "open comm for writing");
    REQUIRE(write(fd, "written", 7) == 7, "write comm");
    close(fd);
    char name[16] = {0};
    prctl(PR_GET_NAME, name);
    CHECK(strcmp(name, "written") == 0, "a write to comm renames the thread");
    prctl(PR_SET_NAME, "procfs");

    /* Paths relative to a /proc/self directory fd. */
    int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0, "open /proc/self");
    status = slurp_at(dir, "status", NULL);
    CHECK(field(status, "\nPid:") == getpid(), "openat(/proc/self fd, \"status\")");
    free(status);
    struct stat st;
    CHECK(fstatat(dir, "task", &st, 0) == 0 && S_ISDIR(st.st_mode),
          "fstatat(/proc/self fd, \"task\")");
    CHECK(fstatat(dir, "maps", &st, 0) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
          "procfs files are regular with size 0");
    close(dir);

    /* Rereading from offset 0 sees the file anew, as seq_file does. */
    fd = open("/proc/self/stat", O_RDONLY);
    char buf1[1024], buf2[1024];
    ssize_t n1 = pread(fd, buf1, sizeof buf1 - 1, 0), n2 = pread(fd, buf2, sizeof buf2 - 1, 0);
    CHECK(n1 > 0 && n2 > 0 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf1, 10) == 10,
          "pread at 0, lseek and read on a /proc file");
    close(fd);
}

static void check_cpus_and_memory(void) {
    cpu_set_t set;
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity");
    const int affinity = CPU_COUNT(&set);
    static const char* const lists[] = {"online", "possible", "present"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char path[64], what[128];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/%s", lists[i]);
        char* text = slurp(path);
        int lo = -1, hi = -1;
        const int k = sscanf(text, "%d-%d", &lo, &hi);
        const int count = k == 2 ? hi - lo + 1 : k == 1 ? 1 : -1;
        snprintf(what, sizeof what, "%s agrees with sched_getaffinity", path);
        CHECK(lo == 0 && count == affinity, what);
        free(text);
    }
    char* cpuinfo = slurp("/proc/cpuinfo");
    int processors = 0;
    for (char* p = cpuinfo; (p = strstr(p, "processor\t: ")) != NULL; p++) processors++;
    CHECK(processors == affinity, "cpuinfo has a processor block per CPU");
    CHECK(strstr(cpuinfo, "\nflags\t\t: fpu ") != NULL, "cpuinfo lists the CPU's flags");
    free(cpuinfo);
    char* stat = slurp("/proc/stat");
    int cpu_lines = 0;
    for (char* p = stat; (p = strstr(p, "\ncpu")) != NULL; p++) cpu_lines++;
    CHECK(strncmp(stat, "cpu  ", 5) == 0 && cpu_lines == affinity, "/proc/stat has a line per CPU");
    free(stat);

    struct sysinfo si;
    REQUIRE(sysinfo(&si) == 0, "sysinfo");
    char* meminfo = slurp("/proc/meminfo");
    long total = field(meminfo, "MemTotal:"), free_kb = field(meminfo, "MemFree:");
    CHECK(total == (long)((unsigned long long)si.totalram * si.mem_unit / 1024),
          "MemTotal is sysinfo's totalram");
    CHECK(free_kb > 0 && free_kb <= total && field(meminfo, "MemAvailable:") > 0,
          "MemFree and MemAvailable are within MemTotal");
    free(meminfo);

    char* mountinfo = slurp("/proc/self/mountinfo");
    CHECK(strstr(mountinfo, " /proc rw,") && strstr(mountinfo, " - proc proc "),
          "mountinfo has the proc mount");
    free(mountinfo);
    CHECK(count_entries("/proc/self/fd") >= 3, "fd/ lists the open fds");
}

int main(int argc, char** argv) {
    check_exe_and_maps(argv[0]);
    check_cmdline(argc, argv);
    check_ids_and_threads();
    check_cpus_and_memory();
    return 0;
}
