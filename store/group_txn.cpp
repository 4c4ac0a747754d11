#include "store/group_txn.h"

#include <algorithm>

#include "core/rules.h"
#include "store/codec.h"
#include "store/key_schema.h"

namespace jim::store {
namespace {

using keys::CounterKind;
using keys::CounterKey;

rocksdb::Slice S(std::string_view s) { return {s.data(), s.size()}; }

constexpr size_t kActivitySlot = 4;
size_t Slot(core::IdKind kind) { return static_cast<size_t>(kind) - 1; }

}  // namespace

size_t GroupTransaction::SlotOf(uint8_t seq_kind) {
  return seq_kind == keys::kSeqActivity ? kActivitySlot : static_cast<size_t>(seq_kind) - 1;
}
uint8_t GroupTransaction::SeqKindOf(size_t slot) {
  return slot == kActivitySlot ? keys::kSeqActivity : static_cast<uint8_t>(slot + 1);
}

// overwrite_key: the index keeps one entry per key, so batch lookups and replay see the latest write.
GroupTransaction::GroupTransaction(rocksdb::DB* db, const CatalogCache* committed)
    : db_(db), committed_(committed), batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {
  value_buf_.reserve(256);
}

void GroupTransaction::Fail(const char* what, std::string_view key, const rocksdb::Status& s) {
  throw core::StoreUnavailable(std::string(what) + " failed: " + s.ToString());
}
void GroupTransaction::Corrupt(std::string_view key) {
  throw core::StoreUnavailable("corrupt value under a key with prefix '" +
                               std::string(key.substr(0, std::min<size_t>(key.size(), 5))) + "'");
}

void GroupTransaction::BeginGroup() {
  batch_.Clear();
  out_.Clear();
  batch_it_.reset(batch_.NewIterator());
  group_start_ = next_;
  seq_dirty_.fill(false);
  counters_.clear();
  wanted_.clear();
}

void GroupTransaction::BeginBody() {
  batch_.SetSavePoint();
  out_.SetSavePoint();
  body_start_count_ = out_.Count();
  undo_.clear();
  body_start_wanted_ = wanted_.size();
}

void GroupTransaction::EndBody(bool ok) {
  if (!ok) wanted_.resize(body_start_wanted_);
  // Rolling back rebuilds the whole batch index, so only do it when the body actually wrote.
  if (ok || out_.Count() == body_start_count_) {
    if (!batch_.PopSavePoint().ok() || !out_.PopSavePoint().ok())
      throw core::StoreUnavailable("savepoint stack is broken");
    if (ok) return;
  } else {
    rocksdb::Status s = batch_.RollbackToSavePoint();
    if (s.ok()) s = out_.RollbackToSavePoint();
    if (!s.ok()) throw core::StoreUnavailable("rollback failed: " + s.ToString());
    batch_it_.reset(batch_.NewIterator());
  }
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->second) {
      counters_[it->first] = *it->second;
    } else {
      counters_.erase(it->first);
    }
  }
  // NOTE: ids allocated by the failed body stay consumed (their high-water mark is still written):
  // gaps are fine, reuse is not.
}

rocksdb::WriteBatch& GroupTransaction::FinishGroup() {
  for (const auto& [key, value] : counters_) {
    if (value == 0) {
      BatchDelete(key);  // absent means zero; keeps cnt/ small after cascades
    } else {
      codec::EncodeInt(value, &value_buf_);
      BatchPut(key, value_buf_);
    }
  }
  for (size_t slot = 0; slot < kSeqSlots; ++slot) {
    if (!seq_dirty_[slot]) continue;
    codec::EncodeInt(next_[slot], &value_buf_);
    BatchPut(keys::SeqKey(SeqKindOf(slot)).view(), value_buf_);
  }
  return out_;
}

void GroupTransaction::Touch(const std::string& api_key_id, core::Millis when) {
  auto key = FindApiKey(api_key_id);
  if (!key || (key->last_used_at && *key->last_used_at >= when)) return;
  key->last_used_at = when;
  Put(*key);
}

// ---- reads -----------------------------------------------------------------------------------------

GroupTransaction::Hit GroupTransaction::InBatch(std::string_view key, std::string_view* value) {
  batch_it_->Seek(S(key));
  if (!batch_it_->Valid()) return Hit::kMiss;
  const rocksdb::WriteEntry e = batch_it_->Entry();
  if (e.key != S(key)) return Hit::kMiss;
  if (e.type == rocksdb::kPutRecord) {
    *value = std::string_view(e.value.data(), e.value.size());
    return Hit::kValue;
  }
  return Hit::kDeleted;
}

std::optional<std::string> GroupTransaction::GetFromBatchAndDb(std::string_view key) {
  std::string value;
  rocksdb::Status s = batch_.GetFromBatchAndDB(db_, rocksdb::ReadOptions(), S(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) Fail("read", key, s);
  return value;
}

template <class T>
static std::optional<T> DecodeOr(std::string_view key, std::string_view value, void (*corrupt)(std::string_view)) {
  T v;
  if (!codec::Decode(value, &v)) corrupt(key);
  return v;
}

std::optional<core::ConnectorDefinition> GroupTransaction::FindConnectorDefinition(core::Id id) {
  auto key = keys::ConnectorDefKey(id);
  std::string_view v;
  switch (InBatch(key.view(), &v)) {
    case Hit::kValue: return DecodeOr<core::ConnectorDefinition>(key.view(), v, Corrupt);
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  auto it = committed_->connectors.find(id);
  if (it == committed_->connectors.end()) return std::nullopt;
  return it->second;
}

std::optional<core::Id> GroupTransaction::FindName(const std::string& key) {
  std::string_view v;
  switch (InBatch(key, &v)) {
    case Hit::kValue: {
      int64_t id;
      if (!codec::DecodeInt(v, &id)) Corrupt(key);
      return id;
    }
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  return committed_->Name(key);
}

std::optional<core::Id> GroupTransaction::FindConnectorDefinitionIdByName(std::string_view exact_name) {
  return FindName(keys::ConnectorNameKey(exact_name));
}

bool GroupTransaction::IsConnectorInUse(core::Id connector_id) {
  return Counter(CounterKey(CounterKind::kConnectorUse, connector_id)) > 0;
}

std::optional<core::ConnectedSystem> GroupTransaction::FindConnectedSystem(core::Id id) {
  auto key = keys::SystemKey(id);
  std::string_view v;
  switch (InBatch(key.view(), &v)) {
    case Hit::kValue: return DecodeOr<core::ConnectedSystem>(key.view(), v, Corrupt);
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  auto it = committed_->systems.find(id);
  if (it == committed_->systems.end()) return std::nullopt;
  return it->second;
}

std::optional<core::Id> GroupTransaction::FindConnectedSystemIdByName(std::string_view folded_name) {
  return FindName(keys::SystemNameKey(folded_name));
}

std::optional<core::Partition> GroupTransaction::FindPartition(core::Id id) {
  auto owner_key = keys::PartitionOwnerKey(id);
  std::string_view v;
  switch (InBatch(owner_key.view(), &v)) {
    case Hit::kValue: {
      int64_t cs;
      if (!codec::DecodeInt(v, &cs)) Corrupt(owner_key.view());
      auto key = keys::PartitionKey(cs, id);
      if (InBatch(key.view(), &v) != Hit::kValue) Corrupt(key.view());  // ptx/ and pt/ are written together
      return DecodeOr<core::Partition>(key.view(), v, Corrupt);
    }
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  const core::Partition* p = committed_->FindPartition(id);
  if (!p) return std::nullopt;
  return *p;
}

std::optional<core::Id> GroupTransaction::FindPartitionIdByName(core::Id connected_system_id,
                                                                std::string_view folded_name) {
  return FindName(keys::PartitionNameKey(connected_system_id, folded_name));
}

std::optional<core::Id> GroupTransaction::RunProfileOwner(core::Id id) {
  auto key = keys::RunProfileOwnerKey(id);
  std::optional<std::string> owned;
  std::string_view v;
  if (MaybeInDb(Slot(core::IdKind::kRunProfile), id)) {
    owned = GetFromBatchAndDb(key.view());
    if (!owned) return std::nullopt;
    v = *owned;
  } else if (InBatch(key.view(), &v) != Hit::kValue) {
    return std::nullopt;  // allocated in this group and not (or no longer) written
  }
  int64_t cs;
  if (!codec::DecodeInt(v, &cs)) Corrupt(key.view());
  return cs;
}

std::optional<core::RunProfile> GroupTransaction::FindRunProfile(core::Id id) {
  auto cs = RunProfileOwner(id);
  if (!cs) return std::nullopt;
  auto key = keys::RunProfileKey(*cs, id);
  auto value = GetFromBatchAndDb(key.view());
  if (!value) Corrupt(key.view());  // rpx/ without its rp/ row
  return DecodeOr<core::RunProfile>(key.view(), *value, Corrupt);
}

// rp/<cs>/ through the group's batch over RocksDB: what earlier bodies of the group wrote is seen.
std::optional<core::ApiKey> GroupTransaction::FindApiKey(std::string_view id) {
  std::string key = keys::ApiKeyKey(id);
  std::string_view v;
  switch (InBatch(key, &v)) {
    case Hit::kValue: return DecodeOr<core::ApiKey>(key, v, Corrupt);
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  auto it = committed_->api_keys.find(id);
  if (it == committed_->api_keys.end()) return std::nullopt;
  return it->second;
}

std::optional<core::ApiKey> GroupTransaction::FindApiKeyByDigest(std::string_view digest_hex) {
  std::string key = keys::ApiKeyDigestKey(digest_hex);
  std::string_view v;
  switch (InBatch(key, &v)) {
    case Hit::kValue: {
      std::string uuid;
      if (!codec::DecodeText(v, &uuid)) Corrupt(key);
      return FindApiKey(uuid);
    }
    case Hit::kDeleted: return std::nullopt;
    case Hit::kMiss: break;
  }
  auto it = committed_->api_key_by_digest.find(digest_hex);
  if (it == committed_->api_key_by_digest.end()) return std::nullopt;
  return FindApiKey(it->second);
}

std::optional<core::IdempotencyRecord> GroupTransaction::FindIdempotency(std::string_view key) {
  std::string k = keys::IdempotencyKey(key);
  auto value = GetFromBatchAndDb(k);
  if (!value) return std::nullopt;
  return DecodeOr<core::IdempotencyRecord>(k, *value, Corrupt);
}

std::vector<std::pair<std::string, std::string>> GroupTransaction::Collect(std::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::string upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(batch_.NewIteratorWithBase(db_->NewIterator(ro)));
  for (it->Seek(S(prefix)); it->Valid() && it->key().starts_with(S(prefix)); it->Next())
    rows.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) Fail("scan", prefix, it->status());
  return rows;
}

// The group's own rows under `prefix` (few: one entry per key, overwrite_key) merged in key order with a
// plain RocksDB scan, decoded straight from the iterators. A history checkpoint lists a whole system's
// profiles: a BaseDeltaIterator over the batch and copying each row into a string pair first were most of
// that scan (bench BM_CreateIntoSystemOf*/1000).
template <class T>
std::vector<T> GroupTransaction::CollectDecoded(std::string_view prefix) {
  struct Mine {
    std::string key;
    std::optional<std::string> value;  // nullopt: deleted in the group
  };
  std::vector<Mine> mine;
  for (batch_it_->Seek(S(prefix)); batch_it_->Valid(); batch_it_->Next()) {
    const rocksdb::WriteEntry e = batch_it_->Entry();
    if (!e.key.starts_with(S(prefix))) break;
    mine.push_back({e.key.ToString(), e.type == rocksdb::kPutRecord ? std::optional(e.value.ToString()) : std::nullopt});
  }
  std::vector<T> out;
  auto emit = [&](std::string_view key, std::string_view value) {
    out.emplace_back();
    if (!codec::Decode(value, &out.back())) Corrupt(key);
  };
  size_t m = 0;
  auto emit_mine_before = [&](std::string_view key) {  // the group's rows that sort before `key`
    for (; m < mine.size() && std::string_view(mine[m].key) < key; ++m)
      if (mine[m].value) emit(mine[m].key, *mine[m].value);
  };
  std::string upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(S(prefix)); it->Valid() && it->key().starts_with(S(prefix)); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    emit_mine_before(key);
    if (m < mine.size() && mine[m].key == key) {  // the group replaced or deleted this row
      if (mine[m].value) emit(mine[m].key, *mine[m].value);
      ++m;
      continue;
    }
    emit(key, std::string_view(it->value().data(), it->value().size()));
  }
  if (!it->status().ok()) Fail("scan", prefix, it->status());
  for (; m < mine.size(); ++m)
    if (mine[m].value) emit(mine[m].key, *mine[m].value);
  return out;
}

std::vector<core::ApiKey> GroupTransaction::ListApiKeys() { return CollectDecoded<core::ApiKey>(keys::kApiKey); }

std::vector<core::ConnectedSystem> GroupTransaction::ListConnectedSystems() {
  return CollectDecoded<core::ConnectedSystem>(keys::kSystem);
}

std::vector<core::RunProfile> GroupTransaction::ListRunProfiles(core::Id connected_system_id) {
  return CollectDecoded<core::RunProfile>(keys::RunProfilePrefix(connected_system_id).view());
}

std::vector<core::Partition> GroupTransaction::ListPartitions(core::Id connected_system_id) {
  return CollectDecoded<core::Partition>(keys::PartitionPrefix(connected_system_id).view());
}

core::ConfigHead GroupTransaction::LatestConfigHead(core::ConfigObjectType type, std::string_view key) {
  const std::string head = keys::ConfigHeadKey(static_cast<uint8_t>(type), key);
  auto value = GetFromBatchAndDb(head);
  core::ConfigHead h;
  if (value && !codec::Decode(*value, &h)) Corrupt(head);
  return h;
}

bool GroupTransaction::DeferCheckpoint(core::ConfigObjectType type, std::string_view key) {
  if (type != core::ConfigObjectType::kConnectedSystem) return false;
  CheckpointRequest request{type, std::string(key)};
  if (std::find(wanted_.begin(), wanted_.end(), request) == wanted_.end()) wanted_.push_back(std::move(request));
  return true;
}

// ---- counters and ids ------------------------------------------------------------------------------

int64_t GroupTransaction::Counter(const std::string& key) const {
  auto it = counters_.find(key);
  return it != counters_.end() ? it->second : committed_->Counter(key);
}

void GroupTransaction::AddCounter(const std::string& key, int64_t delta) {
  auto it = counters_.find(key);
  if (it != counters_.end()) {
    undo_.emplace_back(key, it->second);
    it->second += delta;
  } else {
    undo_.emplace_back(key, std::nullopt);
    counters_.emplace(key, committed_->Counter(key) + delta);
  }
}

core::Id GroupTransaction::AllocateId(core::IdKind kind) {
  size_t slot = Slot(kind);
  seq_dirty_[slot] = true;
  return ++next_[slot];
}

// A row stored with an id that was not allocated here (the seeded built-in connectors) still raises
// the high-water mark, so AllocateId can never hand that id out again.
void GroupTransaction::NoteExplicitId(size_t slot, core::Id id) {
  if (id > next_[slot]) {
    next_[slot] = id;
    seq_dirty_[slot] = true;
  }
}

// ---- writes ----------------------------------------------------------------------------------------

void GroupTransaction::BatchPut(std::string_view key, std::string_view value) {
  rocksdb::Status s = batch_.Put(S(key), S(value));
  if (s.ok()) s = out_.Put(S(key), S(value));
  if (!s.ok()) Fail("batch put", key, s);
}
void GroupTransaction::WriteOnlyPut(std::string_view key, std::string_view value) {
  rocksdb::Status s = out_.Put(S(key), S(value));
  if (!s.ok()) Fail("batch put", key, s);
}
void GroupTransaction::BatchDelete(std::string_view key) {
  rocksdb::Status s = batch_.Delete(S(key));
  if (s.ok()) s = out_.Delete(S(key));
  if (!s.ok()) Fail("batch delete", key, s);
}

void GroupTransaction::Put(const core::ConnectorDefinition& value) {
  NoteExplicitId(Slot(core::IdKind::kConnectorDefinition), value.id);
  auto old = FindConnectorDefinition(value.id);
  if (old && old->name != value.name) {
    std::string old_name = keys::ConnectorNameKey(old->name);
    if (FindName(old_name) == value.id) BatchDelete(old_name);
  }
  codec::Encode(value, &value_buf_);
  BatchPut(keys::ConnectorDefKey(value.id).view(), value_buf_);
  codec::EncodeInt(value.id, &value_buf_);
  BatchPut(keys::ConnectorNameKey(value.name), value_buf_);
}

void GroupTransaction::Put(const core::ConnectedSystem& value) {
  NoteExplicitId(Slot(core::IdKind::kConnectedSystem), value.id);
  auto old = FindConnectedSystem(value.id);
  std::string name_key = keys::SystemNameKey(core::FoldName(value.name));
  if (old) {
    std::string old_name_key = keys::SystemNameKey(core::FoldName(old->name));
    if (old_name_key != name_key && FindName(old_name_key) == value.id) BatchDelete(old_name_key);
    if (old->connector_id != value.connector_id) {
      AddCounter(CounterKey(CounterKind::kConnectorUse, old->connector_id), -1);
      AddCounter(CounterKey(CounterKind::kConnectorUse, value.connector_id), +1);
    }
  } else {
    AddCounter(CounterKey(CounterKind::kConnectorUse, value.connector_id), +1);
  }
  codec::Encode(value, &value_buf_);
  BatchPut(keys::SystemKey(value.id).view(), value_buf_);
  codec::EncodeInt(value.id, &value_buf_);
  BatchPut(name_key, value_buf_);
}

void GroupTransaction::Put(const core::Partition& value) {
  NoteExplicitId(Slot(core::IdKind::kPartition), value.id);
  auto old = FindPartition(value.id);
  std::string name_key = keys::PartitionNameKey(value.connected_system_id, core::FoldName(value.name));
  if (old) {
    std::string old_name_key = keys::PartitionNameKey(old->connected_system_id, core::FoldName(old->name));
    if (old_name_key != name_key && FindName(old_name_key) == value.id) BatchDelete(old_name_key);
    if (old->connected_system_id != value.connected_system_id)
      BatchDelete(keys::PartitionKey(old->connected_system_id, value.id).view());
  }
  codec::Encode(value, &value_buf_);
  BatchPut(keys::PartitionKey(value.connected_system_id, value.id).view(), value_buf_);
  codec::EncodeInt(value.id, &value_buf_);
  BatchPut(name_key, value_buf_);
  codec::EncodeInt(value.connected_system_id, &value_buf_);
  BatchPut(keys::PartitionOwnerKey(value.id).view(), value_buf_);
}

// The hot path: one owner lookup (batch only for an id allocated in this group), two puts, two
// in-memory counter bumps.
void GroupTransaction::Put(const core::RunProfile& value) {
  const size_t slot = Slot(core::IdKind::kRunProfile);
  NoteExplicitId(slot, value.id);
  auto old_cs = RunProfileOwner(value.id);
  if (old_cs && *old_cs != value.connected_system_id) {
    BatchDelete(keys::RunProfileKey(*old_cs, value.id).view());
    AddCounter(CounterKey(CounterKind::kRunProfilesPerSystem, *old_cs), -1);
  }
  if (!old_cs || *old_cs != value.connected_system_id) {
    AddCounter(CounterKey(CounterKind::kRunProfilesPerSystem, value.connected_system_id), +1);
    if (!old_cs) AddCounter(CounterKey(CounterKind::kRunProfilesAll), +1);
    codec::EncodeInt(value.connected_system_id, &value_buf_);
    BatchPut(keys::RunProfileOwnerKey(value.id).view(), value_buf_);
  }
  codec::Encode(value, &value_buf_);
  BatchPut(keys::RunProfileKey(value.connected_system_id, value.id).view(), value_buf_);
}

void GroupTransaction::Put(const core::ApiKey& value) {
  auto old = FindApiKey(value.id);
  if (old && old->digest_hex != value.digest_hex) BatchDelete(keys::ApiKeyDigestKey(old->digest_hex));
  codec::Encode(value, &value_buf_);
  BatchPut(keys::ApiKeyKey(value.id), value_buf_);
  codec::EncodeText(value.id, &value_buf_);
  BatchPut(keys::ApiKeyDigestKey(value.digest_hex), value_buf_);
}

void GroupTransaction::Put(const core::IdempotencyRecord& value) {
  codec::Encode(value, &value_buf_);
  BatchPut(keys::IdempotencyKey(value.key), value_buf_);
}

void GroupTransaction::DeleteConnectorDefinition(core::Id id) {
  auto old = FindConnectorDefinition(id);
  if (!old) return;
  BatchDelete(keys::ConnectorDefKey(id).view());
  std::string name_key = keys::ConnectorNameKey(old->name);
  if (FindName(name_key) == id) BatchDelete(name_key);
}

// Everything under the system goes in this same batch: its partitions (with their indexes), its run
// profiles (with rpx/), its counters. Activities stay: they are the audit trail.
void GroupTransaction::DeleteConnectedSystem(core::Id id) {
  auto old = FindConnectedSystem(id);
  if (!old) return;
  BatchDelete(keys::SystemKey(id).view());
  std::string name_key = keys::SystemNameKey(core::FoldName(old->name));
  if (FindName(name_key) == id) BatchDelete(name_key);
  AddCounter(CounterKey(CounterKind::kConnectorUse, old->connector_id), -1);

  // Collect first, delete afterwards: the batch must not change under the iterator.
  for (const auto& [key, value] : Collect(keys::PartitionPrefix(id).view())) {
    core::Partition p;
    if (!codec::Decode(value, &p)) Corrupt(key);
    BatchDelete(key);
    BatchDelete(keys::PartitionOwnerKey(p.id).view());
    std::string pname = keys::PartitionNameKey(id, core::FoldName(p.name));
    if (FindName(pname) == p.id) BatchDelete(pname);
  }
  for (const auto& [key, value] : Collect(keys::RunProfilePrefix(id).view())) {
    core::Id rp = static_cast<core::Id>(keys::ReadBE64(key, key.size() - 8));
    BatchDelete(key);
    BatchDelete(keys::RunProfileOwnerKey(rp).view());
  }
  std::string per_system = CounterKey(CounterKind::kRunProfilesPerSystem, id);
  int64_t profiles = Counter(per_system);
  AddCounter(per_system, -profiles);
  AddCounter(CounterKey(CounterKind::kRunProfilesAll), -profiles);
}

void GroupTransaction::DeletePartition(core::Id id) {
  auto old = FindPartition(id);
  if (!old) return;
  BatchDelete(keys::PartitionKey(old->connected_system_id, id).view());
  BatchDelete(keys::PartitionOwnerKey(id).view());
  std::string name_key = keys::PartitionNameKey(old->connected_system_id, core::FoldName(old->name));
  if (FindName(name_key) == id) BatchDelete(name_key);
}

void GroupTransaction::DeleteRunProfile(core::Id id) {
  auto cs = RunProfileOwner(id);
  if (!cs) return;
  BatchDelete(keys::RunProfileKey(*cs, id).view());
  BatchDelete(keys::RunProfileOwnerKey(id).view());
  AddCounter(CounterKey(CounterKind::kRunProfilesPerSystem, *cs), -1);
  AddCounter(CounterKey(CounterKind::kRunProfilesAll), -1);
}

void GroupTransaction::DeleteApiKey(std::string_view id) {
  auto old = FindApiKey(id);
  if (!old) return;
  BatchDelete(keys::ApiKeyKey(id));
  std::string digest_key = keys::ApiKeyDigestKey(old->digest_hex);
  std::string_view v;
  Hit hit = InBatch(digest_key, &v);
  bool points_here = hit == Hit::kValue ? v.substr(1) == id
                     : hit == Hit::kMiss
                         ? [&] {
                             auto it = committed_->api_key_by_digest.find(old->digest_hex);
                             return it != committed_->api_key_by_digest.end() && it->second == id;
                           }()
                         : false;
  if (points_here) BatchDelete(digest_key);
}

// The record is never read inside a transaction (write-only, like the audit rows); the head is, by the
// next change of the same object, so it goes through the indexed batch.
void GroupTransaction::Put(const core::ConfigVersion& value) {
  const auto type = static_cast<uint8_t>(value.object_type);
  codec::Encode(value, &value_buf_);
  WriteOnlyPut(keys::ConfigVersionKey(type, value.object_key, value.version), value_buf_);
  codec::Encode(core::HeadOf(value), &value_buf_);
  BatchPut(keys::ConfigHeadKey(type, value.object_key), value_buf_);
}

// The activity gets the next sequence number: its key orders the trail by commit time. The filter
// indexes and their counters are written with it, so a filtered page never scans the whole trail.
void GroupTransaction::Record(const core::Activity& activity) {
  const size_t slot = kActivitySlot;
  seq_dirty_[slot] = true;
  const uint64_t seq = static_cast<uint64_t>(++next_[slot]);
  const uint8_t type = static_cast<uint8_t>(activity.target_type);
  codec::Encode(activity, &value_buf_);
  WriteOnlyPut(keys::ActivityKey(seq).view(), value_buf_);
  codec::EncodeInt(static_cast<int64_t>(seq), &value_buf_);
  WriteOnlyPut(keys::ActivityIdKey(activity.id), value_buf_);
  WriteOnlyPut(keys::ActivityByTypeKey(type, seq).view(), codec::Marker());
  AddCounter(CounterKey(CounterKind::kActivitiesAll), +1);
  AddCounter(keys::CounterKeyByte(CounterKind::kActivitiesPerType, type), +1);
  if (activity.connected_system_id) {
    const core::Id cs = *activity.connected_system_id;
    WriteOnlyPut(keys::ActivityBySystemKey(cs, seq).view(), codec::Marker());
    WriteOnlyPut(keys::ActivityBySystemTypeKey(cs, type, seq).view(), codec::Marker());
    AddCounter(CounterKey(CounterKind::kActivitiesPerSystem, cs), +1);
    AddCounter(CounterKey(CounterKind::kActivitiesPerSystemType, cs, type), +1);
  }
}

}  // namespace jim::store
