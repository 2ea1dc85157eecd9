// Session.poll: one call for a set of Handles. Ready sets are answered at once; a wait runs on a
// worker (other calls complete meanwhile) and ends with data, a timeout or Session.interrupt;
// hostile sets (foreign capabilities, too many entries) are refused and the proxy goes on. No
// timing: "does not block" is shown by another call completing while the poll is pending.
#include "proxy_support.h"

#include <cerrno>
#include <poll.h>

namespace jvmos::proxy::testing {
namespace {

using PollTest = ProxyTest;

struct PipeEnds {
    proto::Handle::Client read_end;
    proto::Handle::Client write_end;
};

PipeEnds new_pipe(Client& c, proto::Session::Client& session) {
    auto reply = session.pipeRequest().send().wait(c.ws());
    KJ_ASSERT(reply.getErrno() == 0);
    return PipeEnds{reply.getReadEnd(), reply.getWriteEnd()};
}

struct Entry {
    proto::Handle::Client* handle;
    uint16_t events;
};

capnp::RemotePromise<proto::Session::PollResults> start_poll(proto::Session::Client& session,
                                                             std::vector<Entry> entries,
                                                             int64_t timeout_ns,
                                                             uint64_t token = 0) {
    auto request = session.pollRequest();
    auto list = request.initEntries(uint32_t(entries.size()));
    for (uint32_t i = 0; i < entries.size(); i++) {
        list[i].setHandle(*entries[i].handle);
        list[i].setEvents(entries[i].events);
    }
    request.setTimeoutNs(timeout_ns);
    request.setToken(token);
    return request.send();
}

std::vector<uint16_t> revents_of(proto::Session::PollResults::Reader reply) {
    std::vector<uint16_t> out;
    for (auto r : reply.getRevents()) out.push_back(r);
    return out;
}

// A Handle the client serves itself: not one of the session's.
class ForeignHandle final : public proto::Handle::Server {};

TEST_F(PollTest, ReadyNowIsAnsweredWithEachEntrysRevents) {
    auto pipe = new_pipe(*client, session);
    EXPECT_EQ(write(*client, pipe.write_end, "x").value, 1);
    auto reply = start_poll(session, {{&pipe.read_end, POLLIN}, {&pipe.write_end, POLLOUT}}, -1)
                     .wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 2u);
    EXPECT_EQ(revents_of(reply), (std::vector<uint16_t>{POLLIN, POLLOUT}));
}

TEST_F(PollTest, ZeroTimeoutOnAnEmptyPipeReportsNothing) {
    auto pipe = new_pipe(*client, session);
    auto reply = start_poll(session, {{&pipe.read_end, POLLIN}}, 0).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 0u);
    EXPECT_EQ(revents_of(reply), (std::vector<uint16_t>{0}));
}

TEST_F(PollTest, AFiniteTimeoutEndsTheWait) {
    auto pipe = new_pipe(*client, session);
    auto reply = start_poll(session, {{&pipe.read_end, POLLIN}}, 20'000'000).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 0u);
}

// The longest timeout a client can ask for is a wait like any other (no overflow).
TEST_F(PollTest, TheLongestTimeoutWaitsUntilData) {
    auto pipe = new_pipe(*client, session);
    auto pending = start_poll(session, {{&pipe.read_end, POLLIN}}, INT64_MAX);
    EXPECT_FALSE(pending.poll(client->ws()));
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws()));
    EXPECT_EQ(write(*client, pipe.write_end, "d").value, 1);
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 1u);
}

TEST_F(PollTest, AWaitDoesNotBlockOtherCallsAndEndsWithData) {
    auto pipe = new_pipe(*client, session);
    auto pending = start_poll(session, {{&pipe.read_end, POLLIN}}, -1);
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    EXPECT_FALSE(pending.poll(client->ws()));
    EXPECT_EQ(write(*client, pipe.write_end, "data").value, 4);
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 1u);
    EXPECT_EQ(revents_of(reply), (std::vector<uint16_t>{POLLIN}));
}

// A guest signal: Session.interrupt(token) ends the wait with EINTR; the data written later is
// all there.
TEST_F(PollTest, InterruptEndsTheWaitWithEintr) {
    auto pipe = new_pipe(*client, session);
    auto pending = start_poll(session, {{&pipe.read_end, POLLIN}}, -1, 11);
    EXPECT_FALSE(pending.poll(client->ws()));
    auto other = session.interruptRequest();
    other.setToken(12); // not this call's token: nothing happens
    other.send().wait(client->ws());
    EXPECT_FALSE(pending.poll(client->ws()));
    auto interrupt = session.interruptRequest();
    interrupt.setToken(11);
    interrupt.send().wait(client->ws());
    auto reply = pending.wait(client->ws());
    EXPECT_EQ(reply.getErrno(), EINTR);
    EXPECT_EQ(write(*client, pipe.write_end, "kept").value, 4);
    EXPECT_EQ(read(*client, pipe.read_end, 100).data, "kept");
}

TEST_F(PollTest, AClosedWriterGivesHangUpAndTheDataLeft) {
    auto pipe = new_pipe(*client, session);
    EXPECT_EQ(write(*client, pipe.write_end, "left").value, 4);
    pipe.write_end = nullptr;                               // releases the write end on the proxy
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0); // the release is processed by now
    auto reply = start_poll(session, {{&pipe.read_end, POLLIN}}, -1).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(revents_of(reply), (std::vector<uint16_t>{POLLIN | POLLHUP}));
}

TEST_F(PollTest, UnknownEventBitsAreIgnoredAndErrorsAlwaysReported) {
    auto pipe = new_pipe(*client, session);
    pipe.read_end = nullptr;
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
    auto reply = start_poll(session, {{&pipe.write_end, 0x4000}}, -1).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(revents_of(reply), (std::vector<uint16_t>{POLLERR}));
}

TEST_F(PollTest, AForeignCapabilityIsRefusedAndTheProxyGoesOn) {
    auto pipe = new_pipe(*client, session);
    proto::Handle::Client foreign = kj::heap<ForeignHandle>();
    auto reply =
        start_poll(session, {{&pipe.read_end, POLLIN}, {&foreign, POLLIN}}, -1).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), EBADF);
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
}

TEST_F(PollTest, AHandleOfAnotherSessionIsRefused) {
    auto other = new_session(*client, {{tree.at("root"), "/", false}});
    ASSERT_EQ(other.error, 0);
    auto theirs = new_pipe(*client, other.session);
    auto reply = start_poll(session, {{&theirs.read_end, POLLIN}}, 0).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), EBADF);
}

TEST_F(PollTest, TooManyEntriesAreRefusedAndTheProxyGoesOn) {
    auto pipe = new_pipe(*client, session);
    std::vector<Entry> many(proto::MAX_POLL_ENTRIES + 1, Entry{&pipe.read_end, POLLIN});
    auto reply = start_poll(session, many, -1).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), EINVAL);
    EXPECT_EQ(stat_at(*client, root, "file.txt").error, 0);
}

TEST_F(PollTest, AnEmptySetWithNoTimeIsZero) {
    auto reply = start_poll(session, {}, 0).wait(client->ws());
    EXPECT_EQ(reply.getErrno(), 0);
    EXPECT_EQ(reply.getReady(), 0u);
    EXPECT_EQ(reply.getRevents().size(), 0u);
}

// A client that goes away while a poll waits: the job is cancelled and the proxy ends cleanly
// (the fixture's teardown joins the server).
TEST_F(PollTest, ADisconnectDuringAWaitEndsCleanly) {
    auto pipe = new_pipe(*client, session);
    auto pending = start_poll(session, {{&pipe.read_end, POLLIN}}, -1);
    EXPECT_FALSE(pending.poll(client->ws()));
    client->disconnect();
    server->join();
}

} // namespace
} // namespace jvmos::proxy::testing
