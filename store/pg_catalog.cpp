#include "store/pg_catalog.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "store/pg_migrations.h"
#include "store/pg_rows.h"

namespace jim::store {

namespace {

using core::ErrorCode;
using core::MakeError;

constexpr const char* kCannotWrite = "The store cannot write right now.";
constexpr const char* kUnexpected = "An unexpected error occurred.";
// The advisory-lock class of write transactions (the second key is the schema, see pg_migrations.cpp).
constexpr int kWriteLockClass = 0x4a494d02;  // "JIM" 2
constexpr std::chrono::minutes kSweepInterval{10};
constexpr size_t kMaxQueuedTouches = 10'000;

// What the bodies of one group read of a system and keep for the bodies after them: the system, its connector
// definition and the head of its configuration history, all read by one statement (a create, an update, a
// delete of an item: system first, then its connector, then the version the change appends; and the next body
// of a group of creates nearly always names the same system). What is kept stays true while the group runs:
// every other writer waits for the write lock, and each write of a body that changes one of them updates or
// drops it. A body that fails is rolled back to its savepoint, so what it kept is dropped with it (Clear).
struct KeptReads {
  std::optional<core::ConnectedSystem> system;
  // The connector of the system read last: (its id, its definition or nullopt when none exists).
  std::optional<std::pair<core::Id, std::optional<core::ConnectorDefinition>>> connector;
  // The history head of the system read last: (its object key, the head).
  std::optional<std::pair<std::string, core::ConfigHead>> head;
  void Clear() {
    system.reset();
    connector.reset();
    head.reset();
  }
};

// One body's view: every call is one statement on the transaction's connection, except what KeptReads holds.
class PgTransaction final : public core::Transaction {
 public:
  PgTransaction(pg::Conn& c, KeptReads& kept) : c_(c), kept_(kept) {}
  std::optional<core::ConnectorDefinition> FindConnectorDefinition(core::Id id) override {
    if (kept_.connector && kept_.connector->first == id) return kept_.connector->second;
    return pg::rows::GetConnectorDefinition(c_, id);
  }
  std::optional<core::Id> FindConnectorDefinitionIdByName(std::string_view name) override {
    return pg::rows::ConnectorDefinitionIdByName(c_, name);
  }
  bool IsConnectorInUse(core::Id id) override { return pg::rows::ConnectorInUse(c_, id); }
  std::optional<core::ConnectedSystem> FindConnectedSystem(core::Id id) override {
    // Served from what is kept only when all three are there for this system: they were read together.
    if (kept_.system && kept_.system->id == id && kept_.connector &&
        kept_.connector->first == kept_.system->connector_id && kept_.head && kept_.head->first == std::to_string(id))
      return kept_.system;
    kept_.Clear();
    auto found = pg::rows::GetConnectedSystemWithConnector(c_, id);
    if (!found) return std::nullopt;
    kept_.connector.emplace(found->system.connector_id, std::move(found->connector));
    kept_.head.emplace(std::to_string(id), found->history_head);
    kept_.system = std::move(found->system);
    return kept_.system;
  }
  std::optional<core::Id> FindConnectedSystemIdByName(std::string_view folded) override {
    return pg::rows::ConnectedSystemIdByName(c_, folded);
  }
  std::optional<core::Partition> FindPartition(core::Id id) override { return pg::rows::GetPartition(c_, id); }
  std::optional<core::Id> FindPartitionIdByName(core::Id cs, std::string_view folded) override {
    return pg::rows::PartitionIdByName(c_, cs, folded);
  }
  std::optional<core::RunProfile> FindRunProfile(core::Id id) override { return pg::rows::GetRunProfile(c_, id); }
  std::optional<core::ApiKey> FindApiKey(std::string_view id) override { return pg::rows::GetApiKey(c_, id); }
  std::optional<core::ApiKey> FindApiKeyByDigest(std::string_view digest) override {
    return pg::rows::ApiKeyByDigest(c_, digest);
  }
  std::optional<core::IdempotencyRecord> FindIdempotency(std::string_view key) override {
    return pg::rows::GetIdempotency(c_, key);
  }
  std::vector<core::ApiKey> ListApiKeys() override { return pg::rows::ListApiKeys(c_); }
  std::vector<core::ConnectedSystem> ListConnectedSystems() override { return pg::rows::ListConnectedSystems(c_); }
  std::vector<core::RunProfile> ListRunProfiles(core::Id cs) override { return pg::rows::ListRunProfiles(c_, cs); }
  std::vector<core::Partition> ListPartitions(core::Id cs) override { return pg::rows::ListPartitions(c_, cs); }
  core::ConfigHead LatestConfigHead(core::ConfigObjectType type, std::string_view key) override {
    if (kept_.head && type == core::ConfigObjectType::kConnectedSystem && key == kept_.head->first)
      return kept_.head->second;
    return pg::rows::LatestConfigHead(c_, type, key);
  }
  core::Id AllocateId(core::IdKind kind) override { return pg::rows::AllocateId(c_, kind); }
  void Put(const core::ConnectorDefinition& v) override {
    kept_.connector.reset();
    pg::rows::Put(c_, v);
  }
  void Put(const core::ConnectedSystem& v) override {
    kept_.system.reset();  // read again (with its writes, which go out first) rather than trust the copy
    pg::rows::Put(c_, v);
  }
  void Put(const core::Partition& v) override { pg::rows::Put(c_, v); }
  void Put(const core::RunProfile& v) override { pg::rows::Put(c_, v); }
  void Put(const core::ApiKey& v) override { pg::rows::Put(c_, v); }
  void Put(const core::IdempotencyRecord& v) override { pg::rows::Put(c_, v); }
  void Put(const core::ConfigVersion& v) override {
    // The new newest version: what LatestConfigHead would read once the insert is sent.
    if (kept_.head && v.object_type == core::ConfigObjectType::kConnectedSystem && v.object_key == kept_.head->first)
      kept_.head->second = core::HeadOf(v);
    pg::rows::Put(c_, v);
  }
  void DeleteConnectorDefinition(core::Id id) override {
    kept_.connector.reset();
    pg::rows::DeleteConnectorDefinition(c_, id);
  }
  void DeleteConnectedSystem(core::Id id) override {
    kept_.Clear();
    pg::rows::DeleteConnectedSystem(c_, id);
  }
  void DeletePartition(core::Id id) override { pg::rows::DeletePartition(c_, id); }
  void DeleteRunProfile(core::Id id) override { pg::rows::DeleteRunProfile(c_, id); }
  void DeleteApiKey(std::string_view id) override { pg::rows::DeleteApiKey(c_, id); }
  void Record(const core::Activity& a) override { pg::rows::Record(c_, a); }

 private:
  pg::Conn& c_;
  KeptReads& kept_;
};

// Ends a failed transaction; a connection that cannot even do that is dropped from the pool.
void RollBack(pg::Pool::Lease& lease) {
  lease->DropDeferred();  // unsent writes of the transaction being undone
  try {
    if (!lease->Broken()) {
      lease->ExecScript("ROLLBACK");
      return;
    }
  } catch (...) {
  }
  lease.Discard();
}

core::Millis NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SchemaConnectionOptions(const std::string& schema, std::vector<std::string>* keywords,
                             std::vector<std::string>* values, const std::string& settings) {
  std::string options = settings;
  if (!schema.empty()) options += (options.empty() ? "" : " ") + std::string("-csearch_path=") + schema;
  if (options.empty()) return;
  keywords->push_back("options");
  values->push_back(options);
}

PgCatalog::PgCatalog(const PgOptions& options, std::string begin_script)
    : options_(options),
      display_url_(pg::MaskPassword(options.url)),
      begin_script_(std::move(begin_script)),
      cached_([this] { return ReadVersions(); }) {
  // Only the pool's sessions get the timeouts: the migration lock of Open may rightly wait longer.
  std::vector<std::string> keywords, values;
  SchemaConnectionOptions(
      options.schema, &keywords, &values,
      "-c lock_timeout=" + std::to_string(options.lock_timeout.count()) +
          " -c idle_in_transaction_session_timeout=" + std::to_string(options.idle_in_transaction_timeout.count()));
  if (!options.application_name.empty()) {
    keywords.push_back("application_name");
    values.push_back(options.application_name);
  }
  pool_ = std::make_unique<pg::Pool>(options.url, keywords, values, std::max(2, options.pool_size),
                                     options.acquire_timeout);
  flusher_ = std::thread([this] { RunFlusher(); });
}

PgCatalog::~PgCatalog() {
  {
    std::lock_guard lock(touch_mu_);
    stopping_ = true;
  }
  touched_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

core::Result<std::unique_ptr<PgCatalog>> PgCatalog::Open(const PgOptions& options) {
  const std::string where = pg::MaskPassword(options.url);
  std::vector<std::string> keywords, values;
  SchemaConnectionOptions(options.schema, &keywords, &values);
  pg::Pool setup(options.url, keywords, values, 1, options.acquire_timeout);
  int64_t schema_key = 0;
  try {
    auto conn = setup.Connect();
    if (auto st = pg::Migrate(*conn, where); !st) return st.error();
    schema_key = conn->Exec("SELECT hashtext(current_schema())::bigint").Int(0, 0);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kUnavailable, "Cannot open the PostgreSQL database " + where + ": " + e.what(),
                     e.what());
  }
  // The catalog version is raised in the same round trip, under the lock: one statement per group, and a
  // group that rolls back leaves it where it was (pg_read_cache.h).
  std::string begin = "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLockClass) + ", " +
                      std::to_string(schema_key) + "); " + pg::rows::kRaiseCatalogVersion;
  return std::unique_ptr<PgCatalog>(new PgCatalog(options, std::move(begin)));
}

template <class Read>
auto PgCatalog::WithConn(Read&& read) {
  for (int attempt = 1;; ++attempt) {
    auto lease = pool_->Acquire();  // cannot connect: StoreUnavailable at once
    try {
      return read(*lease);
    } catch (const pg::Transient&) {
      // A pooled connection the server has ended since (a restart): one more try on a new one.
      if (!lease->Broken() || attempt >= 2) throw;
      lease.Discard();
    }
  }
}

// A committed read: its StoreUnavailable (the database cannot be reached) becomes a kUnavailable result.
template <class Read>
auto PgCatalog::CommittedRead(Read&& read) {
  return core::CatchStoreUnavailable([&] { return WithConn(read); });
}

// ---- writes -----------------------------------------------------------------------------------------------

core::Status PgCatalog::Transact(const std::function<core::Status(core::Transaction&)>& body) {
  auto result = groups_.Submit(body, options_.lock_timeout, [this](auto& group) { RunGroup(group); });
  cached_.gate.AfterWrite();  // the rest of the request reads what it wrote
  if (result) return *std::move(result);
  return MakeError(ErrorCode::kUnavailable, kCannotWrite,
                   "waited " + std::to_string(options_.lock_timeout.count()) + " ms for this node's write queue");
}

namespace {

// One body's own failure as its status; pg::Transient (the connection, a serialization failure, a lock
// timeout) goes up: it ends the whole group's attempt. The body's writes are deferred (pg::Conn::Defer, one
// round trip with the next statement that needs an answer); with `savepoints` they are sent before the body
// counts as done, so that one failing is this body's failure, rolled back to its savepoint, not the next one's.
// The next body's savepoint (when one follows) goes in that same round trip, after them: a failed write skips
// it, and the rollback to the savepoint this body started from leaves that one in place for the next body.
core::Status RunBody(const std::function<core::Status(core::Transaction&)>& body, core::Transaction& tx,
                     pg::Conn& conn, bool savepoints, bool another_follows) {
  try {
    core::Status st = body(tx);
    if (st.ok() && savepoints) another_follows ? conn.ExecScript("SAVEPOINT body") : conn.Flush();
    return st;
  } catch (const pg::Transient&) {
    throw;
  } catch (const core::StoreUnavailable& e) {
    return MakeError(ErrorCode::kUnavailable, kCannotWrite, e.what());
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, kUnexpected, e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternal, kUnexpected, "non-standard exception");
  }
}

}  // namespace

// The group is one transaction: BEGIN and the write lock, then each body under a SAVEPOINT that a failed body
// rolls back to (so it leaves nothing, and the bodies after it see what the ones before it wrote, as if each
// had committed alone), then one COMMIT. A lone body needs no savepoint: its failure rolls the transaction back.
void PgCatalog::RunGroup(std::vector<pg::WriteGroups::Member*>& group) {
  auto answer_rest = [&](const core::Status& st) {
    for (auto* m : group)
      if (!m->result) m->result = st;
  };
  const bool savepoints = group.size() > 1;
  std::string last_failure;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(25 << (attempt - 2)));  // 25, 50, 100 ms
    for (auto* m : group) m->result.reset();  // an attempt runs every body again
    std::optional<pg::Pool::Lease> lease;
    try {
      lease.emplace(pool_->Acquire());
    } catch (const pg::Transient& e) {
      // No connection: the database is down or unreachable. Answer 503 now rather than hold every writer
      // of this node behind more connect timeouts.
      return answer_rest(MakeError(ErrorCode::kUnavailable, kCannotWrite, e.what()));
    }
    bool commit_sent = false;
    try {
      (*lease)->ExecScript(begin_script_);
      MaybeSweep(**lease);
      FlushTouches(**lease);
      bool any_ok = false;
      KeptReads kept;  // this attempt's: a new attempt reads everything again
      if (savepoints) (*lease)->ExecScript("SAVEPOINT body");  // the first body's; each later one's comes with
                                                                // the writes of the body before it (RunBody)
      for (auto* m : group) {
        PgTransaction tx(**lease, kept);
        // A lone body's writes go out with COMMIT: its failure fails the transaction, which is only its own.
        core::Status st = RunBody(*m->body, tx, **lease, savepoints, m != group.back());
        if (st.ok()) {
          any_ok = true;
          continue;
        }
        kept.Clear();  // it may hold what the rollback undoes
        if (savepoints) {
          (*lease)->DropDeferred();  // written after the savepoint: undone by the rollback to it
          (*lease)->ExecScript("ROLLBACK TO SAVEPOINT body");
        }
        m->result = std::move(st);
      }
      if (!any_ok) {
        RollBack(*lease);
        return;
      }
      commit_sent = true;
      (*lease)->ExecScript("COMMIT");
      return answer_rest(core::OkStatus());
    } catch (const pg::LockTimeout& e) {
      // Another session holds the write lock and does not let go (a stuck node, a manual session): 503 now;
      // its idle-in-transaction timeout or its end frees the lock for the client's retry.
      RollBack(*lease);
      return answer_rest(MakeError(ErrorCode::kUnavailable, kCannotWrite, e.what()));
    } catch (const pg::Transient& e) {
      last_failure = e.what();
      // A COMMIT behind a deferred write that failed was never run: nothing committed, try again.
      if (commit_sent && (*lease)->Broken() && (*lease)->MayHaveRunLast()) {
        lease->Discard();
        // The server may or may not have committed: only a retry with the same Idempotency-Key is safe.
        return answer_rest(MakeError(ErrorCode::kUnavailable, kCannotWrite, "commit outcome unknown: " + last_failure));
      }
      RollBack(*lease);  // nothing was committed: try the whole group again
    } catch (const std::exception& e) {
      // BEGIN, a savepoint or COMMIT failed for a reason a retry does not clear: nothing of the group is kept.
      RollBack(*lease);
      for (auto* m : group) m->result = MakeError(ErrorCode::kInternal, kUnexpected, e.what());
      return;
    }
  }
  answer_rest(MakeError(ErrorCode::kUnavailable, kCannotWrite, last_failure));
}

void PgCatalog::TouchApiKey(std::string_view id, core::Millis when) {
  {
    std::lock_guard lock(touch_mu_);
    auto it = touches_.find(std::string(id));
    if (it != touches_.end())
      it->second = std::max(it->second, when);
    else if (touches_.size() < kMaxQueuedTouches)
      touches_.emplace(id, when);
  }
  touched_.notify_one();
}

void PgCatalog::FlushTouches(pg::Conn& conn) {
  std::lock_guard flushing(flush_mu_);
  std::unordered_map<std::string, core::Millis> touches;
  {
    std::lock_guard lock(touch_mu_);
    touches.swap(touches_);
  }
  for (const auto& [id, when] : touches) pg::rows::Touch(conn, id, when);
}

// A node that only reads still records when its keys were used: touches go out in small autocommit updates,
// at most every 200 ms (the authenticator already keeps them to one per key per 30 s). Raising last_used_at
// commutes with everything else, so it needs neither the write lock nor a transaction.
void PgCatalog::RunFlusher() {
  for (;;) {
    {
      std::unique_lock lock(touch_mu_);
      touched_.wait(lock, [&] { return stopping_ || !touches_.empty(); });
      if (stopping_) return;
    }
    try {
      WithConn([&](pg::Conn& c) {
        FlushTouches(c);
        return 0;
      });
    } catch (const std::exception&) {
      // Best effort: dropped, as the embedded store drops them with a failed write.
    }
    std::unique_lock lock(touch_mu_);
    touched_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
    if (stopping_) return;
  }
}

void PgCatalog::MaybeSweep(pg::Conn& conn) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ < kSweepInterval) return;
  last_sweep_ = now;
  pg::rows::SweepExpiredIdempotency(conn, NowMillis());
}

// ---- committed reads --------------------------------------------------------------------------------------

// A committed read that may be answered from memory (pg_read_cache.h): `read` runs on a pooled connection on
// a miss. The table keeps only what read returned: a kUnavailable result is answered and never kept.
template <class Table, class Key, class Read>
auto PgCatalog::Cached(Table& table, const Key& key, Read&& read) {
  return table.Get(key, [&] { return CommittedRead(read); });
}

core::Result<pg::Versions> PgCatalog::ReadVersions() {
  return CommittedRead([](pg::Conn& c) {
    const pg::rows::StoredVersions stored = pg::rows::CatalogVersions(c);
    return pg::Versions{stored.catalog, stored.keys};
  });
}

// A failed version read gives 0 (the http layer then renders nothing from memory) rather than a stale number;
// the read the handler makes next meets the same failure and answers kUnavailable (503).
uint64_t PgCatalog::RunProfileListVersion(core::Id) {
  auto version = cached_.gate.Validate();
  return version.ok() ? static_cast<uint64_t>(version->catalog) : 0;  // >= 1 when read: migration 3 starts it there
}

core::Result<std::vector<core::ConnectorDefinition>> PgCatalog::ListConnectorDefinitions() {
  return Cached(cached_.connectors, 0, [&](pg::Conn& c) { return pg::rows::ListConnectorDefinitions(c); });
}
core::Result<std::optional<core::ConnectorDefinition>> PgCatalog::GetConnectorDefinition(core::Id id) {
  return Cached(cached_.connector, id, [&](pg::Conn& c) { return pg::rows::GetConnectorDefinition(c, id); });
}
core::Result<bool> PgCatalog::IsConnectorInUse(core::Id id) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::ConnectorInUse(c, id); });
}
core::Result<std::vector<core::ConnectedSystem>> PgCatalog::ListConnectedSystems() {
  return Cached(cached_.systems, 0, [&](pg::Conn& c) { return pg::rows::ListConnectedSystems(c); });
}
core::Result<std::optional<core::ConnectedSystem>> PgCatalog::GetConnectedSystem(core::Id id) {
  return Cached(cached_.system, id, [&](pg::Conn& c) { return pg::rows::GetConnectedSystem(c, id); });
}
core::Result<int64_t> PgCatalog::CountRunProfiles(core::Id cs) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::CountRunProfiles(c, cs); });
}
core::Result<int64_t> PgCatalog::CountAllRunProfiles() {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::CountAllRunProfiles(c); });
}
core::Result<std::vector<core::Partition>> PgCatalog::ListPartitions(core::Id cs) {
  return Cached(cached_.partitions, cs, [&](pg::Conn& c) { return pg::rows::ListPartitions(c, cs); });
}
core::Result<std::optional<core::Partition>> PgCatalog::GetPartition(core::Id id) {
  return Cached(cached_.partition, id, [&](pg::Conn& c) { return pg::rows::GetPartition(c, id); });
}
core::Result<std::vector<core::RunProfile>> PgCatalog::ListRunProfiles(core::Id cs) {
  return Cached(cached_.profiles, cs, [&](pg::Conn& c) { return pg::rows::ListRunProfiles(c, cs); });
}
core::Result<std::optional<core::RunProfile>> PgCatalog::GetRunProfile(core::Id id) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::GetRunProfile(c, id); });
}
core::Result<std::optional<core::RunProfile>> PgCatalog::GetRunProfileOf(core::Id cs, core::Id id) {
  return Cached(cached_.profile_of, core::SystemItemKey{cs, id},
                [&](pg::Conn& c) { return pg::rows::GetRunProfileOf(c, cs, id); });
}
core::Result<std::vector<core::ApiKey>> PgCatalog::ListApiKeys() {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::ListApiKeys(c); });
}
core::Result<std::optional<core::ApiKey>> PgCatalog::GetApiKey(std::string_view id) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::GetApiKey(c, id); });
}
core::Result<std::optional<core::ApiKey>> PgCatalog::FindApiKeyByDigest(std::string_view digest) {
  return Cached(cached_.key_by_digest, std::string(digest), [&](pg::Conn& c) {
    key_loads_.fetch_add(1, std::memory_order_relaxed);
    return pg::rows::ApiKeyByDigest(c, digest);
  });
}
core::Result<core::ActivityPage> PgCatalog::ListActivities(const core::ActivityQuery& q) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::ListActivities(c, q); });
}
core::Result<std::optional<core::Activity>> PgCatalog::GetActivity(std::string_view id) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::GetActivity(c, id); });
}
core::Result<std::optional<core::IdempotencyRecord>> PgCatalog::GetIdempotency(std::string_view key) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::GetIdempotency(c, key); });
}
core::Result<core::ConfigVersionPage> PgCatalog::ListConfigVersions(core::ConfigObjectType type, std::string_view key,
                                                      int64_t offset, int64_t limit) {
  return CommittedRead([&](pg::Conn& c) {
    // Versions are 1..latest without gaps (written under the write lock), so a page is a range.
    core::ConfigVersionPage page;
    page.total = pg::rows::LatestConfigHead(c, type, key).version;
    const int64_t newest = page.total - offset;
    if (limit <= 0 || offset < 0 || newest < 1) return page;
    page.items = pg::rows::ConfigVersionRange(c, type, key, std::max<int64_t>(1, newest - limit + 1), newest);
    std::reverse(page.items.begin(), page.items.end());
    return page;
  });
}
core::Result<std::vector<core::ConfigVersion>> PgCatalog::ConfigVersionRange(core::ConfigObjectType type, std::string_view key,
                                                               int64_t from, int64_t to) {
  return CommittedRead([&](pg::Conn& c) { return pg::rows::ConfigVersionRange(c, type, key, from, to); });
}

bool PgCatalog::IsWritable(std::string* reason) {
  try {
    if (!WithConn([](pg::Conn& c) { return c.Exec("SELECT pg_is_in_recovery()").Int(0, 0) != 0; })) return true;
    if (reason) *reason = "database_read_only";  // a standby: point --database-url at the primary
  } catch (const std::exception&) {
    if (reason) *reason = "database_unreachable";
  }
  return false;
}

}  // namespace jim::store
