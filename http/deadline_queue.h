// The connection loop's timers: the connections that may have passed their deadline, found without looking
// at every connection. A sweep over all of them costs the loop time in proportion to the idle connections
// it holds (10,000 idle clients, ten sweeps a second), and every request waiting on the loop pays for it.
//
// Lazy by design: a connection's deadline moves on every request, but an entry is pushed only when the new
// deadline is earlier than the one already scheduled for it. When an entry comes due, the loop looks at the
// connection's current deadline and either expires it or schedules it again. So a busy keep-alive connection
// costs about one push per deadline period, not one per request. Each entry carries a token, and only the
// entry whose token the connection holds is live: one per connection. Superseded entries and those of
// closed connections are dropped when they come due, or in a rebuild once they outnumber the live ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "http/connection.h"

namespace jim::http {

class DeadlineQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // The open connection at this address, or null. (Another connection may since have taken the address of a
  // closed one: the token tells them apart.)
  using Lookup = std::function<Connection*(Connection* ptr)>;

  // Records that c's deadline is now `when` (c.deadline must already hold it).
  void Schedule(Connection& c, TimePoint when);
  // Pops every entry due at `now` and calls on_due, once, for each connection whose live entry it was.
  // on_due decides (expire, or Schedule the connection's later deadline) and may Schedule freely.
  void PopDue(TimePoint now, const Lookup& lookup, const std::function<void(Connection&)>& on_due);
  // Drops the entries of closed connections when they make up most of the heap; call with the number of
  // live connections from time to time.
  void Compact(size_t live, const Lookup& lookup);

  size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    TimePoint when;
    Connection* conn;
    uint64_t token;
    bool operator>(const Entry& o) const { return when > o.when; }
  };
  bool IsLive(const Entry& e, const Lookup& lookup) const;
  std::vector<Entry> heap_;  // a min-heap on `when` (std::push_heap with greater)
  uint64_t next_token_ = 0;
};

}  // namespace jim::http
