// PgCatalog: core::Catalog on PostgreSQL, for several jim-edge nodes on one database.
//
// Writes: the bodies of concurrent Transact calls of one node are grouped (pg_write_groups.h); each group is
// one PostgreSQL transaction that first takes a transaction-level advisory lock, so writes are serialised
// across every node exactly as the embedded store's group commit serialises them in one process, and each
// body runs under a SAVEPOINT that a failed body rolls back to. READ COMMITTED then lets each statement of a
// body see the committed state plus the group's earlier writes, which is the contract of core::Transaction.
// A 2xx means the group's COMMIT returned.
// Transient failures before COMMIT was sent (connection lost, 40001, 40P01, server restarting) are retried
// here, bounded; a COMMIT whose outcome is unknown (connection lost during it) is kUnavailable: the client
// retries with its Idempotency-Key. Reads: one pooled connection per call, except what authentication, gets
// and lists read: kept in memory and served only after a version read that started after the request arrived
// (pg_read_cache.h), so what one node acknowledged is what every node reads next (docs/store.md, "PostgreSQL").
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/catalog.h"
#include "store/pg_conn.h"
#include "store/pg_read_cache.h"
#include "store/pg_write_groups.h"

namespace jim::store {

struct PgOptions {
  std::string url;    // libpq URI or key=value string
  int pool_size = 8;  // connections per node (one of them writes; the others serve committed reads)
  // Test hook: the schema every connection uses (search_path); empty = the server's default.
  std::string schema;
  // Test hook: the application_name of the pool's sessions; empty = "jim-edge" (or what the URL says). Tests
  // that end sessions on a shared cluster pick theirs by it, not everyone's.
  std::string application_name;
  std::chrono::milliseconds acquire_timeout{5000};  // waiting for a free pooled connection
  // A stuck lock holder cannot hold this node's writers forever: a write waits at most this long for the
  // write lock (this node's queue, then the database's advisory lock: PostgreSQL's lock_timeout) and then
  // answers 503. Set above the longest write (a 10,000-profile set apply: ~3 s here).
  std::chrono::milliseconds lock_timeout{10'000};
  // PostgreSQL ends a session of this node that sits idle inside a transaction this long
  // (idle_in_transaction_session_timeout): a node frozen mid-transaction (SIGSTOP, a paused VM, a network
  // partition the server's TCP keepalives would need hours to notice) releases the write lock for the others.
  // A body sends its statements back to back, so any gap this long means the node is stuck.
  std::chrono::milliseconds idle_in_transaction_timeout{10'000};
};

class PgCatalog final : public core::Catalog {
 public:
  // Connects, applies the missing migrations (pg_migrations.h) and checks the schema version. Fails with
  // one sentence (the URL shown with its password masked) when the database cannot be reached or is newer.
  static core::Result<std::unique_ptr<PgCatalog>> Open(const PgOptions& options);
  ~PgCatalog() override;

  core::Status Transact(const std::function<core::Status(core::Transaction&)>& body) override;

  core::Result<std::vector<core::ConnectorDefinition>> ListConnectorDefinitions() override;
  core::Result<std::optional<core::ConnectorDefinition>> GetConnectorDefinition(core::Id id) override;
  core::Result<bool> IsConnectorInUse(core::Id connector_id) override;
  core::Result<std::vector<core::ConnectedSystem>> ListConnectedSystems() override;
  core::Result<std::optional<core::ConnectedSystem>> GetConnectedSystem(core::Id id) override;
  core::Result<int64_t> CountRunProfiles(core::Id connected_system_id) override;
  core::Result<int64_t> CountAllRunProfiles() override;
  core::Result<std::vector<core::Partition>> ListPartitions(core::Id connected_system_id) override;
  core::Result<std::optional<core::Partition>> GetPartition(core::Id id) override;
  core::Result<std::vector<core::RunProfile>> ListRunProfiles(core::Id connected_system_id) override;
  core::Result<std::optional<core::RunProfile>> GetRunProfile(core::Id id) override;
  core::Result<std::optional<core::RunProfile>> GetRunProfileOf(core::Id connected_system_id, core::Id id) override;
  // The catalog version the request validated (pg_read_cache.h): it moves with every write group of every
  // node, so a rendered list kept under it is never served after any change (coarser than per system: a write
  // anywhere drops every rendering, which is what lets one row serve as the version). 0 when the version read
  // failed: nothing rendered is served, and the read that follows answers kUnavailable.
  uint64_t RunProfileListVersion(core::Id) override;
  core::Result<std::vector<core::ApiKey>> ListApiKeys() override;
  core::Result<std::optional<core::ApiKey>> GetApiKey(std::string_view id) override;
  core::Result<std::optional<core::ApiKey>> FindApiKeyByDigest(std::string_view digest_hex) override;
  core::Result<core::ActivityPage> ListActivities(const core::ActivityQuery& query) override;
  core::Result<std::optional<core::Activity>> GetActivity(std::string_view id) override;
  core::Result<std::optional<core::IdempotencyRecord>> GetIdempotency(std::string_view key) override;
  core::Result<core::ConfigVersionPage> ListConfigVersions(core::ConfigObjectType type, std::string_view key, int64_t offset,
                                             int64_t limit) override;
  core::Result<std::vector<core::ConfigVersion>> ConfigVersionRange(core::ConfigObjectType type, std::string_view key,
                                                      int64_t from, int64_t to) override;
  // Queued in memory and written soon by a background flusher, or by this node's next transaction, whichever
  // comes first (best effort, like the embedded store; a touch queued before a write is in when it returns).
  void TouchApiKey(std::string_view id, core::Millis when) override;
  // False while the database cannot be reached (reason database_unreachable) or is a read-only standby
  // (database_read_only).
  bool IsWritable(std::string* reason) override;
  std::unique_ptr<core::ReadScope> BeginRequest() override { return cached_.gate.BeginRequest(); }

  // Version reads and answers from memory so far (tests).
  uint64_t VersionReads() const { return cached_.gate.VersionReads(); }
  uint64_t CacheHits() const { return cached_.gate.Hits(); }
  // Reads of an api key by digest that went to the database (authentication's misses; tests).
  uint64_t KeyLoads() const { return key_loads_.load(); }

  // Writers of this node queued for the next group, and the largest group so far (tests, metrics).
  size_t QueueDepth() { return groups_.QueueDepth(); }
  size_t MaxGroupSize() { return groups_.MaxGroupSize(); }

  // The URL as logs may show it (password masked).
  const std::string& display_url() const { return display_url_; }

  static constexpr int kMaxAttempts = 4;  // a transaction is tried at most this often on transient failures
  // Bodies per group transaction. Each body runs under a SAVEPOINT, a subtransaction: PostgreSQL keeps up to 64
  // of a transaction's subtransaction ids in shared memory and makes every other session's visibility checks
  // slower beyond that (subxid overflow), so a group stays well under it.
  static constexpr size_t kMaxGroup = 32;

 private:
  PgCatalog(const PgOptions& options, std::string begin_script);
  // Runs one group of queued bodies as one transaction and sets each member's result (pg_write_groups.h).
  void RunGroup(std::vector<pg::WriteGroups::Member*>& group);
  // Runs `read` on a pooled connection; a stale connection (the server restarted since it was opened) is
  // replaced and the read tried once more. Throws StoreUnavailable when the database cannot be reached.
  template <class Read>
  auto WithConn(Read&& read);
  // WithConn for the committed reads: what it throws becomes their kUnavailable result.
  template <class Read>
  auto CommittedRead(Read&& read);
  template <class Table, class Key, class Read>
  auto Cached(Table& table, const Key& key, Read&& read);
  // Both versions in one statement on a pooled connection (pg_read_cache.h calls it).
  core::Result<pg::Versions> ReadVersions();
  // Writes the queued touches on `conn` (inside a transaction or on its own). Holds flush_mu_ throughout,
  // so that a transaction's flush waits for a background flush in flight: then both are in.
  void FlushTouches(pg::Conn& conn);
  void RunFlusher();
  void MaybeSweep(pg::Conn& conn);

  PgOptions options_;
  std::string display_url_;
  std::string begin_script_;  // BEGIN, the advisory lock of this schema and the catalog version's raise
  std::unique_ptr<pg::Pool> pool_;
  pg::CachedReads cached_;
  std::atomic<uint64_t> key_loads_{0};
  // One group transaction per node waits for the advisory lock at a time; the rest of the pool stays free
  // for reads (and a node's writers queue here instead of holding connections, at most lock_timeout).
  pg::WriteGroups groups_{kMaxGroup};
  std::mutex flush_mu_;  // taken before touch_mu_
  std::mutex touch_mu_;
  std::condition_variable touched_;
  bool stopping_ = false;  // under touch_mu_
  std::unordered_map<std::string, core::Millis> touches_;
  std::thread flusher_;
  // Like the embedded store: the first sweep runs one interval after open, not at once.
  std::chrono::steady_clock::time_point last_sweep_ = std::chrono::steady_clock::now();
};

// The pg::Pool extras that put every connection of a catalog into `schema` (empty: none) and apply the
// server settings `settings` ("-c name=value ...", empty: none): one libpq "options" value.
void SchemaConnectionOptions(const std::string& schema, std::vector<std::string>* keywords,
                             std::vector<std::string>* values, const std::string& settings = "");

}  // namespace jim::store
