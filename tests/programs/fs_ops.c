/* Directory and metadata operations in a fresh directory: mkdir, rename, unlink, rmdir, chmod,
 * access, readlink's EINVAL, getdents (sorted listing), ftruncate, dup/dup2/fcntl, pipes,
 * chdir/getcwd, and the errno of each common mistake. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sendfile.h>
#include <unistd.h>

static int cmp(const void* a, const void* b) {
    return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static void list(const char* path) {
    DIR* d = opendir(path);
    REQUIRE(d != NULL, "opendir");
    char* names[64];
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char* s = malloc(strlen(e->d_name) + 8);
        sprintf(s, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : e->d_type == DT_REG ? "" : "?");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("listing of %s:", strcmp(path, ".") == 0 ? "." : "dir");
    for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
    printf("\n");
}

static void expect_errno(int r, int err, const char* what) {
    if (r != -1 || errno != err) {
        printf("FAIL: %s: r=%d errno=%d (%s), wanted %s\n", what, r, errno, strerror(errno),
               strerror(err));
        exit(1);
    }
    printf("ok: %s -> %s\n", what, strerror(err));
}

int main(void) {
    char dir[] = "jvmos_fs_ops_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
    char cwd0[4096];
    CHECK(getcwd(cwd0, sizeof cwd0) != NULL, "getcwd");
    CHECK(chdir(dir) == 0, "chdir into the work directory");
    char cwd1[4096];
    CHECK(getcwd(cwd1, sizeof cwd1) != NULL && strlen(cwd1) == strlen(cwd0) + 1 + strlen(dir) &&
              strncmp(cwd1, cwd0, strlen(cwd0)) == 0 && strcmp(cwd1 + strlen(cwd0) + 1, dir) == 0,
          "getcwd follows chdir");

    CHECK(mkdir("a", 0755) == 0, "mkdir a");
    CHECK(mkdir("a/b", 0700) == 0, "mkdir a/b");
    int fd = open("a/file", O_RDWR | O_CREAT | O_EXCL, 0640);
    CHECK(fd >= 0, "create a/file");
    CHECK(write(fd, "hello world", 11) == 11, "write 11 bytes");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate to 5");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0640, "fstat after truncate");
    char buf[32] = {0};
    CHECK(pread(fd, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0, "pread the rest");
    CHECK(lseek(fd, 1, SEEK_SET) == 1 && read(fd, buf, 2) == 2 && memcmp(buf, "el", 2) == 0,
          "lseek then read");

    int d = dup(fd);
    CHECK(d > fd, "dup gives a new fd");
    CHECK(lseek(d, 0, SEEK_CUR) == 3, "dup shares the file position");
    CHECK(fcntl(d, F_GETFD) == 0 && fcntl(d, F_SETFD, FD_CLOEXEC) == 0 && fcntl(d, F_GETFD) == FD_CLOEXEC,
          "FD_CLOEXEC per fd");
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "F_GETFL access mode");
    int d2 = dup2(fd, 40);
    CHECK(d2 == 40 && fcntl(40, F_GETFD) == 0, "dup2 to 40");
    int d3 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
    CHECK(d3 >= 50 && fcntl(d3, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC above 50");
    CHECK(close(d) == 0 && close(40) == 0 && close(d3) == 0, "close the duplicates");
    CHECK(close(fd) == 0, "close the file");
    expect_errno(close(fd), EBADF, "close twice");
    expect_errno((int)write(fd, "x", 1), EBADF, "write to a closed fd");

    CHECK(chmod("a/file", 0600) == 0 && stat("a/file", &st) == 0 && (st.st_mode & 0777) == 0600,
          "chmod");
    CHECK(access("a/file", R_OK | W_OK) == 0, "access R_OK|W_OK");
    CHECK(rename("a/file", "a/b/moved") == 0, "rename into a subdirectory");
    expect_errno(access("a/file", F_OK), ENOENT, "old name is gone");
    CHECK(lstat("a/b/moved", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5, "new name stats");
    char target[64];
    expect_errno((int)readlink("a/b/moved", target, sizeof target), EINVAL, "readlink on a file");
    list("a");

    expect_errno(open("nope/file", O_RDONLY), ENOENT, "open in a missing directory");
    expect_errno(open("a/b/moved/x", O_RDONLY), ENOTDIR, "path through a file");
    expect_errno(mkdir("a", 0755), EEXIST, "mkdir existing");
    expect_errno(open("a", O_WRONLY), EISDIR, "open a directory for writing");
    expect_errno(rmdir("a"), ENOTEMPTY, "rmdir a non-empty directory");
    expect_errno(unlink("a/b"), EISDIR, "unlink a directory");
    expect_errno(open("a/b/moved", O_RDONLY | O_CREAT | O_EXCL, 0600), EEXIST, "O_EXCL on existing");

    /* copy_file_range and sendfile between two files (the bytes stay in the proxy). */
    int src = open("a/src", O_RDWR | O_CREAT | O_EXCL, 0600);
    int dst = open("a/dst", O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(src >= 0 && dst >= 0, "create copy source and destination");
    static char big[300000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7 + i / 1000);
    CHECK(write(src, big, sizeof big) == (ssize_t)sizeof big, "write the source");
    off_t in_off = 1000, out_off = 0;
    CHECK(copy_file_range(src, &in_off, dst, &out_off, 200000, 0) == 200000 && in_off == 201000 &&
              out_off == 200000,
          "copy_file_range with offsets advances them");
    CHECK(lseek(src, 0, SEEK_SET) == 0 && lseek(dst, 200000, SEEK_SET) == 200000 &&
              sendfile(dst, src, NULL, 50) == 50,
          "sendfile from the file position");
    static char back[200050];
    CHECK(pread(dst, back, sizeof back, 0) == (ssize_t)sizeof back &&
              memcmp(back, big + 1000, 200000) == 0 && memcmp(back + 200000, big, 50) == 0,
          "the copied bytes are the source's");
    in_off = sizeof big;
    CHECK(copy_file_range(src, &in_off, dst, NULL, 10, 0) == 0, "copy_file_range at end of file");
    CHECK(close(src) == 0 && close(dst) == 0 && unlink("a/src") == 0 && unlink("a/dst") == 0,
          "remove the copies");

    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    CHECK(write(p[1], "through the pipe", 16) == 16, "write to the pipe");
    CHECK(read(p[0], buf, sizeof buf) == 16 && memcmp(buf, "through the pipe", 16) == 0,
          "read from the pipe");
    CHECK(close(p[1]) == 0 && read(p[0], buf, sizeof buf) == 0, "EOF after the writer closes");
    close(p[0]);

    int dfd = open("a", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0, "open a directory");
    CHECK(fstatat(dfd, "b/moved", &st, 0) == 0 && st.st_size == 5, "fstatat relative to a dirfd");
    CHECK(fchdir(dfd) == 0 && access("b/moved", F_OK) == 0, "fchdir");
    close(dfd);
    CHECK(chdir("..") == 0, "chdir ..");

    CHECK(unlink("a/b/moved") == 0 && rmdir("a/b") == 0 && rmdir("a") == 0, "remove everything");
    list(".");
    CHECK(chdir("..") == 0 && rmdir(dir) == 0, "remove the work directory");
    return 0;
}
