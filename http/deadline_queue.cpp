#include "http/deadline_queue.h"

#include <algorithm>

namespace jim::http {

void DeadlineQueue::Schedule(Connection& c, TimePoint when) {
  if (when >= c.scheduled) return;  // its live entry is earlier; it reschedules when it comes due
  c.scheduled = when;
  c.timer_token = ++next_token_;  // supersedes the connection's earlier entry, if any
  heap_.push_back({when, &c, c.timer_token});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

bool DeadlineQueue::IsLive(const Entry& e, const Lookup& lookup) const {
  Connection* c = lookup(e.conn);
  return c && c->timer_token == e.token;
}

void DeadlineQueue::PopDue(TimePoint now, const Lookup& lookup, const std::function<void(Connection&)>& on_due) {
  while (!heap_.empty() && heap_.front().when <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    Entry e = heap_.back();
    heap_.pop_back();
    if (!IsLive(e, lookup)) continue;
    e.conn->scheduled = TimePoint::max();
    e.conn->timer_token = 0;
    on_due(*e.conn);
  }
}

void DeadlineQueue::Compact(size_t live, const Lookup& lookup) {
  if (heap_.size() < 1024 || heap_.size() < 4 * live) return;
  std::erase_if(heap_, [&](const Entry& e) { return !IsLive(e, lookup); });
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

}  // namespace jim::http
