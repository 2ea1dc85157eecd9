// Calls that wait (empty pipes, terminals, full pipes, locks, FIFO opens) never block the
// proxy's event loop or each other, and a client that disconnects mid-call leaves a proxy that
// ends cleanly. No timing: "does not block" is shown by another call completing while the
// waiting one is still pending (were the loop blocked, that call would never complete and the
// test would hang until ctest's timeout).
#include "proxy_support.h"

#include "worker_pool.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jvmos::proxy::testing {
namespace {

using Blocking = ProxyTest;

struct PipeEnds {
    proto::Handle::Client read_end;
    proto::Handle::Client write_end;
};

PipeEnds new_pipe(Client& c, proto::Session::Client& session) {
    auto reply = session.pipeRequest().send().wait(c.ws());
    KJ_ASSERT(reply.getErrno() == 0);
    return PipeEnds{reply.getReadEnd(), reply.getWriteEnd()};
}

capnp::RemotePromise<proto::Handle::ReadResults> start_read(proto::Handle::Client& handle,
                                                            uint32_t count) {
    auto request = handle.readRequest();
    request.setCount(count);
    return request.send();
}

TEST_F(Blocking, ReadOnAnEmptyPipeDoesNotBlockOtherCalls) {
    auto pipe = new_pipe(*client, session);
    auto pending = start_read(pipe.read_end, 100);
    // Other calls complete meanwhile: a stat, and a write on the same pipe's other end.
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws()));
    EXPECT_EQ(write(*client, pipe.write_end, "late data").value, 9);
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(std::string(reply.getData().asChars().begin(), reply.getData().size()), "late data");
}

// A guest signal: interrupt(token) ends the blocked read with EINTR and takes no byte from
// the pipe; a later read gets the data.
TEST_F(Blocking, InterruptEndsAWaitingReadWithEintrAndLosesNoData) {
    auto pipe = new_pipe(*client, session);
    auto request = pipe.read_end.readRequest();
    request.setCount(100);
    request.setToken(7);
    auto pending = request.send();
    EXPECT_FALSE(pending.poll(client->ws()));
    auto other = pipe.read_end.interruptRequest();
    other.setToken(8); // not this call's token: nothing happens
    other.send().wait(client->ws());
    EXPECT_FALSE(pending.poll(client->ws()));
    auto interrupt = pipe.read_end.interruptRequest();
    interrupt.setToken(7);
    interrupt.send().wait(client->ws());
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), EINTR);
    EXPECT_EQ(reply.getData().size(), 0u);
    EXPECT_EQ(write(*client, pipe.write_end, "kept").value, 4);
    auto later = read(*client, pipe.read_end, 100);
    EXPECT_EQ(later.error, 0);
    EXPECT_EQ(later.data, "kept");
}

// An interrupted write that had written part of its data reports that part, as Linux does.
TEST_F(Blocking, InterruptEndsAWaitingWriteWithWhatItWrote) {
    auto pipe = new_pipe(*client, session);
    std::string big(proto::MAX_IO, 'x');
    auto request = pipe.write_end.writeRequest();
    request.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(big.data()), big.size()));
    request.setToken(3);
    auto pending = request.send();
    EXPECT_FALSE(pending.poll(client->ws())); // 1 MiB does not fit a 64 KiB pipe
    auto interrupt = pipe.write_end.interruptRequest();
    interrupt.setToken(3);
    interrupt.send().wait(client->ws());
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_GT(reply.getWritten(), 0u);
    EXPECT_LT(reply.getWritten(), big.size());
}

TEST_F(Blocking, ReadOnStdinDoesNotBlockWritesToStdout) {
    auto stdio = session.stdioRequest().send().wait(client->ws());
    auto in = stdio.getStdin();
    auto out = stdio.getStdout();
    auto pending = start_read(in, 100);
    EXPECT_EQ(write(*client, out, "prompt> ").value, 8);
    char buffer[16] = {};
    ASSERT_EQ(::read(stdout_reader(), buffer, sizeof buffer), 8);
    EXPECT_FALSE(pending.poll(client->ws()));
    ASSERT_EQ(::write(stdin_writer(), "answer\n", 7), 7);
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(std::string(reply.getData().asChars().begin(), reply.getData().size()), "answer\n");
}

TEST_F(Blocking, ManyWaitingReadsEachHaveAWorker) {
    std::vector<PipeEnds> pipes;
    std::vector<capnp::RemotePromise<proto::Handle::ReadResults>> reads;
    for (int i = 0; i < 8; ++i) {
        pipes.push_back(new_pipe(*client, session));
        reads.push_back(start_read(pipes.back().read_end, 10));
    }
    EXPECT_EQ(stat_at(*client, root, "/").error, 0);
    // Answer them in reverse order: none waits for another.
    for (int i = 7; i >= 0; --i) {
        write(*client, pipes[i].write_end, std::to_string(i));
        auto reply = reads[i].wait(client->ws());
        EXPECT_EQ(std::string(reply.getData().asChars().begin(), reply.getData().size()),
                  std::to_string(i));
    }
}

TEST_F(Blocking, AWriteLargerThanThePipeWaitsForTheReader) {
    auto pipe = new_pipe(*client, session);
    std::string big(proto::MAX_IO, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
    auto request = pipe.write_end.writeRequest();
    request.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(big.data()), big.size()));
    auto pending = request.send();
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws())); // 1 MiB does not fit a 64 KiB pipe
    std::string received;
    while (received.size() < big.size()) {
        auto chunk = read(*client, pipe.read_end, 65536);
        ASSERT_EQ(chunk.error, 0);
        ASSERT_GT(chunk.data.size(), 0u);
        received += chunk.data;
    }
    EXPECT_TRUE(received == big);
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getWritten(), big.size());
}

TEST_F(Blocking, BlockingFlockWaitsWithoutBlockingTheLoop) {
    auto a = open_at(*client, root, "file.txt", O_RDONLY).handle;
    auto b = open_at(*client, root, "file.txt", O_RDONLY).handle;
    auto lock_a = a.flockRequest();
    lock_a.setOperation(LOCK_EX);
    ASSERT_EQ(lock_a.send().wait(client->ws()).getErrno(), 0);
    auto lock_b = b.flockRequest();
    lock_b.setOperation(LOCK_EX);
    auto pending = lock_b.send();
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws()));
    auto unlock = a.flockRequest();
    unlock.setOperation(LOCK_UN);
    ASSERT_EQ(unlock.send().wait(client->ws()).getErrno(), 0);
    EXPECT_EQ(pending.wait(client->ws()).getErrno(), 0);
    // b holds it now.
    auto try_a = a.flockRequest();
    try_a.setOperation(LOCK_SH | LOCK_NB);
    EXPECT_EQ(try_a.send().wait(client->ws()).getErrno(), EWOULDBLOCK);
}

TEST_F(Blocking, OpeningAFifoWaitsForTheOtherEnd) {
    ASSERT_EQ(mkfifo(tree.at("root/fifo").c_str(), 0600), 0);
    auto request = root.openAtRequest();
    request.setPath("fifo");
    request.setFlags(O_RDONLY);
    auto reader = request.send();
    EXPECT_EQ(stat_at(*client, root, "fifo").error, 0);
    EXPECT_FALSE(reader.poll(client->ws()));
    auto writer = open_at(*client, root, "fifo", O_WRONLY);
    ASSERT_EQ(writer.error, 0);
    auto opened = reader.wait(client->ws());
    ASSERT_EQ(opened.getErrno(), 0);
    auto read_end = opened.getHandle();
    write(*client, writer.handle, "via fifo");
    EXPECT_EQ(read(*client, read_end, 100).data, "via fifo");
    // O_NONBLOCK opens do not wait: a writer without a reader is ENXIO.
    ASSERT_EQ(mkfifo(tree.at("root/fifo2").c_str(), 0600), 0);
    EXPECT_EQ(open_at(*client, root, "fifo2", O_WRONLY | O_NONBLOCK).error, ENXIO);
}

// A client that disconnects while calls wait on every kind of worker: the connection's server
// ends (serve_connection returns, its sessions go, their workers are joined). Were a worker
// stuck, join() would hang.
TEST(Disconnect, MidCallTheServerEndsCleanly) {
    TempTree tree;
    tree.write("file", "x");
    ASSERT_EQ(mkfifo(tree.at("fifo").c_str(), 0600), 0);
    int in[2], out[2];
    ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    ProxyOptions options;
    options.stdio = InheritedStdio{in[0], out[1], out[1]};
    InProcessServer server(options);
    int holder = open(tree.at("file").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_EQ(flock(holder, LOCK_EX), 0); // held by the test: the proxy's flock must wait
    {
        Client client(server.take_client_fd());
        auto session = new_session(client, {{tree.path(), "/", false}}).session;
        auto root = root_of(client, session);
        auto pipe = new_pipe(client, session);
        auto stdin_handle = session.stdioRequest().send().wait(client.ws()).getStdin();

        auto read_pipe = start_read(pipe.read_end, 10);
        auto read_stdin = start_read(stdin_handle, 10);
        auto fifo_request = root.openAtRequest();
        fifo_request.setPath("fifo");
        fifo_request.setFlags(O_RDONLY);
        auto fifo_open = fifo_request.send();
        auto file = open_at(client, root, "file", O_RDONLY).handle;
        auto lock = file.flockRequest();
        lock.setOperation(LOCK_EX);
        auto locking = lock.send();
        auto other_pipe = new_pipe(client, session);
        auto big = other_pipe.write_end.writeRequest();
        big.initData(proto::MAX_IO);
        auto writing = big.send();
        // Everything is waiting now (a round trip after the calls were sent).
        EXPECT_EQ(stat_at(client, root, "file").error, 0);
        EXPECT_FALSE(read_pipe.poll(client.ws()));
        EXPECT_FALSE(writing.poll(client.ws()));

        client.disconnect();
        server.join(); // returns only once every job of the connection has ended
        EXPECT_ANY_THROW(read_pipe.wait(client.ws()));
    }
    close(holder);
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
}

// ---- WorkerPool on its own -----------------------------------------------------------------

TEST(WorkerPoolTest, DroppingThePromiseCancelsARunningWait) {
    auto io = kj::setupAsyncIo();
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    int started[2];
    ASSERT_EQ(pipe2(started, O_CLOEXEC), 0);
    std::atomic<bool> saw_cancel{false};
    {
        WorkerPool pool(4);
        auto promise = pool.run<int>([&, fd = fds[0]](const BlockingCall& call) {
            EXPECT_EQ(::write(started[1], "s", 1), 1);
            bool ready = call.wait_ready(fd, POLLIN); // nobody writes: waits until cancelled
            saw_cancel = !ready;
            return 0;
        });
        char byte;
        ASSERT_EQ(::read(started[0], &byte, 1), 1); // the job is running
        // Another job on another thread completes meanwhile.
        EXPECT_EQ(pool.run<int>([](const BlockingCall&) { return 7; }).wait(io.waitScope), 7);
        EXPECT_FALSE(promise.poll(io.waitScope));
    } // promise dropped, then the pool destroyed: both must return
    EXPECT_TRUE(saw_cancel.load());
    for (int fd : {fds[0], fds[1], started[0], started[1]}) close(fd);
}

TEST(WorkerPoolTest, AtTheThreadLimitJobsQueueAndQueuedJobsCanBeDropped) {
    auto io = kj::setupAsyncIo();
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    std::atomic<bool> second_ran{false};
    WorkerPool pool(1);
    auto first = pool.run<int>([fd = fds[0]](const BlockingCall& call) {
        char byte;
        if (!call.wait_ready(fd, POLLIN)) return -1;
        return int(::read(fd, &byte, 1));
    });
    {
        auto second = pool.run<int>([&](const BlockingCall&) {
            second_ran = true;
            return 2;
        });
        EXPECT_FALSE(second.poll(io.waitScope));
    } // dropped while queued behind `first`
    auto third = pool.run<int>([](const BlockingCall&) { return 3; });
    EXPECT_FALSE(third.poll(io.waitScope)); // one thread, busy
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    EXPECT_EQ(first.wait(io.waitScope), 1);
    EXPECT_EQ(third.wait(io.waitScope), 3);
    EXPECT_FALSE(second_ran.load());
    EXPECT_EQ(pool.thread_count(), 1u);
    close(fds[0]);
    close(fds[1]);
}

} // namespace
} // namespace jvmos::proxy::testing
