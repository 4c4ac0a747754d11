// The write side of RocksCatalog: a core::Transaction over the batches shared by every body of a
// commit group. Only the committer thread touches it.
//
// Two batches: `out_` holds everything the group writes, in order, and is what gets committed;
// `batch_` (a WriteBatchWithIndex) holds only what a later body may read back. Audit rows are never
// read inside a transaction, so they skip the index: five of a create's seven keys, whose index inserts
// were 17% of the store's create path.
//
// Reads see (in this order) the group's batch, then committed state: the CatalogCache for the small
// tables, RocksDB for the rest. Counters and id high-water marks are kept in memory during the group
// and written once by FinishGroup(), so a hot create does not rewrite them per body.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include "core/catalog.h"
#include "store/catalog_cache.h"
#include "store/history_checkpoints.h"

namespace jim::store {

class GroupTransaction final : public core::Transaction {
 public:
  // Sequence slots: core::IdKind values 1-4 and the activity sequence.
  static constexpr size_t kSeqSlots = 5;
  static size_t SlotOf(uint8_t seq_kind);
  static uint8_t SeqKindOf(size_t slot);

  GroupTransaction(rocksdb::DB* db, const CatalogCache* committed);

  // The last id handed out per slot, recovered from meta/seq/ at open.
  void SetHighWater(size_t slot, int64_t value) { next_[slot] = value; }
  // After the owner reopened RocksDB (fatal write error): the old handle is gone.
  void SetDb(rocksdb::DB* db) { db_ = db; }
  int64_t HighWater(size_t slot) const { return next_[slot]; }

  void BeginGroup();
  void BeginBody();
  // Keeps (ok) or undoes (!ok) what the current body wrote.
  void EndBody(bool ok);
  // Best-effort last-used time of an api key, folded into this group (call outside a body).
  void Touch(const std::string& api_key_id, core::Millis when);
  // Writes counters and id high-water marks into the batch. Returns the batch to commit.
  rocksdb::WriteBatch& FinishGroup();
  bool Empty() const { return out_.Count() == 0; }
  // What the group wrote that bodies can read back (every key but the audit rows), in key order.
  rocksdb::WBWIIterator* NewReadableIterator() { return batch_.NewIterator(); }
  // The checkpoints the group's kept bodies asked for (DeferCheckpoint), to hand to HistoryCheckpoints once
  // the group is written.
  std::vector<CheckpointRequest> TakeWantedCheckpoints() { return std::move(wanted_); }

  // core::Transaction
  std::optional<core::ConnectorDefinition> FindConnectorDefinition(core::Id id) override;
  std::optional<core::Id> FindConnectorDefinitionIdByName(std::string_view exact_name) override;
  bool IsConnectorInUse(core::Id connector_id) override;
  std::optional<core::ConnectedSystem> FindConnectedSystem(core::Id id) override;
  std::optional<core::Id> FindConnectedSystemIdByName(std::string_view folded_name) override;
  std::optional<core::Partition> FindPartition(core::Id id) override;
  std::optional<core::Id> FindPartitionIdByName(core::Id connected_system_id, std::string_view folded_name) override;
  std::optional<core::RunProfile> FindRunProfile(core::Id id) override;
  std::optional<core::ApiKey> FindApiKey(std::string_view id) override;
  std::optional<core::ApiKey> FindApiKeyByDigest(std::string_view digest_hex) override;
  std::optional<core::IdempotencyRecord> FindIdempotency(std::string_view key) override;
  std::vector<core::ApiKey> ListApiKeys() override;
  std::vector<core::ConnectedSystem> ListConnectedSystems() override;
  std::vector<core::RunProfile> ListRunProfiles(core::Id connected_system_id) override;
  std::vector<core::Partition> ListPartitions(core::Id connected_system_id) override;
  core::ConfigHead LatestConfigHead(core::ConfigObjectType type, std::string_view key) override;
  // Connected systems only: encoding a whole system is what held groups up (docs/store.md).
  bool DeferCheckpoint(core::ConfigObjectType type, std::string_view key) override;
  core::Id AllocateId(core::IdKind kind) override;
  void Put(const core::ConnectorDefinition& value) override;
  void Put(const core::ConnectedSystem& value) override;
  void Put(const core::Partition& value) override;
  void Put(const core::RunProfile& value) override;
  void Put(const core::ApiKey& value) override;
  void Put(const core::IdempotencyRecord& value) override;
  void Put(const core::ConfigVersion& value) override;
  void DeleteConnectorDefinition(core::Id id) override;
  void DeleteConnectedSystem(core::Id id) override;
  void DeletePartition(core::Id id) override;
  void DeleteRunProfile(core::Id id) override;
  void DeleteApiKey(std::string_view id) override;
  void Record(const core::Activity& activity) override;

 private:
  enum class Hit { kMiss, kValue, kDeleted };
  // Looks `key` up in the group's batch only; on kValue, `*value` points into the batch until its
  // next change.
  Hit InBatch(std::string_view key, std::string_view* value);
  // Batch, then RocksDB (for the uncached tables).
  std::optional<std::string> GetFromBatchAndDb(std::string_view key);
  std::optional<core::Id> FindName(const std::string& key);
  // Every row under `prefix`, the group's batch over RocksDB, in key order. RocksDB holds every table
  // (the cache only mirrors the small ones), and between groups the two agree.
  std::vector<std::pair<std::string, std::string>> Collect(std::string_view prefix);
  template <class T>
  std::vector<T> CollectDecoded(std::string_view prefix);
  std::optional<core::Id> RunProfileOwner(core::Id id);
  bool MaybeInDb(size_t slot, core::Id id) const { return id <= group_start_[slot]; }
  void NoteExplicitId(size_t slot, core::Id id);

  int64_t Counter(const std::string& key) const;
  void AddCounter(const std::string& key, int64_t delta);

  void BatchPut(std::string_view key, std::string_view value);
  void BatchDelete(std::string_view key);
  // For keys no transaction reads back (the audit trail): committed, but not indexed.
  void WriteOnlyPut(std::string_view key, std::string_view value);
  [[noreturn]] static void Fail(const char* what, std::string_view key, const rocksdb::Status& s);
  [[noreturn]] static void Corrupt(std::string_view key);

  rocksdb::DB* db_;
  const CatalogCache* committed_;
  rocksdb::WriteBatchWithIndex batch_;  // readable writes only
  std::unique_ptr<rocksdb::WBWIIterator> batch_it_;  // recreated whenever the batch index is rebuilt
  rocksdb::WriteBatch out_;  // every write of the group, in order: the batch that is committed

  std::array<int64_t, kSeqSlots> next_{};         // last id handed out
  std::array<int64_t, kSeqSlots> group_start_{};  // next_ when the group began: larger ids are not in the DB
  std::array<bool, kSeqSlots> seq_dirty_{};

  std::unordered_map<std::string, int64_t> counters_;                   // this group's counter values
  std::vector<std::pair<std::string, std::optional<int64_t>>> undo_;  // body's counter changes, to undo
  uint32_t body_start_count_ = 0;
  std::vector<CheckpointRequest> wanted_;  // this group's, distinct
  size_t body_start_wanted_ = 0;           // wanted_.size() when the body began: a failed body's go

  std::string value_buf_;  // reused encode buffer
};

}  // namespace jim::store
