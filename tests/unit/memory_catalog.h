// An in-memory Catalog for the unit tier: core's services are tested against it without RocksDB.
// Transact runs the body on a copy of the state under one mutex and swaps it in on success, which is
// the contract's serialised, all-or-nothing semantics in its simplest form. tests/contract runs the same
// catalog contract suite against it and RocksCatalog, so what the unit tier proves holds on the real store.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "core/catalog.h"
#include "core/ports.h"
#include "core/rules.h"

namespace jim::testing {

struct MemoryState {
  std::map<core::Id, core::ConnectorDefinition> definitions;
  std::map<core::Id, core::ConnectedSystem> systems;
  std::map<core::Id, core::Partition> partitions;
  std::map<core::Id, core::RunProfile> profiles;
  std::map<std::string, core::ApiKey> keys;
  std::map<std::string, core::IdempotencyRecord> idempotency;
  std::vector<core::Activity> activities;
  std::map<std::tuple<core::ConfigObjectType, std::string, int64_t>, core::ConfigVersion> config_versions;
  std::map<core::IdKind, core::Id> next_ids;
  // RunProfileListVersion: every system whose profiles, partitions or record a commit wrote gets a new
  // number from one clock, so a version never comes back (also for a deleted system).
  std::map<core::Id, uint64_t> list_versions;
  uint64_t list_version_clock = 1;
};

class MemoryTransaction final : public core::Transaction {
 public:
  MemoryTransaction(MemoryState& s, std::set<core::Id>* touched = nullptr) : s_(s), touched_(touched) {}
  std::optional<core::ConnectorDefinition> FindConnectorDefinition(core::Id id) override { return Find(s_.definitions, id); }
  std::optional<core::Id> FindConnectorDefinitionIdByName(std::string_view name) override {
    for (auto& [id, d] : s_.definitions)
      if (d.name == name) return id;
    return std::nullopt;
  }
  bool IsConnectorInUse(core::Id id) override {
    return std::any_of(s_.systems.begin(), s_.systems.end(), [&](auto& kv) { return kv.second.connector_id == id; });
  }
  std::optional<core::ConnectedSystem> FindConnectedSystem(core::Id id) override { return Find(s_.systems, id); }
  std::optional<core::Id> FindConnectedSystemIdByName(std::string_view folded) override {
    for (auto& [id, cs] : s_.systems)
      if (core::FoldName(cs.name) == folded) return id;
    return std::nullopt;
  }
  std::optional<core::Partition> FindPartition(core::Id id) override { return Find(s_.partitions, id); }
  std::optional<core::Id> FindPartitionIdByName(core::Id cs, std::string_view folded) override {
    for (auto& [id, p] : s_.partitions)
      if (p.connected_system_id == cs && core::FoldName(p.name) == folded) return id;
    return std::nullopt;
  }
  std::optional<core::RunProfile> FindRunProfile(core::Id id) override { return Find(s_.profiles, id); }
  std::optional<core::ApiKey> FindApiKey(std::string_view id) override { return Find(s_.keys, std::string(id)); }
  std::optional<core::ApiKey> FindApiKeyByDigest(std::string_view digest) override {
    for (auto& [id, k] : s_.keys)
      if (k.digest_hex == digest) return k;
    return std::nullopt;
  }
  std::optional<core::IdempotencyRecord> FindIdempotency(std::string_view key) override {
    return Find(s_.idempotency, std::string(key));
  }
  std::vector<core::ApiKey> ListApiKeys() override {
    std::vector<core::ApiKey> out;
    for (auto& [id, k] : s_.keys) out.push_back(k);
    return out;
  }
  std::vector<core::ConnectedSystem> ListConnectedSystems() override {
    std::vector<core::ConnectedSystem> out;
    for (auto& [id, cs] : s_.systems) out.push_back(cs);
    return out;
  }
  std::vector<core::RunProfile> ListRunProfiles(core::Id cs) override {
    std::vector<core::RunProfile> out;
    for (auto& [id, p] : s_.profiles)
      if (p.connected_system_id == cs) out.push_back(p);
    return out;
  }
  std::vector<core::Partition> ListPartitions(core::Id cs) override {
    std::vector<core::Partition> out;
    for (auto& [id, p] : s_.partitions)
      if (p.connected_system_id == cs) out.push_back(p);
    return out;
  }
  core::ConfigHead LatestConfigHead(core::ConfigObjectType type, std::string_view key) override {
    auto it = s_.config_versions.lower_bound({type, std::string(key), INT64_MAX});
    if (it == s_.config_versions.begin()) return {};
    --it;
    const auto& [t, k, v] = it->first;
    return t == type && k == key ? core::HeadOf(it->second) : core::ConfigHead{};
  }
  core::Id AllocateId(core::IdKind kind) override { return ++s_.next_ids[kind]; }
  // A row stored under an id that was not allocated (the seeded built-ins) still raises the high-water
  // mark: AllocateId never hands that id out again.
  void Put(const core::ConnectorDefinition& v) override {
    NoteId(core::IdKind::kConnectorDefinition, v.id);
    s_.definitions[v.id] = v;
  }
  void Put(const core::ConnectedSystem& v) override {
    NoteId(core::IdKind::kConnectedSystem, v.id);
    Touch(v.id);
    s_.systems[v.id] = v;
  }
  void Put(const core::Partition& v) override {
    NoteId(core::IdKind::kPartition, v.id);
    if (auto old = Find(s_.partitions, v.id)) Touch(old->connected_system_id);
    Touch(v.connected_system_id);
    s_.partitions[v.id] = v;
  }
  void Put(const core::RunProfile& v) override {
    NoteId(core::IdKind::kRunProfile, v.id);
    if (auto old = Find(s_.profiles, v.id)) Touch(old->connected_system_id);
    Touch(v.connected_system_id);
    s_.profiles[v.id] = v;
  }
  void Put(const core::ApiKey& v) override { s_.keys[v.id] = v; }
  void Put(const core::IdempotencyRecord& v) override { s_.idempotency[v.key] = v; }
  void Put(const core::ConfigVersion& v) override { s_.config_versions[{v.object_type, v.object_key, v.version}] = v; }
  void DeleteConnectorDefinition(core::Id id) override { s_.definitions.erase(id); }
  void DeleteConnectedSystem(core::Id id) override {
    Touch(id);
    s_.systems.erase(id);
    std::erase_if(s_.partitions, [&](auto& kv) { return kv.second.connected_system_id == id; });
    std::erase_if(s_.profiles, [&](auto& kv) { return kv.second.connected_system_id == id; });
  }
  void DeletePartition(core::Id id) override {
    if (auto old = Find(s_.partitions, id)) Touch(old->connected_system_id);
    s_.partitions.erase(id);
  }
  void DeleteRunProfile(core::Id id) override {
    if (auto old = Find(s_.profiles, id)) Touch(old->connected_system_id);
    s_.profiles.erase(id);
  }
  void DeleteApiKey(std::string_view id) override { s_.keys.erase(std::string(id)); }
  void Record(const core::Activity& a) override { s_.activities.push_back(a); }

 private:
  template <class M, class K>
  static std::optional<typename M::mapped_type> Find(M& m, const K& k) {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }
  void NoteId(core::IdKind kind, core::Id id) {
    core::Id& mark = s_.next_ids[kind];
    mark = std::max(mark, id);
  }
  void Touch(core::Id system) {
    if (touched_) touched_->insert(system);
  }
  MemoryState& s_;
  std::set<core::Id>* touched_;
};

class MemoryCatalog final : public core::Catalog {
 public:
  core::Status Transact(const std::function<core::Status(core::Transaction&)>& body) override {
    std::lock_guard lock(mu_);
    if (fail_writes) return core::MakeError(core::ErrorCode::kUnavailable, "The store cannot write right now.");
    BodyScope scope(body_thread_);
    // Attempts a transient failure threw away (PgCatalog runs a group again after one): the body runs on a
    // scratch copy that is then dropped, and the attempt below must come out as if it were the only one.
    for (int i = 1; i < runs_per_body; ++i) {
      MemoryState scratch = state_;
      MemoryTransaction attempt(scratch);
      (void)body(attempt);
    }
    MemoryState copy = state_;
    std::set<core::Id> touched;
    MemoryTransaction tx(copy, &touched);
    // The same error channel as RocksCatalog: a body that throws fails like one that returns an error.
    core::Status st = core::OkStatus();
    try {
      st = body(tx);
    } catch (const core::StoreUnavailable& e) {
      st = core::MakeError(core::ErrorCode::kUnavailable, "The store cannot write right now.", e.what());
    } catch (const std::exception& e) {
      st = core::MakeError(core::ErrorCode::kInternal, "An unexpected error occurred.", e.what());
    }
    if (st) {
      for (core::Id system : touched) copy.list_versions[system] = ++copy.list_version_clock;
      state_ = std::move(copy);
    } else {
      state_.next_ids = copy.next_ids;  // ids a failed body allocated stay consumed: gaps are fine, reuse is not
    }
    return st;
  }
  core::Result<std::vector<core::ConnectorDefinition>> ListConnectorDefinitions() override { Committed(); return Values(state_.definitions); }
  core::Result<std::optional<core::ConnectorDefinition>> GetConnectorDefinition(core::Id id) override { Committed(); return Tx().FindConnectorDefinition(id); }
  core::Result<bool> IsConnectorInUse(core::Id id) override { Committed(); return Tx().IsConnectorInUse(id); }
  core::Result<std::vector<core::ConnectedSystem>> ListConnectedSystems() override { Committed(); return Values(state_.systems); }
  core::Result<std::optional<core::ConnectedSystem>> GetConnectedSystem(core::Id id) override { Committed(); return Tx().FindConnectedSystem(id); }
  core::Result<int64_t> CountRunProfiles(core::Id cs) override { Committed(); return static_cast<int64_t>(ListRunProfiles(cs)->size()); }
  core::Result<int64_t> CountAllRunProfiles() override { Committed(); return static_cast<int64_t>(state_.profiles.size()); }
  core::Result<std::vector<core::Partition>> ListPartitions(core::Id cs) override { Committed(); return Tx().ListPartitions(cs); }
  core::Result<std::optional<core::Partition>> GetPartition(core::Id id) override { Committed(); return Tx().FindPartition(id); }
  core::Result<std::vector<core::RunProfile>> ListRunProfiles(core::Id cs) override {
    Committed();
    std::vector<core::RunProfile> out;
    for (auto& [id, p] : state_.profiles)
      if (p.connected_system_id == cs) out.push_back(p);
    return out;
  }
  core::Result<std::optional<core::RunProfile>> GetRunProfile(core::Id id) override { Committed(); return Tx().FindRunProfile(id); }
  // Systems not written yet share version 1, as in RocksCatalog.
  uint64_t RunProfileListVersion(core::Id cs) override {
    Committed();
    auto it = state_.list_versions.find(cs);
    return it == state_.list_versions.end() ? 1 : it->second;
  }
  core::Result<std::vector<core::ApiKey>> ListApiKeys() override { Committed(); return Values(state_.keys); }
  core::Result<std::optional<core::ApiKey>> GetApiKey(std::string_view id) override { Committed(); return Tx().FindApiKey(id); }
  core::Result<std::optional<core::ApiKey>> FindApiKeyByDigest(std::string_view d) override { Committed(); return Tx().FindApiKeyByDigest(d); }
  core::Result<core::ActivityPage> ListActivities(const core::ActivityQuery& q) override {
    Committed();
    core::ActivityPage page;
    for (auto it = state_.activities.rbegin(); it != state_.activities.rend(); ++it) {
      if (q.connected_system_id && it->connected_system_id != q.connected_system_id) continue;
      if (q.target_type && it->target_type != *q.target_type) continue;
      if (page.total >= q.offset && page.total < q.offset + q.limit) page.items.push_back(*it);
      ++page.total;
    }
    return page;
  }
  core::Result<std::optional<core::Activity>> GetActivity(std::string_view id) override {
    Committed();
    for (auto& a : state_.activities)
      if (a.id == id) return std::optional<core::Activity>(a);
    return std::optional<core::Activity>();
  }
  core::Result<std::optional<core::IdempotencyRecord>> GetIdempotency(std::string_view key) override {
    Committed();
    return Tx().FindIdempotency(key);
  }
  core::Result<core::ConfigVersionPage> ListConfigVersions(core::ConfigObjectType type, std::string_view key, int64_t offset,
                                             int64_t limit) override {
    Committed();
    core::ConfigVersionPage page;
    page.total = Tx().LatestConfigHead(type, key).version;
    for (int64_t v = page.total - offset; v >= 1 && v > page.total - offset - limit; --v)
      page.items.push_back(state_.config_versions.at({type, std::string(key), v}));
    return page;
  }
  core::Result<std::vector<core::ConfigVersion>> ConfigVersionRange(core::ConfigObjectType type, std::string_view key, int64_t from,
                                                      int64_t to) override {
    Committed();
    std::vector<core::ConfigVersion> out;
    for (auto it = state_.config_versions.lower_bound({type, std::string(key), from});
         it != state_.config_versions.end() && std::get<0>(it->first) == type && std::get<1>(it->first) == key &&
         std::get<2>(it->first) <= to;
         ++it)
      out.push_back(it->second);
    return out;
  }
  void TouchApiKey(std::string_view id, core::Millis when) override {
    // Like RocksCatalog: an older touch (a slow request finishing late) never moves the time back.
    if (auto it = state_.keys.find(std::string(id)); it != state_.keys.end())
      it->second.last_used_at = std::max(it->second.last_used_at.value_or(when), when);
  }
  bool IsWritable(std::string* reason) override {
    if (fail_writes && reason) *reason = "disk_full";
    return !fail_writes;
  }

  const MemoryState& state() const { return state_; }
  bool fail_writes = false;
  int runs_per_body = 1;  // > 1: every body runs that often, only the last attempt counts
  // The service tests turn this on (service_fixture.h); the contract suite reads committed state inside a
  // body on purpose, to prove it does not see the body's writes.
  bool abort_on_committed_read_in_body = false;

 private:
  // A transaction body reads only through its transaction (core/write_use_case.h): a committed read there
  // misses the body's own writes (and on a real store waits for, or races, the group). The unit tier makes
  // such a read impossible to miss.
  struct BodyScope {
    explicit BodyScope(std::atomic<std::thread::id>& t) : t_(t) { t_ = std::this_thread::get_id(); }
    ~BodyScope() { t_ = std::thread::id(); }
    std::atomic<std::thread::id>& t_;
  };
  void Committed() const {
    if (abort_on_committed_read_in_body && body_thread_.load() == std::this_thread::get_id()) {
      std::fprintf(stderr, "MemoryCatalog: a committed read inside a transaction body\n");
      std::abort();
    }
  }
  std::atomic<std::thread::id> body_thread_{};
  MemoryTransaction Tx() { return MemoryTransaction(state_); }
  template <class M>
  static std::vector<typename M::mapped_type> Values(const M& m) {
    std::vector<typename M::mapped_type> out;
    for (auto& [k, v] : m) out.push_back(v);
    return out;
  }
  std::mutex mu_;
  MemoryState state_;
};

// A clock tests can move, and entropy that is deterministic per seed.
class FakeClock final : public core::Clock {
 public:
  core::Millis now = 1'764'000'000'000;  // 2025-11-24
  core::Millis NowMillis() override { return now; }
};

class CountingEntropy final : public core::Entropy {
 public:
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((counter_ * 131 + i * 7 + (counter_ >> 8)) & 0xFF);
    ++counter_;
  }

 private:
  uint64_t counter_ = 1;
};

}  // namespace jim::testing
