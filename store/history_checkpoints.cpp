#include "store/history_checkpoints.h"

#include <algorithm>
#include <chrono>
#include <charconv>
#include <optional>

#include "core/config_history.h"
#include "store/codec.h"
#include "store/key_schema.h"
#include "store/prefix_scan.h"

namespace jim::store {
namespace {

rocksdb::Slice S(std::string_view s) { return {s.data(), s.size()}; }

std::optional<std::string> Get(rocksdb::DB& db, const rocksdb::ReadOptions& ro, std::string_view key) {
  std::string value;
  rocksdb::Status s = db.Get(ro, S(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) throw core::StoreUnavailable("read failed: " + s.ToString());
  return value;
}

template <class T>
T DecodeOrThrow(std::string_view value) {
  T v;
  if (!codec::Decode(value, &v)) throw core::StoreUnavailable("corrupt stored value");
  return v;
}

core::ConfigHead ReadHead(rocksdb::DB& db, const rocksdb::ReadOptions& ro, std::string_view key) {
  auto value = Get(db, ro, key);
  return value ? DecodeOrThrow<core::ConfigHead>(*value) : core::ConfigHead{};
}

void Write(rocksdb::DB& db, std::string_view key, std::string_view value) {
  // No fsync: losing the rewrite in a crash leaves the deltas, which readers fold (and the WAL is
  // ordered, so the head never survives without its record). The next group's sync makes it durable.
  rocksdb::WriteOptions wo;
  wo.sync = false;
  rocksdb::Status s = db.Put(wo, S(key), S(value));
  if (!s.ok()) throw core::StoreUnavailable("checkpoint write failed: " + s.ToString());
}

// A connected system as one RocksDB snapshot holds it: what WholeConnectedSystem encodes. Committed state
// only (no group's batch), so it is exactly the state after the version the snapshot's head names.
class SnapshotReader final : public core::SystemReader {
 public:
  SnapshotReader(rocksdb::DB& db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {
    ro_.snapshot = snapshot;
  }
  std::optional<core::ConnectorDefinition> FindConnectorDefinition(core::Id id) override {
    return Find<core::ConnectorDefinition>(keys::ConnectorDefKey(id).view());
  }
  std::optional<core::ConnectedSystem> FindConnectedSystem(core::Id id) override {
    return Find<core::ConnectedSystem>(keys::SystemKey(id).view());
  }
  std::vector<core::RunProfile> ListRunProfiles(core::Id cs) override {
    return Scan<core::RunProfile>(keys::RunProfilePrefix(cs).view());
  }
  std::vector<core::Partition> ListPartitions(core::Id cs) override {
    return Scan<core::Partition>(keys::PartitionPrefix(cs).view());
  }

 private:
  template <class T>
  std::optional<T> Find(std::string_view key) {
    auto value = Get(db_, ro_, key);
    if (!value) return std::nullopt;
    return DecodeOrThrow<T>(*value);
  }
  template <class T>
  std::vector<T> Scan(std::string_view prefix) {
    std::vector<T> out;
    PrefixScan scan(&db_, prefix, snapshot_);
    for (scan->SeekToFirst(); scan->Valid(); scan->Next())
      out.push_back(DecodeOrThrow<T>({scan->value().data(), scan->value().size()}));
    scan.CheckStatus();
    return out;
  }
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions ro_;
};

}  // namespace

HistoryCheckpoints::HistoryCheckpoints(WithDb with_db, Exclusive exclusive, CanWrite can_write, CheckpointHooks hooks)
    : with_db_(std::move(with_db)),
      exclusive_(std::move(exclusive)),
      can_write_(std::move(can_write)),
      hooks_(std::move(hooks)) {}

HistoryCheckpoints::~HistoryCheckpoints() { Stop(); }

namespace {
// How long the build thread waits for another request before it ends (the next request starts it again).
constexpr auto kIdleExit = std::chrono::seconds(2);
}  // namespace

void HistoryCheckpoints::Start() {
  std::lock_guard lock(mu_);
  started_ = true;
}

void HistoryCheckpoints::Request(std::vector<CheckpointRequest> wanted) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    for (auto& w : wanted)
      if (std::find(queue_.begin(), queue_.end(), w) == queue_.end()) queue_.push_back(std::move(w));
    if (started_ && !running_ && !queue_.empty()) {
      // A thread that ended has nothing left to do but return (it cleared running_ last): joining it
      // under the lock cannot wait on the lock.
      if (thread_.joinable()) thread_.join();
      running_ = true;
      thread_ = std::thread([this] { Loop(); });
    }
  }
  work_cv_.notify_one();
}

void HistoryCheckpoints::Drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return stopping_ || (queue_.empty() && !building_); });
}

void HistoryCheckpoints::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  work_cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t HistoryCheckpoints::Built() {
  std::lock_guard lock(mu_);
  return built_;
}

void HistoryCheckpoints::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!work_cv_.wait_for(lock, kIdleExit, [&] { return stopping_ || !queue_.empty(); })) break;
    if (stopping_) break;
    CheckpointRequest next = std::move(queue_.front());
    queue_.erase(queue_.begin());
    building_ = true;
    lock.unlock();
    bool built = false;
    try {
      built = Build(next);
    } catch (const std::exception&) {
      // Best effort: the deltas stay readable, and the next due write of the object asks again.
    }
    lock.lock();
    building_ = false;
    if (built) ++built_;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  building_ = false;
  running_ = false;
  idle_cv_.notify_all();
}

bool HistoryCheckpoints::Build(const CheckpointRequest& request) {
  // Only connected systems are deferred (GroupTransaction::DeferCheckpoint): the small objects' checkpoints
  // are their one snapshot, already at hand inside the transaction.
  if (request.type != core::ConfigObjectType::kConnectedSystem) return false;
  core::Id cs_id = 0;
  const std::string& key = request.key;
  if (auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), cs_id); ec != std::errc() ||
      p != key.data() + key.size())
    return false;
  if (hooks_.before_snapshot) hooks_.before_snapshot();

  const auto type = static_cast<uint8_t>(request.type);
  const std::string head_key = keys::ConfigHeadKey(type, key);
  core::ConfigVersion record;
  int64_t old_delta_bytes = 0;
  std::string record_value;
  with_db_([&](rocksdb::DB& db) {
    rocksdb::ManagedSnapshot snapshot(&db);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot.snapshot();
    const core::ConfigHead head = ReadHead(db, ro, head_key);
    // Nothing to do when a checkpoint built since the request (or the object's first version) already
    // brought the deltas under the spacing rule.
    if (head.version <= 1 || head.checkpoint_version >= head.version || !core::CheckpointDue(head, 0)) return;
    auto value = Get(db, ro, keys::ConfigVersionKey(type, key, head.version));
    if (!value) return;
    record = DecodeOrThrow<core::ConfigVersion>(*value);
    if (record.is_checkpoint) return;
    SnapshotReader reader(db, snapshot.snapshot());
    // A deleted system has nothing to encode; its history stays the deltas it has.
    if (!reader.FindConnectedSystem(cs_id)) return;
    record.payload = core::WholeConnectedSystem(reader, cs_id);
    old_delta_bytes = record.delta_bytes;
    record.is_checkpoint = true;
    record.checkpoint_version = record.version;
    record.checkpoint_bytes = static_cast<int64_t>(record.payload.size());
    record.delta_bytes = 0;
    codec::Encode(record, &record_value);
  });
  if (record_value.empty()) return false;
  if (hooks_.before_rewrite) hooks_.before_rewrite();
  if (!can_write_()) return false;

  // The record first, outside the commit token: no transaction writes or reads an existing record (each
  // version is a new key, and history is read only by committed reads), and a reader folds the same state
  // from it whether it sees the delta or the checkpoint. Copying a large payload into the WAL and the
  // memtable is then not done while every writer waits.
  with_db_([&](rocksdb::DB& db) { Write(db, keys::ConfigVersionKey(type, key, record.version), record_value); });

  // The head is what the next writer spaces checkpoints by, read inside its group: it changes under the
  // token, after the record it names. Versions written since the snapshot keep their deltas (and name the
  // old checkpoint: readers fold from the last checkpoint at or below the version they want), and count
  // towards the next checkpoint.
  exclusive_([&] {
    with_db_([&](rocksdb::DB& db) {
      const core::ConfigHead head = ReadHead(db, rocksdb::ReadOptions(), head_key);
      if (head.version < record.version || head.checkpoint_version >= record.version) return;
      core::ConfigHead updated{head.version, record.version, record.checkpoint_bytes,
                               std::max<int64_t>(0, head.delta_bytes - old_delta_bytes)};
      std::string value;
      codec::Encode(updated, &value);
      Write(db, head_key, value);
    });
  });
  return true;
}

}  // namespace jim::store
