// RocksCatalog: core::Catalog on an embedded RocksDB.
//
// Writes: Transact() hands the body to the GroupCommitter (group_committer.h), which takes every pending
// body as one group and calls CommitGroup with the commit token held: each body runs against the shared
// GroupTransaction (group_txn.h; a savepoint per body, rolled back when the body fails), and the group is
// committed with a single db->Write (fsync unless relaxed). Callers are released only after that write,
// so OK means durable, and the fsync cost is shared by the group. docs/store.md tells the whole story.
//
// Reads: the small tables are served from an in-memory cache updated only after a successful group
// write; run profiles, activities and idempotency records are read from RocksDB with bounded scans.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include "core/catalog.h"
#include "store/catalog_cache.h"
#include "store/disk_guard.h"
#include "store/group_committer.h"
#include "store/history_checkpoints.h"
#include "store/list_versions.h"

namespace jim::store {

class GroupTransaction;

// Counters for /metrics and tests; monotonic since open.
struct StoreStats {
  uint64_t groups_written = 0;      // successful group writes
  uint64_t transactions = 0;        // bodies run
  uint64_t write_failures = 0;      // groups refused or failed (disk floor, I/O error)
  uint64_t max_group_size = 0;      // largest number of bodies committed by one write
};

struct StoreOptions {
  std::string data_dir;
  bool sync = true;  // false = --durability relaxed: no fsync per group (benchmarks only)
  uint64_t min_free_bytes = 64ull << 20;  // refuse writes below this much free disk space
  // Test hook: a RocksDB Env (e.g. wrapping a fault-injecting FileSystem). Null = the default Env.
  std::shared_ptr<rocksdb::Env> env;
  // Test hooks into the history checkpoints built after the commit (history_checkpoints.h).
  CheckpointHooks checkpoint_hooks;
};

class RocksCatalog final : public core::Catalog {
 public:
  // Opens (creating if missing) the data dir. Fails with a readable sentence when the dir cannot be
  // created or written, is locked by another process, or holds data of an unknown schema version.
  static core::Result<std::unique_ptr<RocksCatalog>> Open(const StoreOptions& options);
  ~RocksCatalog() override;
  RocksCatalog(const RocksCatalog&) = delete;
  RocksCatalog& operator=(const RocksCatalog&) = delete;

  // Finishes the queued transactions, stops the committer, syncs the WAL and closes the DB.
  // Later Transact calls return kUnavailable. Idempotent.
  void Close();

  // Caution: a body must not call Transact (it runs on the committer thread: that would deadlock).
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
  uint64_t RunProfileListVersion(core::Id connected_system_id) override;
  // How many systems have a list version of their own (the rest share one): bounded by the live systems.
  size_t TrackedListVersions();
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
  void TouchApiKey(std::string_view id, core::Millis when) override;
  bool IsWritable(std::string* reason) override;

  // The free-space floor can be changed at run time (tests; a future config reload).
  void SetMinFreeBytes(uint64_t bytes) { disk_.SetMinFreeBytes(bytes); }
  StoreStats Stats() const;
  // Bodies submitted and waiting for the commit token right now (what the next group will take).
  size_t QueueDepth();
  // The detail of the last failed write or recovery attempt (for logs), empty if none yet.
  std::string LastWriteError();
  const std::string& data_dir() const { return options_.data_dir; }
  // Writes a RocksDB checkpoint of the current state into `dir` (which must not exist).
  core::Status Checkpoint(const std::string& dir);
  // Waits until RocksDB has no flush or compaction pending or running, at most `timeout`; false if it
  // had not settled by then. For bulk loaders (jim_bench_fill): a store they leave behind should look
  // like one that has been serving for a while, not one still digesting the load.
  bool WaitForCompactions(std::chrono::milliseconds timeout);

  // Waits until the history checkpoints asked for so far are built (or dropped): tests, and bulk loaders
  // that leave a store behind.
  void WaitForHistoryCheckpoints() { checkpoints_->Drain(); }
  // History checkpoints rewritten since open.
  uint64_t HistoryCheckpointsBuilt() { return checkpoints_->Built(); }

  // Deletes idempotency records older than their 24 h lifetime at `now` (at most `limit` per call) and
  // returns how many went. The committer runs it every kSweepInterval between groups, so that it never
  // races a transaction re-using a key; call it directly only on a store with no Transact in flight.
  size_t SweepExpiredIdempotency(core::Millis now, size_t limit = 10'000);
  static constexpr std::chrono::minutes kSweepInterval{10};

 private:
  using Pending = GroupCommitter::Pending;

  RocksCatalog(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db);
  using Marks = std::array<int64_t, 5>;  // id high-water marks per GroupTransaction slot
  core::Status InitSchema();
  // Reads the id high-water marks and fills `cache` from `db`.
  core::Status LoadState(rocksdb::DB* db, CatalogCache* cache, Marks* marks);
  // Closes and reopens RocksDB after an error Resume() cannot clear (RocksDB treats a failed WAL write
  // as fatal), then reloads the caches from what is really on disk. Committer thread only.
  bool Reopen();
  void CloseDb();
  // The commit function of the GroupCommitter: runs the bodies on the shared GroupTransaction, writes the
  // batch, then replays it into the cache and the list versions.
  void CommitGroup(std::vector<Pending*>& group, GroupCommitter::Touches& touches);
  void Housekeep(bool idle);
  void FailGroup(std::vector<Pending*>& group, const std::string& detail);
  bool TryResume();
  // Committed reads hold db_mu_ shared; LiveDb throws StoreUnavailable while the DB is closed.
  rocksdb::DB* LiveDb() const;
  std::optional<std::string> Get(rocksdb::DB* db, std::string_view key);
  // Runs `read` over the committed cache under the shared cache lock; what it returns is a copy. Memory
  // only, so it cannot fail: the reads served from it need no CatchStoreUnavailable.
  template <class Read>
  auto ReadCache(Read&& read) const {
    std::shared_lock lock(cache_mu_);
    return read(cache_);
  }

  StoreOptions options_;
  // Guards the db_ handle itself (not its contents): replaced only by Reopen/Close, exclusively.
  mutable std::shared_mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  DiskGuard disk_;

  mutable std::shared_mutex cache_mu_;
  CatalogCache cache_;  // committed state only
  ListVersions list_versions_;  // under cache_mu_, like the cache: advanced with it after each group write
  std::unique_ptr<GroupTransaction> txn_;  // committer thread only

  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<HistoryCheckpoints> checkpoints_;  // stopped before the DB closes
  std::chrono::steady_clock::time_point last_sweep_ = std::chrono::steady_clock::now();  // committer only

  std::atomic<uint64_t> groups_written_{0}, transactions_{0}, write_failures_{0}, max_group_size_{0};
  std::atomic<bool> closed_{false};
  std::atomic<bool> write_failed_{false};  // last group write failed: RocksDB may be in a read-only state
  std::mutex error_mu_;
  std::string write_error_;  // detail of the last failed write
};

}  // namespace jim::store
