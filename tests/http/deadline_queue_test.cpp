// The connection loop's deadline queue (http/deadline_queue.h) without a socket: which connections come due,
// when, and that a moved or closed connection is neither expired early nor kept.
#include "http/deadline_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

namespace jim::http {
namespace {

using namespace std::chrono_literals;
using TimePoint = DeadlineQueue::TimePoint;

// Connections as the loop holds them: by address.
struct Loop {
  DeadlineQueue queue;
  std::map<Connection*, std::unique_ptr<Connection>> conns;
  const TimePoint t0 = TimePoint() + 1000s;

  Connection& Open() {
    auto c = std::make_unique<Connection>();
    Connection& ref = *c;
    conns.emplace(&ref, std::move(c));
    return ref;
  }
  void Set(Connection& c, TimePoint when) {
    c.deadline = when;
    queue.Schedule(c, when);
  }
  DeadlineQueue::Lookup Lookup() {
    return [this](Connection* ptr) -> Connection* { return conns.contains(ptr) ? ptr : nullptr; };
  }
  // What the loop's sweep does: expire what is past its deadline, schedule the rest again.
  std::vector<Connection*> Sweep(TimePoint now) {
    std::vector<Connection*> expired;
    queue.PopDue(now, Lookup(), [&](Connection& c) {
      if (now < c.deadline) return queue.Schedule(c, c.deadline);
      expired.push_back(&c);
    });
    return expired;
  }
};

TEST(DeadlineQueueTest, ExpiresConnectionsInDeadlineOrderOnlyOnceDue) {
  Loop loop;
  Connection& a = loop.Open();
  Connection& b = loop.Open();
  loop.Set(a, loop.t0 + 10s);
  loop.Set(b, loop.t0 + 5s);
  EXPECT_TRUE(loop.Sweep(loop.t0 + 4s).empty());
  EXPECT_EQ(loop.Sweep(loop.t0 + 5s), std::vector<Connection*>{&b});
  EXPECT_TRUE(loop.Sweep(loop.t0 + 9s).empty());
  EXPECT_EQ(loop.Sweep(loop.t0 + 10s), std::vector<Connection*>{&a});
  EXPECT_EQ(loop.queue.size(), 0u);
}

TEST(DeadlineQueueTest, AMovedDeadlineIsHonouredAndCostsNoPushWhenLater) {
  Loop loop;
  Connection& c = loop.Open();
  loop.Set(c, loop.t0 + 10s);
  // A keep-alive connection's deadline moves on with every request: no new entry for a later one.
  for (int i = 1; i <= 100; ++i) loop.Set(c, loop.t0 + 10s + std::chrono::milliseconds(i));
  EXPECT_EQ(loop.queue.size(), 1u);
  // Due at the first deadline, but the connection has moved on: scheduled again, not expired.
  EXPECT_TRUE(loop.Sweep(loop.t0 + 10s).empty());
  EXPECT_EQ(loop.queue.size(), 1u);
  EXPECT_EQ(loop.Sweep(loop.t0 + 10s + 100ms), std::vector<Connection*>{&c});
}

TEST(DeadlineQueueTest, AnEarlierDeadlineIsScheduledAtOnce) {
  Loop loop;
  Connection& c = loop.Open();
  loop.Set(c, loop.t0 + 60s);  // idle
  loop.Set(c, loop.t0 + 10s);  // a head began: its deadline is earlier
  EXPECT_EQ(loop.Sweep(loop.t0 + 10s), std::vector<Connection*>{&c});
  // The idle entry left behind names the same connection: when it comes due it is dropped, neither
  // expiring the connection early nor handing it over twice later.
  loop.Set(c, loop.t0 + 70s);
  EXPECT_TRUE(loop.Sweep(loop.t0 + 60s).empty());
  EXPECT_EQ(loop.Sweep(loop.t0 + 70s), std::vector<Connection*>{&c});
  EXPECT_EQ(loop.queue.size(), 0u);
}

TEST(DeadlineQueueTest, AClosedConnectionIsNeverHandedBackEvenWhenItsAddressIsReused) {
  Loop loop;
  Connection& c = loop.Open();
  loop.Set(c, loop.t0 + 1s);
  // The connection closes and a new one gets the same address (what the allocator is free to do): the
  // same object, reset as a new connection starts, with a later deadline stands for it.
  c.timer_token = 0;
  c.scheduled = TimePoint::max();
  loop.Set(c, loop.t0 + 30s);
  EXPECT_TRUE(loop.Sweep(loop.t0 + 1s).empty());  // the old entry's token is not the new connection's
  EXPECT_EQ(loop.Sweep(loop.t0 + 30s), std::vector<Connection*>{&c});
  // And a connection that is gone is not handed back at all.
  loop.Set(c, loop.t0 + 40s);
  loop.conns.clear();
  EXPECT_TRUE(loop.Sweep(loop.t0 + 40s).empty());
}

TEST(DeadlineQueueTest, CompactDropsTheEntriesOfClosedConnections) {
  Loop loop;
  std::vector<Connection*> open;
  for (int i = 0; i < 5000; ++i) {
    Connection& c = loop.Open();
    loop.Set(c, loop.t0 + 60s);
    open.push_back(&c);
  }
  for (size_t i = 0; i < 4990; ++i) loop.conns.erase(open[i]);
  loop.queue.Compact(loop.conns.size(), loop.Lookup());
  EXPECT_EQ(loop.queue.size(), 10u);
  EXPECT_EQ(loop.Sweep(loop.t0 + 60s).size(), 10u);
}

}  // namespace
}  // namespace jim::http
