// The baseline for shipped calls: the same Cap'n Proto calls (Handle.stat, a 4 KiB
// Handle.pread) made directly from a host process to a jvmos-proxy child over a socketpair,
// without a guest, a ring or a relay. bench/run_ship.sh prints jvmos's shipped calls against it.
// Usage: capnp_rtt PROXY_BINARY FILE
#include "jvmos.capnp.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

void report(const char* name, std::vector<long long>& v) {
    std::sort(v.begin(), v.end());
    std::printf("%s_p50 %lld\n%s_p99 %lld\n", name, v[v.size() / 2], name, v[v.size() * 99 / 100]);
}

long long now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: capnp_rtt PROXY_BINARY FILE\n");
        return 2;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return perror("socketpair"), 1;
    pid_t child = fork();
    if (child == 0) {
        dup2(sv[1], 3);
        execl(argv[1], argv[1], "--fd", "3", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(sv[1]);

    auto io = kj::setupAsyncIo();
    auto stream = io.lowLevelProvider->wrapSocketFd(sv[0], kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
    capnp::TwoPartyClient client(*stream);
    auto service = client.bootstrap().castAs<jvmos::proto::ProxyService>();
    auto req = service.newSessionRequest();
    auto mounts = req.initConfig().initMounts(1);
    mounts[0].setHostPath("/");
    mounts[0].setGuestPath("/");
    mounts[0].setReadOnly(true);
    req.getConfig().setCwd("/");
    req.initStdio().setInherited();
    auto session = req.send().getSession();
    auto root = session.rootRequest().send().getDir();
    auto open = root.openAtRequest();
    open.setPath(argv[2]);
    auto opened = open.send().wait(io.waitScope);
    if (opened.getErrno() != 0) {
        std::fprintf(stderr, "openAt: errno %d\n", opened.getErrno());
        return 1;
    }
    auto file = opened.getHandle();
    constexpr int N = 2000;
    std::vector<long long> lat;
    for (int i = 0; i < N; i++) {
        long long t0 = now_ns();
        file.statRequest().send().wait(io.waitScope);
        lat.push_back(now_ns() - t0);
    }
    report("capnp_stat", lat);
    lat.clear();
    for (int i = 0; i < N; i++) {
        long long t0 = now_ns();
        auto r = file.preadRequest();
        r.setCount(4096);
        r.setOffset(0);
        r.send().wait(io.waitScope);
        lat.push_back(now_ns() - t0);
    }
    report("capnp_pread_4k", lat);
    return 0;
}
