// What a PostgreSQL node keeps in memory for its committed reads, and the one rule that makes that safe when
// several nodes share the database. Knows nothing of PostgreSQL: it is handed the function that reads the
// database's versions (one row: the catalog version, which every write group raises in its own transaction,
// and the key version, raised by every change of an api key; pg_catalog.cpp, pg_migrations.cpp).
//
// Two versions, so that what authentication reads (api keys, under the key version) survives the writes that
// change no key (a create raises only the catalog version): under create load a request's key comes from
// memory. Both are read by one statement, so the rule and its cost below are the same as with one.
//
// The rule: a request may be answered from memory only after a version read that STARTED after the request
// arrived returned the version the memory was filled at. A write another node acknowledged before the request
// arrived committed before that read began, so the read sees its version and the memory is dropped: what the
// request reads is at least as new as every write acknowledged before it arrived (linearisable).
//
// The cost: one version read per request at most, shared. Requests that arrive while a read is in flight wait
// for the NEXT read (the one in flight may have started before they arrived), which one of them issues for
// all of them (group commit, for reads): under load a node pays one round trip per batch of requests, not
// per request. Alone, a request pays one round trip (docs/store.md, "PostgreSQL").
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/catalog.h"
#include "core/result.h"
#include "core/system_item_key.h"

namespace jim::store::pg {

// The part of what is kept that a version guards.
enum class Part { kCatalog, kKeys };

// The database's versions as one read returned them.
struct Versions {
  int64_t catalog = 0;  // raised by every write group
  int64_t keys = 0;     // raised by every write that changes an api key (not by touches of its last use)
  int64_t Of(Part part) const { return part == Part::kKeys ? keys : catalog; }
  bool operator==(const Versions&) const = default;
};

class ReadCache {
 public:
  // One round trip that returns the database's versions, or the error that kept it from reading them
  // (kUnavailable when the database cannot be reached). Whatever it throws becomes a kInternal error.
  using ReadVersion = std::function<core::Result<Versions>()>;
  // The most items (an entity, or one item per entity of a cached list) kept at once; past it the cache
  // starts over (cheap, and a working set that large would miss anyway whenever anything is written).
  static constexpr size_t kMaxItems = 50'000;

  explicit ReadCache(ReadVersion read_version, size_t max_items = kMaxItems);

  // The calling thread's scope for one request (core::ReadScope): its first read validates, the rest of the
  // request's reads use that validation. Scopes of one thread nest; destroy them on the thread that made them.
  std::unique_ptr<core::ReadScope> BeginRequest();

  // The versions the caller may serve cached state at: inside a scope, validated once (by a read that started
  // after the scope opened) and then remembered; without one, by a read that started after this call. The read's
  // error when it failed (every request that waited for it gets the failure; a scope's next call reads again
  // unless a read started since has answered). Never a stale version: a failure is not remembered as one.
  core::Result<Versions> Validate();
  // Called after this thread's write returned: the rest of its request must see that write, so the scope's
  // next read validates again (a read started now sees the write's version).
  void AfterWrite();

  // Version reads issued so far (tests, metrics).
  uint64_t VersionReads() const { return reads_started_.load(); }

  // One kind of cached read: `Key` -> `Value`, all of it dropped when its part's version moves.
  template <class Key, class Value, class Hash = std::hash<Key>>
  class Table {
   public:
    // `keep(value)` false: answered but not kept (e.g. unknown api key digests, which anyone can make up).
    using Keep = bool (*)(const Value&);
    // `weight(value)`: items it counts against kMaxItems.
    using Weight = size_t (*)(const Value&);
    Table(ReadCache& cache, Weight weight = nullptr, Keep keep = nullptr, Part part = Part::kCatalog)
        : cache_(cache), weight_(weight), keep_(keep), part_(part) {
      cache.tables_.push_back({part, [this] { map_.clear(); }});
    }
    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;

    // The value from memory after validating (above), or `load()`'s (a core::Result<Value>), kept if the
    // version did not move while it ran: a load that overlapped a write may have read either side of it, so it
    // is kept under the version seen before it started and dropped with it. An error is answered, never kept:
    // neither a failed validation's nor a failed load's.
    template <class Load>
    core::Result<Value> Get(const Key& key, Load&& load) {
      if (auto valid = cache_.Validate(); !valid.ok()) return valid.error();
      int64_t seen;
      {
        std::lock_guard lock(cache_.mu_);
        if (auto it = map_.find(key); it != map_.end()) {
          std::shared_ptr<const Value> kept = it->second;
          cache_.hits_.fetch_add(1, std::memory_order_relaxed);
          return *kept;  // copied outside the lock: `kept` holds it
        }
        seen = cache_.version_.Of(part_);
      }
      core::Result<Value> loaded = load();
      if (!loaded.ok()) return loaded;
      auto value = std::make_shared<const Value>(std::move(loaded).value());
      if (!keep_ || keep_(*value)) {
        cache_.Keep(part_, seen, weight_ ? weight_(*value) : 1, [&] { map_.insert_or_assign(key, value); });
      }
      return *value;
    }

   private:
    ReadCache& cache_;
    Weight weight_;
    Keep keep_;
    Part part_;
    std::unordered_map<Key, std::shared_ptr<const Value>, Hash> map_;  // guarded by cache_.mu_
  };

  // Answers served from memory so far (tests).
  uint64_t Hits() const { return hits_.load(); }

 private:
  class Scope;
  static thread_local Scope* top_;  // the calling thread's innermost scope, of any cache

  Scope* CurrentScope();
  // Waits until a read numbered `ticket` or later has finished, issuing it if none is in flight.
  core::Result<Versions> ValidateFrom(uint64_t ticket);
  // One call of read_version_, whatever it throws as an error.
  core::Result<Versions> ReadVersionOnce();
  // Adopts a version read's answer: a part whose version differs is dropped, the other stays.
  void Adopt(const Versions& versions);
  // Runs `insert` if `part`'s version is still `seen` (and makes room for `weight` items).
  void Keep(Part part, int64_t seen, size_t weight, const std::function<void()>& insert);
  void ClearAll();  // under mu_

  const ReadVersion read_version_;
  const size_t max_items_;

  // The coalesced version reads. reads_started_ is read without the lock when a scope opens (its ticket is
  // the next read to start); it only changes under gate_mu_.
  std::mutex gate_mu_;
  std::condition_variable gate_cv_[2];  // by ticket parity (ValidateFrom)
  std::atomic<uint64_t> reads_started_{0};
  uint64_t reads_done_ = 0;
  bool reading_ = false;
  // The outcome of the newest finished read: any read numbered at or after a waiter's ticket answers it.
  core::Result<Versions> last_{core::Error{}};

  // What is kept, each part at its version in version_ (0: nothing validated yet).
  std::mutex mu_;
  Versions version_;
  size_t items_[2] = {0, 0};  // by Part
  std::vector<std::pair<Part, std::function<void()>>> tables_;  // each table's part and clear
  std::atomic<uint64_t> hits_{0};
};

// What PgCatalog keeps: what authentication, gets and lists of the catalog read (api keys by digest, under the
// key version; connectors, systems, partitions, a system's run profiles, under the catalog version). Not kept: what changes without a write group
// (an api key's last use, raised by touches: so api keys are kept by digest for authentication only, which
// shows no last use), and what is large or rarely read twice (activities, history, idempotency records, counts).
struct CachedReads {
  explicit CachedReads(ReadCache::ReadVersion read_version) : gate(std::move(read_version)) {}

  template <class List>
  static size_t Items(const List& list) {
    return list.size() + 1;
  }
  static bool Found(const std::optional<core::ApiKey>& key) { return key.has_value(); }

  ReadCache gate;
  ReadCache::Table<std::string, std::optional<core::ApiKey>> key_by_digest{gate, nullptr, &Found, Part::kKeys};
  ReadCache::Table<core::Id, std::optional<core::ConnectorDefinition>> connector{gate};
  ReadCache::Table<int, std::vector<core::ConnectorDefinition>> connectors{gate, &Items};
  ReadCache::Table<core::Id, std::optional<core::ConnectedSystem>> system{gate};
  ReadCache::Table<int, std::vector<core::ConnectedSystem>> systems{gate, &Items};
  ReadCache::Table<core::Id, std::optional<core::Partition>> partition{gate};
  ReadCache::Table<core::Id, std::vector<core::Partition>> partitions{gate, &Items};
  ReadCache::Table<core::SystemItemKey, std::optional<core::RunProfile>, core::SystemItemKeyHash> profile_of{gate};
  ReadCache::Table<core::Id, std::vector<core::RunProfile>> profiles{gate, &Items};
};

}  // namespace jim::store::pg
