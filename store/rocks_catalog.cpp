#include "store/rocks_catalog.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <rocksdb/utilities/checkpoint.h>

#include "store/codec.h"
#include "store/group_committer.h"
#include "store/group_txn.h"
#include "store/key_schema.h"
#include "store/list_versions.h"
#include "store/prefix_scan.h"
#include "store/rocks_tuning.h"

namespace jim::store {
namespace {

using core::ErrorCode;
using core::MakeError;
using keys::CounterKey;
using keys::CounterKind;

constexpr const char* kCannotWrite = "The store cannot write right now.";
constexpr const char* kUnexpected = "An unexpected error occurred.";

rocksdb::Slice S(std::string_view s) { return {s.data(), s.size()}; }

// The prefixes mirrored by CatalogCache, replayed from a committed batch.
constexpr std::string_view kCachedPrefixes[] = {keys::kApiKey,     keys::kApiKeyDigest,   keys::kConnectorDef,
                                                keys::kConnectorName, keys::kCounter,     keys::kSystem,
                                                keys::kSystemName, keys::kPartition,      keys::kPartitionName};

bool IsLockError(const rocksdb::Status& s) {
  const std::string msg = s.ToString();
  return s.IsIOError() && (msg.find("While lock file") != std::string::npos ||
                           msg.find("lock hold by current process") != std::string::npos);
}

template <class T>
T DecodeOrThrow(std::string_view value) {
  T v;
  if (!codec::Decode(value, &v)) throw core::StoreUnavailable("corrupt stored value");
  return v;
}

}  // namespace

// ---- lifecycle -------------------------------------------------------------------------------------

core::Result<std::unique_ptr<RocksCatalog>> RocksCatalog::Open(const StoreOptions& options) {
  const std::string& dir = options.data_dir;
  if (dir.empty()) return MakeError(ErrorCode::kInvalidArgument, "No data dir was given.");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "Cannot create the data dir " + dir + ": " + ec.message() + ".");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " is not writable by this user.");

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeDbOptions(options.data_dir, options.env.get()), dir, &raw);
  if (!s.ok()) {
    if (IsLockError(s))
      return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " is locked by another jim-edge process.",
                       s.ToString());
    return MakeError(ErrorCode::kUnavailable, "Cannot open the data dir " + dir + ": " + s.ToString(), s.ToString());
  }
  std::unique_ptr<RocksCatalog> catalog(new RocksCatalog(options, std::unique_ptr<rocksdb::DB>(raw)));
  try {
    if (core::Status init = catalog->InitSchema(); !init.ok()) return init.error();
  } catch (const core::StoreUnavailable& e) {
    return MakeError(ErrorCode::kUnavailable, "Cannot read the data dir " + dir + ".", e.what());
  }
  Marks marks{};
  if (core::Status loaded = catalog->LoadState(catalog->db_.get(), &catalog->cache_, &marks); !loaded.ok())
    return loaded.error();
  for (size_t slot = 0; slot < marks.size(); ++slot) catalog->txn_->SetHighWater(slot, marks[slot]);
  catalog->checkpoints_->Start();
  catalog->committer_->Start();
  return catalog;
}

RocksCatalog::RocksCatalog(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db)
    : options_(options), db_(std::move(db)), disk_(options.data_dir, options.min_free_bytes) {
  txn_ = std::make_unique<GroupTransaction>(db_.get(), &cache_);
  committer_ = std::make_unique<GroupCommitter>(
      [this](std::vector<Pending*>& group, GroupCommitter::Touches& touches) { CommitGroup(group, touches); },
      [this](bool idle) { Housekeep(idle); });
  checkpoints_ = std::make_unique<HistoryCheckpoints>(
      [this](const std::function<void(rocksdb::DB&)>& fn) {
        std::shared_lock lock(db_mu_);
        fn(*LiveDb());
      },
      [this](const std::function<void()>& fn) { committer_->Exclusive(fn); },
      [this] { return disk_.HasRoom() && !write_failed_.load() && !closed_.load(); }, options.checkpoint_hooks);
}

RocksCatalog::~RocksCatalog() { Close(); }

void RocksCatalog::Close() {
  // First: a build holds a snapshot of the DB and takes the commit token. What is still queued is dropped
  // (the deltas stay readable; the next due write after a restart asks again).
  checkpoints_->Stop();
  committer_->Stop();  // drains the queue; a caller may still be committing its own group:
  committer_->Exclusive([this] { CloseDb(); });
}

void RocksCatalog::CloseDb() {
  if (closed_.exchange(true)) return;
  std::unique_lock lock(db_mu_);
  if (db_) {
    // With relaxed durability the WAL is only in the page cache: make a clean shutdown durable.
    if (!options_.sync) (void)db_->SyncWAL();
    // Flush the memtable so the next start opens without replaying the WAL (RocksDB replays and then
    // flushes it inside DB::Open: up to a whole write buffer, on the start-up path). Not on a failing or
    // full disk: there a clean close matters more, and the WAL already holds everything.
    if (!write_failed_.load() && disk_.HasRoom()) (void)db_->Flush(rocksdb::FlushOptions());
    (void)db_->Close();
    txn_.reset();
    db_.reset();
  }
}

core::Status RocksCatalog::InitSchema() {
  const std::string& dir = options_.data_dir;
  auto version = Get(db_.get(), keys::kSchemaVersionKey);
  if (!version) {
    // A fresh dir gets the current schema; a dir with data but no version is not ours.
    PrefixScan any(db_.get(), "");
    any->SeekToFirst();
    if (any->Valid())
      return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " holds data that is not a jim-edge store.");
    std::string v;
    codec::EncodeInt(keys::kSchemaVersion, &v);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Put(wo, S(keys::kSchemaVersionKey), v);
    if (!s.ok())
      return MakeError(ErrorCode::kUnavailable, "Cannot initialise the data dir " + dir + ": " + s.ToString(),
                       s.ToString());
    return core::OkStatus();
  }
  int64_t v = 0;
  if (!codec::DecodeInt(*version, &v))
    return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " has a corrupt schema version.");
  if (v != keys::kSchemaVersion)
    return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " holds schema version " + std::to_string(v) +
                                                  "; this jim-edge reads version " +
                                                  std::to_string(keys::kSchemaVersion) + ".");
  return core::OkStatus();
}

core::Status RocksCatalog::LoadState(rocksdb::DB* db, CatalogCache* cache, Marks* marks) {
  const std::string& dir = options_.data_dir;
  try {
    for (size_t slot = 0; slot < marks->size(); ++slot) {
      auto mark = Get(db, keys::SeqKey(GroupTransaction::SeqKindOf(slot)).view());
      int64_t value = 0;
      if (mark && !codec::DecodeInt(*mark, &value))
        return MakeError(ErrorCode::kUnavailable, "The data dir " + dir + " has a corrupt id sequence.");
      (*marks)[slot] = value;
    }
  } catch (const core::StoreUnavailable& e) {
    return MakeError(ErrorCode::kUnavailable, "Cannot read the data dir " + dir + ".", e.what());
  }
  for (std::string_view prefix : kCachedPrefixes) {
    PrefixScan scan(db, prefix);
    for (scan->SeekToFirst(); scan->Valid(); scan->Next()) {
      std::string_view key(scan->key().data(), scan->key().size());
      std::string_view value(scan->value().data(), scan->value().size());
      if (!cache->Apply(key, &value))
        return MakeError(ErrorCode::kUnavailable,
                         "The data dir " + dir + " has a corrupt value under '" + std::string(prefix) + "'.");
    }
    if (!scan->status().ok())
      return MakeError(ErrorCode::kUnavailable, "Cannot read the data dir " + dir + ": " + scan->status().ToString(),
                       scan->status().ToString());
  }
  return core::OkStatus();
}

bool RocksCatalog::Reopen() {
  std::unique_lock db_lock(db_mu_);
  if (db_) {
    (void)db_->Close();  // may report the same error again; the handle goes regardless
    db_.reset();
  }
  txn_->SetDb(nullptr);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeDbOptions(options_.data_dir, options_.env.get()), options_.data_dir, &raw);
  if (!s.ok()) {
    std::lock_guard lock(error_mu_);
    write_error_ = "reopen failed: " + s.ToString();
    return false;
  }
  db_.reset(raw);
  // The failed write may have reached the WAL after all and been replayed: the caches must show what
  // is on disk now, not what we believed before.
  CatalogCache fresh;
  Marks marks{};
  if (core::Status loaded = LoadState(db_.get(), &fresh, &marks); !loaded.ok()) {
    std::lock_guard lock(error_mu_);
    write_error_ = "reload after reopen failed: " + loaded.error().message;
    db_.reset();
    return false;
  }
  {
    std::unique_lock cache_lock(cache_mu_);
    cache_ = std::move(fresh);
  }
  txn_->SetDb(db_.get());
  for (size_t slot = 0; slot < marks.size(); ++slot)
    txn_->SetHighWater(slot, std::max(txn_->HighWater(slot), marks[slot]));  // never hand an id out twice
  return true;
}

// ---- writes --------------------------------------------------------------------------------------

core::Status RocksCatalog::Transact(const std::function<core::Status(core::Transaction&)>& body) {
  return committer_->Submit(body);
}

// Housekeeping between groups, on the committer thread and holding the commit token: no transaction can
// re-use an idempotency key while it is being deleted.
void RocksCatalog::Housekeep(bool idle) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ >= kSweepInterval) {
    last_sweep_ = now;
    committer_->Exclusive([&] {
      try {
        SweepExpiredIdempotency(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
      } catch (const core::StoreUnavailable&) {
        // Best effort: the next interval tries again.
      }
    });
  }
  // An idle store still heals: a failed write leaves RocksDB read-only until Resume succeeds.
  if (idle && write_failed_.load()) committer_->Exclusive([&] { TryResume(); });
}

size_t RocksCatalog::SweepExpiredIdempotency(core::Millis now, size_t limit) {
  if (!disk_.HasRoom()) return 0;
  rocksdb::WriteBatch batch;
  {
    std::shared_lock lock(db_mu_);
    PrefixScan scan(LiveDb(), keys::kIdempotency);
    for (scan->SeekToFirst(); scan->Valid() && batch.Count() < limit; scan->Next()) {
      core::IdempotencyRecord record;
      // An undecodable record can never be replayed either: it goes too.
      bool expired = !codec::Decode({scan->value().data(), scan->value().size()}, &record) ||
                     record.created + core::kIdempotencyTtlMillis <= now;
      if (expired && !batch.Delete(scan->key()).ok()) break;
    }
    scan.CheckStatus();
  }
  if (batch.Count() == 0) return 0;
  // No fsync: a delete lost in a crash leaves an expired record, which reads treat as absent anyway.
  rocksdb::WriteOptions wo;
  wo.sync = false;
  std::shared_lock lock(db_mu_);
  if (!LiveDb()->Write(wo, &batch).ok()) return 0;
  return batch.Count();
}

size_t RocksCatalog::QueueDepth() { return committer_->QueueDepth(); }

std::string RocksCatalog::LastWriteError() {
  std::lock_guard lock(error_mu_);
  return write_error_;
}

StoreStats RocksCatalog::Stats() const {
  return {groups_written_.load(), transactions_.load(), write_failures_.load(), max_group_size_.load()};
}

void RocksCatalog::FailGroup(std::vector<Pending*>& group, const std::string& detail) {
  write_failures_.fetch_add(1);
  for (Pending* p : group) {
    if (p->result.ok() || p->result.error().code != ErrorCode::kUnavailable)
      p->result = MakeError(ErrorCode::kUnavailable, kCannotWrite, detail);
  }
}

// Resume() clears recoverable background errors; a failed WAL write is fatal to a RocksDB instance,
// so when Resume refuses, the store reopens the DB in place (readers wait on db_mu_ meanwhile).
bool RocksCatalog::TryResume() {
  rocksdb::Status s = db_ ? db_->Resume() : rocksdb::Status::Incomplete("closed");
  if (s.ok() || Reopen()) {
    write_failed_.store(false);
    return true;
  }
  return false;
}

void RocksCatalog::CommitGroup(std::vector<Pending*>& group, GroupCommitter::Touches& touches) {
  // Refuse before RocksDB hits ENOSPC: some of its ENOSPC paths abort the process.
  if (!disk_.HasRoom()) return FailGroup(group, "free space below floor");
  if (write_failed_.load() && !TryResume()) {
    std::lock_guard lock(error_mu_);
    return FailGroup(group, write_error_);
  }

  SkipRocksStatistics();
  GroupTransaction& txn = *txn_;
  transactions_.fetch_add(group.size());
  txn.BeginGroup();
  for (const auto& [id, when] : touches) {
    try {
      txn.Touch(id, when);
    } catch (const std::exception&) {
      // Best effort by contract: a lost last-used time is not worth failing anybody's write.
    }
  }
  for (Pending* p : group) {
    txn.BeginBody();
    core::Status st = core::OkStatus();
    try {
      st = (*p->body)(txn);
    } catch (const core::StoreUnavailable& e) {
      st = MakeError(ErrorCode::kUnavailable, kCannotWrite, e.what());
    } catch (const std::exception& e) {
      st = MakeError(ErrorCode::kInternal, kUnexpected, e.what());
    } catch (...) {
      st = MakeError(ErrorCode::kInternal, kUnexpected, "non-standard exception");
    }
    try {
      txn.EndBody(st.ok());
    } catch (const core::StoreUnavailable& e) {
      p->result = std::move(st);
      return FailGroup(group, e.what());  // the batch itself is broken: nothing of the group is kept
    }
    p->result = std::move(st);
  }

  rocksdb::WriteBatch* batch = nullptr;
  try {
    batch = &txn.FinishGroup();
  } catch (const core::StoreUnavailable& e) {
    return FailGroup(group, e.what());
  }
  if (txn.Empty()) return;

  rocksdb::WriteOptions wo;
  // Only callers wait for durability; a touch-only group need not pay for an fsync.
  wo.sync = options_.sync && !group.empty();
  rocksdb::Status s = db_->Write(wo, batch);
  if (!s.ok()) {
    write_failed_.store(true);
    {
      std::lock_guard lock(error_mu_);
      write_error_ = s.ToString();
    }
    return FailGroup(group, s.ToString());
  }

  groups_written_.fetch_add(1);
  if (group.size() > max_group_size_.load()) max_group_size_.store(group.size());  // committer is the only writer

  // Only now may committed reads see the group.
  std::unique_ptr<rocksdb::WBWIIterator> it(txn.NewReadableIterator());
  std::unique_lock lock(cache_mu_);
  for (std::string_view prefix : kCachedPrefixes) {
    ForEachWrittenUnder(*it, prefix, [&](std::string_view key, const rocksdb::WriteEntry& e) {
      std::string_view value(e.value.data(), e.value.size());
      (void)cache_.Apply(key, e.type == rocksdb::kPutRecord ? &value : nullptr);
    });
  }
  // What was rendered from these systems' profiles, partitions or records is stale from here.
  list_versions_.Advance(*it);
  lock.unlock();
  // Only a written group's requests: the snapshot a build reads must hold the version that asked.
  if (auto wanted = txn.TakeWantedCheckpoints(); !wanted.empty()) checkpoints_->Request(std::move(wanted));
}

void RocksCatalog::TouchApiKey(std::string_view id, core::Millis when) { committer_->Touch(id, when); }

bool RocksCatalog::IsWritable(std::string* reason) {
  auto set = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  if (committer_->Stopping()) return set("closing");
  if (!disk_.HasRoom()) return set("disk_full");
  if (write_failed_.load()) return set("store_write_failed");
  return true;
}

// ---- committed reads -------------------------------------------------------------------------------

rocksdb::DB* RocksCatalog::LiveDb() const {
  if (!db_) throw core::StoreUnavailable("the store is closed or reopening failed");
  SkipRocksStatistics();
  return db_.get();
}

std::optional<std::string> RocksCatalog::Get(rocksdb::DB* db, std::string_view key) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), S(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) throw core::StoreUnavailable("read failed: " + s.ToString());
  return value;
}

core::Status RocksCatalog::Checkpoint(const std::string& dir) {
  std::shared_lock lock(db_mu_);
  if (!db_) return MakeError(ErrorCode::kUnavailable, kCannotWrite, "store is closed");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (s.ok()) s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) return MakeError(ErrorCode::kUnavailable, "The backup to " + dir + " failed.", s.ToString());
  return core::OkStatus();
}

bool RocksCatalog::WaitForCompactions(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::shared_lock lock(db_mu_);
    // The memtable goes to L0 first, so the compactions it triggers are part of what is waited for.
    if (!db_ || !db_->Flush(rocksdb::FlushOptions()).ok()) return false;
  }
  for (;;) {
    {
      std::shared_lock lock(db_mu_);
      if (!db_) return false;
      uint64_t pending = 0, compacting = 0, flushing = 0;
      if (!db_->GetIntProperty(rocksdb::DB::Properties::kCompactionPending, &pending) ||
          !db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &compacting) ||
          !db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &flushing))
        return false;
      if (pending == 0 && compacting == 0 && flushing == 0) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// ---- reads served from the cache: a copy taken under the shared cache lock ---------------------------

namespace {

template <class Map>
std::vector<typename Map::mapped_type> ValuesOf(const Map& map) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(value);
  return out;
}

template <class Map, class Key>
std::optional<typename Map::mapped_type> CopyOf(const Map& map, const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

template <class T>
std::optional<T> CopyOf(const T* value) {
  if (!value) return std::nullopt;
  return *value;
}

}  // namespace

core::Result<std::vector<core::ConnectorDefinition>> RocksCatalog::ListConnectorDefinitions() {
  return ReadCache([](const CatalogCache& c) { return ValuesOf(c.connectors); });
}

core::Result<std::optional<core::ConnectorDefinition>> RocksCatalog::GetConnectorDefinition(core::Id id) {
  return ReadCache([&](const CatalogCache& c) { return CopyOf(c.connectors, id); });
}

core::Result<bool> RocksCatalog::IsConnectorInUse(core::Id connector_id) {
  const std::string key = CounterKey(CounterKind::kConnectorUse, connector_id);
  return ReadCache([&](const CatalogCache& c) { return c.Counter(key) > 0; });
}

core::Result<std::vector<core::ConnectedSystem>> RocksCatalog::ListConnectedSystems() {
  return ReadCache([](const CatalogCache& c) { return ValuesOf(c.systems); });
}

core::Result<std::optional<core::ConnectedSystem>> RocksCatalog::GetConnectedSystem(core::Id id) {
  return ReadCache([&](const CatalogCache& c) { return CopyOf(c.systems, id); });
}

core::Result<int64_t> RocksCatalog::CountRunProfiles(core::Id connected_system_id) {
  const std::string key = CounterKey(CounterKind::kRunProfilesPerSystem, connected_system_id);
  return ReadCache([&](const CatalogCache& c) { return c.Counter(key); });
}

core::Result<int64_t> RocksCatalog::CountAllRunProfiles() {
  const std::string key = CounterKey(CounterKind::kRunProfilesAll);
  return ReadCache([&](const CatalogCache& c) { return c.Counter(key); });
}

core::Result<std::vector<core::Partition>> RocksCatalog::ListPartitions(core::Id connected_system_id) {
  return ReadCache([&](const CatalogCache& c) {
    std::vector<core::Partition> out;
    for (auto it = c.partitions.lower_bound({connected_system_id, 0});
         it != c.partitions.end() && it->first.first == connected_system_id; ++it)
      out.push_back(it->second);
    return out;
  });
}

core::Result<std::optional<core::Partition>> RocksCatalog::GetPartition(core::Id id) {
  return ReadCache([&](const CatalogCache& c) { return CopyOf(c.FindPartition(id)); });
}

// A bounded scan of rp/<cs>/: the cost depends on this system's profiles only.
core::Result<std::vector<core::RunProfile>> RocksCatalog::ListRunProfiles(core::Id connected_system_id) {
  return core::CatchStoreUnavailable([&]() -> std::vector<core::RunProfile> {
    std::vector<core::RunProfile> out;
    std::shared_lock lock(db_mu_);
    PrefixScan scan(LiveDb(), keys::RunProfilePrefix(connected_system_id).view());
    for (scan->SeekToFirst(); scan->Valid(); scan->Next())
      out.push_back(DecodeOrThrow<core::RunProfile>({scan->value().data(), scan->value().size()}));
    scan.CheckStatus();
    return out;
  });
}

core::Result<std::optional<core::RunProfile>> RocksCatalog::GetRunProfile(core::Id id) {
  return core::CatchStoreUnavailable([&]() -> std::optional<core::RunProfile> {
    std::shared_lock lock(db_mu_);
    rocksdb::DB* db = LiveDb();
    auto owner = Get(db, keys::RunProfileOwnerKey(id).view());
    if (!owner) return std::nullopt;
    int64_t cs = 0;
    if (!codec::DecodeInt(*owner, &cs)) throw core::StoreUnavailable("corrupt run profile index");
    auto value = Get(db, keys::RunProfileKey(cs, id).view());
    if (!value) return std::nullopt;  // deleted between the two reads
    return DecodeOrThrow<core::RunProfile>(*value);
  });
}

core::Result<std::optional<core::RunProfile>> RocksCatalog::GetRunProfileOf(core::Id connected_system_id, core::Id id) {
  return core::CatchStoreUnavailable([&]() -> std::optional<core::RunProfile> {
    std::shared_lock lock(db_mu_);
    auto value = Get(LiveDb(), keys::RunProfileKey(connected_system_id, id).view());
    if (!value) return std::nullopt;
    return DecodeOrThrow<core::RunProfile>(*value);
  });
}

size_t RocksCatalog::TrackedListVersions() {
  std::shared_lock lock(cache_mu_);
  return list_versions_.Tracked();
}

uint64_t RocksCatalog::RunProfileListVersion(core::Id connected_system_id) {
  std::shared_lock lock(cache_mu_);
  return list_versions_.Of(connected_system_id);
}

core::Result<std::vector<core::ApiKey>> RocksCatalog::ListApiKeys() {
  return ReadCache([](const CatalogCache& c) { return ValuesOf(c.api_keys); });
}

core::Result<std::optional<core::ApiKey>> RocksCatalog::GetApiKey(std::string_view id) {
  return ReadCache([&](const CatalogCache& c) { return CopyOf(c.api_keys, id); });
}

core::Result<std::optional<core::ApiKey>> RocksCatalog::FindApiKeyByDigest(std::string_view digest_hex) {
  return ReadCache([&](const CatalogCache& c) -> std::optional<core::ApiKey> {
    auto uuid = c.api_key_by_digest.find(digest_hex);
    if (uuid == c.api_key_by_digest.end()) return std::nullopt;
    return CopyOf(c.api_keys, uuid->second);
  });
}

// Newest first. Unfiltered pages walk act/ backwards; filtered ones walk their index backwards, so a
// page costs offset + limit steps, never the whole trail. Totals come from the persisted counters.
core::Result<core::ActivityPage> RocksCatalog::ListActivities(const core::ActivityQuery& query) {
  return core::CatchStoreUnavailable([&]() -> core::ActivityPage {
    core::ActivityPage page;
    std::string prefix;
    std::string counter;
    const bool indexed = query.connected_system_id || query.target_type;
    if (query.connected_system_id && query.target_type) {
      const auto type = static_cast<uint8_t>(*query.target_type);
      prefix = std::string(keys::ActivityBySystemTypePrefix(*query.connected_system_id, type).view());
      counter = CounterKey(CounterKind::kActivitiesPerSystemType, *query.connected_system_id, type);
    } else if (query.connected_system_id) {
      prefix = std::string(keys::ActivityBySystemPrefix(*query.connected_system_id).view());
      counter = CounterKey(CounterKind::kActivitiesPerSystem, *query.connected_system_id);
    } else if (query.target_type) {
      const auto type = static_cast<uint8_t>(*query.target_type);
      prefix = std::string(keys::ActivityByTypePrefix(type).view());
      counter = keys::CounterKeyByte(CounterKind::kActivitiesPerType, type);
    } else {
      prefix = std::string(keys::kActivity);
      counter = CounterKey(CounterKind::kActivitiesAll);
    }
    page.total = ReadCache([&](const CatalogCache& c) { return c.Counter(counter); });
    if (query.limit <= 0 || query.offset < 0 || query.offset >= page.total) return page;

    std::shared_lock lock(db_mu_);
    rocksdb::DB* db = LiveDb();
    PrefixScan scan(db, prefix);
    int64_t skipped = 0;
    for (scan->SeekToLast(); scan->Valid() && static_cast<int64_t>(page.items.size()) < query.limit; scan->Prev()) {
      if (skipped < query.offset) {
        ++skipped;
        continue;
      }
      if (!indexed) {
        page.items.push_back(DecodeOrThrow<core::Activity>({scan->value().data(), scan->value().size()}));
        continue;
      }
      const rocksdb::Slice k = scan->key();
      if (k.size() < prefix.size() + 8) throw core::StoreUnavailable("corrupt activity index key");
      const uint64_t seq = keys::ReadBE64(k.data() + k.size() - 8);
      auto value = Get(db, keys::ActivityKey(seq).view());
      if (!value) throw core::StoreUnavailable("activity index points at a missing activity");
      page.items.push_back(DecodeOrThrow<core::Activity>(*value));
    }
    scan.CheckStatus();
    return page;
  });
}

core::Result<std::optional<core::Activity>> RocksCatalog::GetActivity(std::string_view id) {
  return core::CatchStoreUnavailable([&]() -> std::optional<core::Activity> {
    std::shared_lock lock(db_mu_);
    rocksdb::DB* db = LiveDb();
    auto seq_value = Get(db, keys::ActivityIdKey(id));
    if (!seq_value) return std::nullopt;
    int64_t seq = 0;
    if (!codec::DecodeInt(*seq_value, &seq)) throw core::StoreUnavailable("corrupt activity index");
    auto value = Get(db, keys::ActivityKey(static_cast<uint64_t>(seq)).view());
    if (!value) return std::nullopt;
    return DecodeOrThrow<core::Activity>(*value);
  });
}

core::Result<std::optional<core::IdempotencyRecord>> RocksCatalog::GetIdempotency(std::string_view key) {
  return core::CatchStoreUnavailable([&]() -> std::optional<core::IdempotencyRecord> {
    std::shared_lock lock(db_mu_);
    auto value = Get(LiveDb(), keys::IdempotencyKey(key));
    if (!value) return std::nullopt;
    return DecodeOrThrow<core::IdempotencyRecord>(*value);
  });
}

// An object's versions are contiguous (1..head), so a page is a range read: offset + limit never walk
// more than the page itself.
core::Result<core::ConfigVersionPage> RocksCatalog::ListConfigVersions(core::ConfigObjectType type, std::string_view key,
                                                         int64_t offset, int64_t limit) {
  return core::CatchStoreUnavailable([&]() -> core::ConfigVersionPage {
    core::ConfigVersionPage page;
    {
      std::shared_lock lock(db_mu_);
      auto head = Get(LiveDb(), keys::ConfigHeadKey(static_cast<uint8_t>(type), key));
      core::ConfigHead h;
      if (head && !codec::Decode(*head, &h)) throw core::StoreUnavailable("corrupt configuration head");
      page.total = h.version;
    }
    const int64_t newest = page.total - offset;
    if (limit <= 0 || offset < 0 || newest < 1) return page;
    auto range = ConfigVersionRange(type, key, std::max<int64_t>(1, newest - limit + 1), newest);
    if (!range) throw core::StoreUnavailable(range.error().detail);  // caught just above, as the range's own
    page.items = std::move(*range);
    std::reverse(page.items.begin(), page.items.end());
    return page;
  });
}

core::Result<std::vector<core::ConfigVersion>> RocksCatalog::ConfigVersionRange(core::ConfigObjectType type, std::string_view key,
                                                                  int64_t from, int64_t to) {
  return core::CatchStoreUnavailable([&]() -> std::vector<core::ConfigVersion> {
    std::vector<core::ConfigVersion> out;
    if (from > to || to < 1) return out;
    std::shared_lock lock(db_mu_);
    PrefixScan scan(LiveDb(), keys::ConfigVersionPrefix(static_cast<uint8_t>(type), key));
    const std::string first = keys::ConfigVersionKey(static_cast<uint8_t>(type), key, std::max<int64_t>(from, 1));
    for (scan->Seek(S(first)); scan->Valid(); scan->Next()) {
      auto v = DecodeOrThrow<core::ConfigVersion>({scan->value().data(), scan->value().size()});
      if (v.version > to) break;
      out.push_back(std::move(v));
    }
    scan.CheckStatus();
    return out;
  });
}

}  // namespace jim::store
