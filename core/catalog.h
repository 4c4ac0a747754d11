// The narrow storage interface core's services are written against. A second backend (PostgreSQL, say)
// implements exactly this and nothing in core/ or http/ changes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/entities.h"
#include "core/result.h"

namespace jim::core {

// Thrown by a backend when it cannot read or write at all (I/O error, disk full, closing). Services and
// handlers turn it into an kUnavailable error; the message is internal detail, never shown to clients.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The error of a committed read the store could not serve: the sentence a client may see, the engine's
// words in `detail` (logged, never sent).
inline Error CannotReachStore(std::string detail) {
  return MakeError(ErrorCode::kUnavailable, "The service cannot reach its store right now; retry later.",
                   std::move(detail));
}

// For a backend whose read path throws StoreUnavailable underneath: runs `read` and returns its value, or
// CannotReachStore with what it threw.
template <class Read>
auto CatchStoreUnavailable(Read&& read) -> Result<decltype(read())> {
  try {
    return read();
  } catch (const StoreUnavailable& e) {
    return CannotReachStore(e.what());
  }
}

// One request's claim on freshness, opened by the wire layer when a request arrives and closed when it is
// answered, on the thread that serves it (a store may keep it in a thread-local). A store shared by several
// nodes may serve the request's committed reads from memory only after checking, with a read of the database
// that started after the scope opened, that nothing it keeps has changed since (docs/store.md, "PostgreSQL").
class ReadScope {
 public:
  virtual ~ReadScope() = default;
};

enum class IdKind : uint8_t { kConnectorDefinition = 1, kConnectedSystem = 2, kPartition = 3, kRunProfile = 4 };

// What a connected system's whole snapshot is read from (core/config_history.h, WholeConnectedSystem): a
// transaction, or a store's read-only view of one consistent point in time (its history checkpoints built
// after the commit, docs/store.md).
class SystemReader {
 public:
  virtual ~SystemReader() = default;
  virtual std::optional<ConnectorDefinition> FindConnectorDefinition(Id id) = 0;
  virtual std::optional<ConnectedSystem> FindConnectedSystem(Id id) = 0;
  virtual std::vector<RunProfile> ListRunProfiles(Id connected_system_id) = 0;  // id order
  virtual std::vector<Partition> ListPartitions(Id connected_system_id) = 0;    // id order
};

// A serialised read-modify-write unit. Reads see the committed state plus every earlier write of the
// same transaction (and of transactions committed with it). Writes become durable together, with the
// activity, or not at all.
class Transaction : public SystemReader {
 public:
  virtual std::optional<Id> FindConnectorDefinitionIdByName(std::string_view exact_name) = 0;
  virtual bool IsConnectorInUse(Id connector_id) = 0;
  // `folded_name` is the name after FoldName(): uniqueness is case-insensitive.
  virtual std::optional<Id> FindConnectedSystemIdByName(std::string_view folded_name) = 0;
  virtual std::optional<Partition> FindPartition(Id id) = 0;
  virtual std::optional<Id> FindPartitionIdByName(Id connected_system_id, std::string_view folded_name) = 0;
  virtual std::optional<RunProfile> FindRunProfile(Id id) = 0;
  virtual std::optional<ApiKey> FindApiKey(std::string_view id) = 0;
  virtual std::optional<ApiKey> FindApiKeyByDigest(std::string_view digest_hex) = 0;
  virtual std::optional<IdempotencyRecord> FindIdempotency(std::string_view key) = 0;
  // Scans for the rules a write must keep across rows (the last administrator, capabilities that run
  // profiles use). They see what the point reads see: committed state plus the group's earlier writes, so a
  // rule checked here holds against every concurrent write. Small tables, or one system's profiles (also what a
  // run-profile set is planned against).
  virtual std::vector<ApiKey> ListApiKeys() = 0;
  virtual std::vector<ConnectedSystem> ListConnectedSystems() = 0;  // id order
  // (FindConnectorDefinition, FindConnectedSystem, ListRunProfiles, ListPartitions: SystemReader's.)
  // The newest version of an object's configuration history (version 0 when it has none) with the
  // checkpoint totals the next version is spaced by. One small read: the run-profile write path pays it
  // on every change (core/config_history.h).
  virtual ConfigHead LatestConfigHead(ConfigObjectType type, std::string_view key) = 0;
  // Asked when the version of (type, key) this transaction writes is due a checkpoint (never for an object's
  // first version). True: the store builds that checkpoint itself after the commit, outside its serialised
  // write path, so the version is written as a delta like any other; the store rewrites it (or a later
  // version) as a checkpoint once the whole snapshot is encoded. A request dropped by a crash costs readers
  // longer folds until the next due write asks again. False (the default): the checkpoint is encoded inline.
  virtual bool DeferCheckpoint(ConfigObjectType /*type*/, std::string_view /*key*/) { return false; }

  // Ids are allocated monotonically and never reused, also across restarts and crashes.
  virtual Id AllocateId(IdKind kind) = 0;

  // Put creates or replaces; the backend maintains its own indexes and counters.
  virtual void Put(const ConnectorDefinition& value) = 0;
  virtual void Put(const ConnectedSystem& value) = 0;
  virtual void Put(const Partition& value) = 0;
  virtual void Put(const RunProfile& value) = 0;
  virtual void Put(const ApiKey& value) = 0;
  virtual void Put(const IdempotencyRecord& value) = 0;
  // Versions are only ever added (never replaced or deleted, also when their object goes).
  virtual void Put(const ConfigVersion& value) = 0;
  virtual void DeleteConnectorDefinition(Id id) = 0;
  // Removes the system with every partition and run profile under it.
  virtual void DeleteConnectedSystem(Id id) = 0;
  virtual void DeletePartition(Id id) = 0;
  virtual void DeleteRunProfile(Id id) = 0;
  virtual void DeleteApiKey(std::string_view id) = 0;
  virtual void Record(const Activity& activity) = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Runs `body` serialised against every other transaction and commits what it wrote in one atomic,
  // durable write (unless the store was opened with relaxed durability). If `body` returns an error,
  // nothing it wrote is kept. An I/O failure yields kUnavailable; OK means it is on disk.
  virtual Status Transact(const std::function<Status(Transaction&)>& body) = 0;

  // Committed reads. An I/O error is a kUnavailable error (CannotReachStore): never an exception, so every
  // caller decides what it answers. Transaction bodies may throw StoreUnavailable; these may not.
  virtual Result<std::vector<ConnectorDefinition>> ListConnectorDefinitions() = 0;
  virtual Result<std::optional<ConnectorDefinition>> GetConnectorDefinition(Id id) = 0;
  virtual Result<bool> IsConnectorInUse(Id connector_id) = 0;
  virtual Result<std::vector<ConnectedSystem>> ListConnectedSystems() = 0;  // id order
  virtual Result<std::optional<ConnectedSystem>> GetConnectedSystem(Id id) = 0;
  virtual Result<int64_t> CountRunProfiles(Id connected_system_id) = 0;
  virtual Result<int64_t> CountAllRunProfiles() = 0;
  virtual Result<std::vector<Partition>> ListPartitions(Id connected_system_id) = 0;  // id order
  virtual Result<std::optional<Partition>> GetPartition(Id id) = 0;
  virtual Result<std::vector<RunProfile>> ListRunProfiles(Id connected_system_id) = 0;  // id order
  virtual Result<std::optional<RunProfile>> GetRunProfile(Id id) = 0;
  // The profile `id` only if it belongs to `connected_system_id`. A store that keys profiles by their system
  // overrides this with one point read instead of the owner lookup plus the read of GetRunProfile.
  virtual Result<std::optional<RunProfile>> GetRunProfileOf(Id connected_system_id, Id id) {
    auto profile = GetRunProfile(id);
    if (profile.ok() && *profile && (*profile)->connected_system_id != connected_system_id)
      return std::optional<RunProfile>();
    return profile;
  }
  // A number that changes whenever something a rendered list of the system's run profiles shows may have
  // changed (its profiles, its partitions, the system itself), and changes before the write is acknowledged.
  // Lets a caller keep a rendered list until it changes. 0: this store offers no such number, or cannot say
  // right now. Never fails: a store that must ask its engine (one shared version read per request, PostgreSQL)
  // answers 0 when it cannot, and the committed read the caller makes next reports the failure.
  virtual uint64_t RunProfileListVersion(Id /*connected_system_id*/) { return 0; }
  virtual Result<std::vector<ApiKey>> ListApiKeys() = 0;
  virtual Result<std::optional<ApiKey>> GetApiKey(std::string_view id) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKeyByDigest(std::string_view digest_hex) = 0;
  virtual Result<ActivityPage> ListActivities(const ActivityQuery& query) = 0;  // newest first
  virtual Result<std::optional<Activity>> GetActivity(std::string_view id) = 0;
  virtual Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view key) = 0;
  // An object's configuration history, newest first; `total` is the number of versions (they are 1..total).
  virtual Result<ConfigVersionPage> ListConfigVersions(ConfigObjectType type, std::string_view key, int64_t offset,
                                                       int64_t limit) = 0;
  // Versions from..to (inclusive) that exist, oldest first.
  virtual Result<std::vector<ConfigVersion>> ConfigVersionRange(ConfigObjectType type, std::string_view key,
                                                                int64_t from, int64_t to) = 0;

  // Best-effort bookkeeping outside the audit trail (last-used time of a key); may be dropped on error.
  virtual void TouchApiKey(std::string_view id, Millis when) = 0;

  // Whether writes can currently succeed; `reason` says why not (for health/ready).
  virtual bool IsWritable(std::string* reason) = 0;

  // Opens the calling thread's freshness scope for one request (see ReadScope); destroy it on the same thread
  // when the request is answered. Null: this store needs none (its memory is the truth, or it keeps nothing).
  virtual std::unique_ptr<ReadScope> BeginRequest() { return nullptr; }
};

}  // namespace jim::core
