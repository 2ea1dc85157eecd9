// C++ on glibc, dynamically linked (libstdc++, libgcc_s, libm, libc through ld.so): exceptions
// (unwinding through frames and threads), iostreams, std::thread/mutex/condition_variable,
// std::async/future, thread_local, and dlopen/dlsym/dlclose of a library given as argv[1] with
// a constructor and a dependency of its own. Output is deterministic.
#include <dlfcn.h>

#include <condition_variable>
#include <cstdio>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures;

void check(bool ok, const std::string& what) {
    std::cout << (ok ? "ok: " : "FAIL: ") << what << '\n';
    if (!ok) failures++;
}

struct Tracked {
    static int alive;
    Tracked() { alive++; }
    ~Tracked() { alive--; }
};
int Tracked::alive;

int deep(int n) {
    Tracked t;
    if (n == 0) throw std::out_of_range("bottom reached");
    return deep(n - 1) + 1;
}

thread_local int tls_counter = 7;

} // namespace

int main(int argc, char** argv) {
    std::cout << std::unitbuf;

    // Exceptions unwind 50 frames, running every destructor.
    try {
        deep(50);
        check(false, "exception thrown");
    } catch (const std::out_of_range& e) {
        check(std::string(e.what()) == "bottom reached" && Tracked::alive == 0,
              "an exception unwinds 50 frames and runs their destructors");
    }
    try {
        try {
            throw std::runtime_error("inner");
        } catch (...) {
            std::throw_with_nested(std::logic_error("outer"));
        }
    } catch (const std::logic_error& e) {
        try {
            std::rethrow_if_nested(e);
        } catch (const std::runtime_error& inner) {
            check(std::string(e.what()) + "/" + inner.what() == "outer/inner", "nested exceptions");
        }
    }

    // iostreams formatting.
    std::ostringstream os;
    os << std::setw(8) << std::setfill('.') << 42 << '|' << std::hex << 255 << '|' << std::fixed
       << std::setprecision(3) << 3.14159 << '|' << std::boolalpha << true;
    check(os.str() == "......42|ff|3.142|true", "iostream formatting: " + os.str());
    std::istringstream in("10 20 30 forty");
    int a = 0, b = 0, c = 0;
    std::string word;
    in >> a >> b >> c >> word;
    check(a + b + c == 60 && word == "forty", "istream parsing");

    // Threads: a mutex-protected map, a condition variable hand-off, thread_local.
    std::mutex m;
    std::map<int, long> results;
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; i++)
        threads.emplace_back([i, &m, &results] {
            tls_counter += i;
            long sum = 0;
            for (int k = 0; k <= 10000 * (i + 1); k++) sum += k;
            std::lock_guard<std::mutex> g(m);
            results[i] = sum + tls_counter;
        });
    for (auto& t : threads) t.join();
    bool all = results.size() == 8;
    for (int i = 0; i < 8; i++) {
        const long n = 10000L * (i + 1);
        all = all && results[i] == n * (n + 1) / 2 + 7 + i;
    }
    check(all && tls_counter == 7, "8 std::threads with thread_local and a mutex");

    std::condition_variable cv;
    bool ready = false;
    std::string message;
    std::thread consumer([&] {
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, [&] { return ready; });
        message += " received";
    });
    {
        std::lock_guard<std::mutex> g(m);
        message = "sent";
        ready = true;
    }
    cv.notify_one();
    consumer.join();
    check(message == "sent received", "condition_variable hand-off");

    // An exception crosses threads through a future.
    auto fut = std::async(std::launch::async, [] {
        throw std::invalid_argument("from another thread");
        return 0;
    });
    try {
        fut.get();
        check(false, "future rethrows");
    } catch (const std::invalid_argument& e) {
        check(std::string(e.what()) == "from another thread", "an exception crosses threads via std::future");
    }
    std::vector<std::future<long>> parts;
    for (int i = 0; i < 4; i++)
        parts.push_back(std::async(std::launch::async, [i] {
            std::vector<long> v(100000);
            std::iota(v.begin(), v.end(), i * 100000L);
            return std::accumulate(v.begin(), v.end(), 0L);
        }));
    long total = 0;
    for (auto& p : parts) total += p.get();
    check(total == 399999L * 400000L / 2, "std::async partial sums");

    // dlopen of a library with a constructor and its own dependency (libm).
    if (argc < 2) {
        check(false, "usage: cxx_features PLUGIN.so");
        return 1;
    }
    void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    check(h != nullptr, "dlopen of the plugin");
    if (h) {
        auto init = reinterpret_cast<int (*)()>(dlsym(h, "plugin_initialised"));
        auto square = reinterpret_cast<long (*)(long)>(dlsym(h, "plugin_square"));
        auto hyp = reinterpret_cast<double (*)(double, double)>(dlsym(h, "plugin_hypot"));
        check(init && init() == 42, "the plugin's constructor ran");
        check(square && square(12) == 144, "dlsym'd function called");
        check(hyp && hyp(3.0, 4.0) == 5.0, "the plugin's libm dependency resolved");
        check(dlsym(h, "no_such_symbol") == nullptr, "a missing symbol is NULL");
        check(dlclose(h) == 0, "dlclose");
    }
    check(dlopen("/nonexistent/libnothing.so", RTLD_NOW) == nullptr && dlerror() != nullptr,
          "dlopen of a missing library fails with a dlerror message");
    std::cout << "done, " << failures << " failures\n";
    return failures ? 1 : 0;
}
