#include "store/pg_read_cache.h"

#include <exception>

namespace jim::store::pg {

// A request's ticket is the number of the first version read that starts after the request arrived; once a
// read of that number or later has answered, the scope is validated at what it answered.
class ReadCache::Scope final : public core::ReadScope {
 public:
  Scope(ReadCache& owner, uint64_t ticket) : owner(owner), ticket(ticket), prev(top_) { top_ = this; }
  ~Scope() override { top_ = prev; }

  ReadCache& owner;
  uint64_t ticket;
  bool validated = false;
  Versions version;
  Scope* const prev;
};

thread_local ReadCache::Scope* ReadCache::top_ = nullptr;

ReadCache::ReadCache(ReadVersion read_version, size_t max_items)
    : read_version_(std::move(read_version)), max_items_(max_items) {}

std::unique_ptr<core::ReadScope> ReadCache::BeginRequest() {
  // Caution: the load must come after the request arrived and before any read it may use starts. A read
  // counted here may already be in flight (its SQL sent before the request arrived): only the next one counts.
  return std::make_unique<Scope>(*this, reads_started_.load() + 1);
}

ReadCache::Scope* ReadCache::CurrentScope() {
  for (Scope* s = top_; s; s = s->prev)
    if (&s->owner == this) return s;
  return nullptr;
}

core::Result<Versions> ReadCache::Validate() {
  Scope* scope = CurrentScope();
  if (!scope) return ValidateFrom(reads_started_.load() + 1);
  if (!scope->validated) {
    auto version = ValidateFrom(scope->ticket);
    if (!version.ok()) return version;  // not validated: the next read of this request asks again
    scope->version = *version;
    scope->validated = true;
  }
  return scope->version;
}

void ReadCache::AfterWrite() {
  if (Scope* scope = CurrentScope()) {
    scope->ticket = reads_started_.load() + 1;
    scope->validated = false;
  }
}

core::Result<Versions> ReadCache::ReadVersionOnce() {
  // Whatever escapes would leave reading_ set and every waiter asleep: it becomes an error instead.
  try {
    return read_version_();
  } catch (const core::StoreUnavailable& e) {
    return core::CannotReachStore(e.what());
  } catch (const std::exception& e) {
    return core::MakeError(core::ErrorCode::kInternal, "An unexpected error occurred.", e.what());
  } catch (...) {
    return core::MakeError(core::ErrorCode::kInternal, "An unexpected error occurred.",
                           "non-standard exception reading the catalog version");
  }
}

core::Result<Versions> ReadCache::ValidateFrom(uint64_t ticket) {
  std::unique_lock lock(gate_mu_);
  while (reads_done_ < ticket) {
    if (reading_) {
      // Waiters sleep by their ticket's parity: while read n runs only tickets n and n+1 can wait, so its end
      // wakes the ones it answers and ONE of the others (to read next), not every waiter twice.
      gate_cv_[ticket & 1].wait(lock);
      continue;
    }
    // No read in flight and none since the ticket was taken: this caller reads for everyone waiting.
    reading_ = true;
    const uint64_t number = reads_started_.fetch_add(1) + 1;  // >= ticket: the count only grows
    lock.unlock();
    core::Result<Versions> outcome = ReadVersionOnce();
    // Before anyone is woken: whoever reads next reads at this version or later. A failed read adopts
    // nothing, so what is kept stays keyed to the last version a read did return.
    if (outcome.ok()) Adopt(*outcome);
    lock.lock();
    reading_ = false;
    reads_done_ = number;
    last_ = std::move(outcome);
    gate_cv_[number & 1].notify_all();
    gate_cv_[(number + 1) & 1].notify_one();
  }
  return last_;  // a copy for each waiter, under the lock
}

void ReadCache::Adopt(const Versions& versions) {
  std::lock_guard lock(mu_);
  for (Part part : {Part::kCatalog, Part::kKeys}) {
    if (versions.Of(part) == version_.Of(part)) continue;
    for (auto& [of, clear] : tables_)
      if (of == part) clear();
    items_[static_cast<int>(part)] = 0;
  }
  version_ = versions;
}

void ReadCache::ClearAll() {
  for (auto& table : tables_) table.second();
  items_[0] = items_[1] = 0;
}

void ReadCache::Keep(Part part, int64_t seen, size_t weight, const std::function<void()>& insert) {
  std::lock_guard lock(mu_);
  if (version_.Of(part) != seen || weight > max_items_) return;
  if (items_[0] + items_[1] + weight > max_items_) ClearAll();
  items_[static_cast<int>(part)] += weight;
  insert();
}

}  // namespace jim::store::pg
