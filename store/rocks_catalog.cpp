#include "store/rocks_catalog.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>

#include "store/codec.h"
#include "store/group_txn.h"
#include "store/info_log.h"
#include "store/key_schema.h"

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

// RocksDB bumps its perf and I/O statistics in thread_locals of the shared library, and every bump goes
// through __tls_get_addr (6.7% of the create path's samples). jim-edge reads neither, so each thread that
// touches the DB switches them off once: BM_CreateRelaxed/threads:1 26.4 -> 22.8 us.
void SkipRocksStatistics() {
  thread_local const bool skipped = [] {
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    rocksdb::get_iostats_context()->disable_iostats = true;
    return true;
  }();
  (void)skipped;
}

// Calls fn(key, entry) for every entry of a write batch whose key starts with `prefix`.
template <class Fn>
void ForEachUnder(rocksdb::WBWIIterator& it, std::string_view prefix, Fn&& fn) {
  for (it.Seek(S(prefix)); it.Valid(); it.Next()) {
    const rocksdb::WriteEntry e = it.Entry();
    std::string_view key(e.key.data(), e.key.size());
    if (!key.starts_with(prefix)) break;
    fn(key, e);
  }
}

bool IsLockError(const rocksdb::Status& s) {
  const std::string msg = s.ToString();
  return s.IsIOError() && (msg.find("While lock file") != std::string::npos ||
                           msg.find("lock hold by current process") != std::string::npos);
}

// Memtable insert hints. RocksDB keeps one skiplist splice per hint prefix and inserts next to the
// previous key of that prefix instead of searching the memtable from the top (~18 levels of compares with
// cache misses in a full 16 MiB memtable) for every key. A create writes three kinds of keys:
// - keys ending in a big-endian id or sequence that only grows within the rest of the key (rp/<cs>/<rp>,
//   rpx/<rp>, act/<seq>, acs/<cs>/<seq>, att/<t>/<seq>, acst/<cs>/<t>/<seq>): the hint prefix is the key
//   minus those 8 bytes, so each insert appends after the previous one;
// - keys rewritten by every group (cnt/ counters, meta/seq/ high-water marks): a newer version of a key
//   sorts just before the older one, so the whole key is its own hint;
// - actx/<activity uuid>: activity ids are time-ordered (UUIDv7), so they land at the tail of actx/.
class CreatePathHints final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "jim.CreatePathHints"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    switch (HintOf({key.data(), key.size()})) {
      case Hint::kWholeKey: return key;
      case Hint::kActivityIds: return {key.data(), keys::kActivityId.size()};
      default: return {key.data(), key.size() - 8};
    }
  }
  bool InDomain(const rocksdb::Slice& key) const override { return HintOf({key.data(), key.size()}) != Hint::kNone; }

 private:
  enum class Hint { kNone, kGrowingId, kWholeKey, kActivityIds };
  static Hint HintOf(std::string_view k) {
    if (k.starts_with(keys::kCounter) || k.starts_with(keys::kSeq)) return Hint::kWholeKey;
    if (k.starts_with(keys::kActivityId)) return Hint::kActivityIds;
    if (k.size() < 12) return Hint::kNone;
    for (std::string_view prefix : {keys::kRunProfile, keys::kRunProfileOwner, keys::kActivity,
                                    keys::kActivityBySystem, keys::kActivityByType, keys::kActivityBySystemType})
      if (k.starts_with(prefix)) return Hint::kGrowingId;
    return Hint::kNone;
  }
};

rocksdb::Options MakeDbOptions(const StoreOptions& o) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.max_background_jobs = 2;
  opts.keep_log_file_num = 5;
  opts.memtable_insert_with_hint_prefix_extractor = std::make_shared<CreatePathHints>();
  // Memory: the memtable (one active plus one being flushed) is most of the process's RSS. 16 MiB each
  // instead of the default 64 MiB keeps a busy server well under 64 MiB, and a restart after a crash
  // replays at most that much WAL.
  opts.write_buffer_size = 16ull << 20;
  // Caution: a compaction's memory grows with the size of the SST it writes (the bloom filter builder,
  // for one, keeps every key hash of the file in small heap chunks until the file is finished). With the
  // default 64 MiB outputs a large L0 -> L1 compaction had ~25 MB more heap in use (mallinfo2), and the
  // RSS of a create run on a 400k-profile store went 36 -> 76 MB, kept by malloc afterwards; with 8 MiB
  // outputs ~10 MB and a 57-58 MB peak, for more, smaller files.
  opts.target_file_size_base = 8ull << 20;
  // RocksDB's own LOG writer aborts the process after a failed append (a full disk): see info_log.h.
  opts.info_log = std::make_shared<InfoLog>(o.data_dir);
  // Point reads (rpx/, idem/, actx/) mostly hit or miss single keys: a bloom filter skips files.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(8ull << 20);  // explicit: the default differs between versions
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (o.env) opts.env = o.env.get();
  return opts;
}

// A bounded scan over everything under `prefix`; the bounds live as long as the scan.
class PrefixScan {
 public:
  PrefixScan(rocksdb::DB* db, std::string_view prefix)
      : lower_(prefix), upper_(keys::PrefixUpperBound(prefix)), lower_slice_(lower_), upper_slice_(upper_) {
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro));
  }
  rocksdb::Iterator* operator->() { return it_.get(); }
  void CheckStatus() const {
    if (!it_->status().ok()) throw core::StoreUnavailable("scan failed: " + it_->status().ToString());
  }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

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
  rocksdb::Status s = rocksdb::DB::Open(MakeDbOptions(options), dir, &raw);
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
  catalog->committer_ = std::thread([c = catalog.get()] { c->CommitterLoop(); });
  return catalog;
}

RocksCatalog::RocksCatalog(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db)
    : options_(options), db_(std::move(db)), disk_(options.data_dir, options.min_free_bytes) {
  txn_ = std::make_unique<GroupTransaction>(db_.get(), &cache_);
}

RocksCatalog::~RocksCatalog() { Close(); }

void RocksCatalog::Close() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();  // it drains the queue before it exits
  std::lock_guard commit(commit_mu_);            // and a caller may still be committing its own group
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
  rocksdb::Status s = rocksdb::DB::Open(MakeDbOptions(options_), options_.data_dir, &raw);
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

// ---- the committer ---------------------------------------------------------------------------------

// Each caller sleeps on its own thread-local futex word, and the committer wakes exactly the callers of
// the group it just wrote. (One shared condition variable with notify_all woke every waiting caller
// after every group, including those queued for the next one, and they all then fought for queue_mu_
// while the committer needed it to start that next group.) The word is thread-local, not on the
// caller's stack, so it stays valid while the committer wakes it even after the caller has returned.
namespace {

thread_local std::atomic<uint32_t> tl_commit_done{0};

void WaitDone(std::atomic<uint32_t>& word) {
  while (word.load(std::memory_order_acquire) == 0)
    ::syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0);  // returns at once unless 0
}

void WakeDone(std::atomic<uint32_t>* word) {
  word->store(1, std::memory_order_release);
  ::syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace

core::Status RocksCatalog::Transact(const std::function<core::Status(core::Transaction&)>& body) {
  Pending pending{&body};
  pending.done = &tl_commit_done;
  pending.done->store(0, std::memory_order_relaxed);
  bool alone = false;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return MakeError(ErrorCode::kUnavailable, kCannotWrite, "store is closing");
    queue_.push_back(&pending);
    alone = queue_.size() == 1;
  }
  // An idle store commits on the caller's own thread (saving two thread hand-offs per write). When others
  // are queued too, the committer thread takes them all as one group: a caller leading then would commit
  // small groups and pay more fsyncs. Whoever does not lead wakes the committer in case nobody else does.
  std::unique_lock commit(commit_mu_, std::defer_lock);
  if (alone) (void)commit.try_lock();
  if (!commit.owns_lock()) {
    queue_cv_.notify_one();
    WaitDone(*pending.done);
    return std::move(pending.result);
  }
  std::vector<Pending*> group;
  std::unordered_map<std::string, core::Millis> touches;
  {
    std::lock_guard lock(queue_mu_);
    group.swap(queue_);
    touches.swap(touches_);
  }
  // Entries leave the queue only under commit_mu_ and are woken before it is released, so an entry of
  // ours that is not in this group was already committed by the previous holder.
  if (!group.empty() || !touches.empty()) CommitGroup(group, touches);
  for (Pending* p : group)
    if (p != &pending) WakeDone(p->done);
  bool more = false;
  {
    std::lock_guard lock(queue_mu_);
    more = !queue_.empty() || !touches_.empty();
  }
  commit.unlock();
  if (more) queue_cv_.notify_one();
  return std::move(pending.result);
}

void RocksCatalog::CommitterLoop() {
  std::vector<Pending*> group;
  std::unordered_map<std::string, core::Millis> touches;
  auto last_sweep = std::chrono::steady_clock::now();
  for (;;) {
    // Housekeeping between groups, on this thread: no transaction can re-use a key being deleted.
    if (std::chrono::steady_clock::now() - last_sweep >= kSweepInterval) {
      last_sweep = std::chrono::steady_clock::now();
      std::lock_guard commit(commit_mu_);
      try {
        SweepExpiredIdempotency(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
      } catch (const core::StoreUnavailable&) {
        // Best effort: the next interval tries again.
      }
    }
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, std::chrono::seconds(1),
                         [&] { return stopping_ || !queue_.empty() || !touches_.empty(); });
      if (queue_.empty() && touches_.empty()) {
        if (stopping_) return;
        lock.unlock();
        // An idle store still heals: a failed write leaves RocksDB read-only until Resume succeeds.
        if (write_failed_.load()) {
          std::lock_guard commit(commit_mu_);
          TryResume();
        }
        continue;
      }
    }
    // Callers may be committing on their own threads (see Transact): take the commit token first, then
    // whatever is still queued.
    std::lock_guard commit(commit_mu_);
    {
      std::lock_guard lock(queue_mu_);
      group.swap(queue_);
      touches.swap(touches_);
    }
    if (group.empty() && touches.empty()) continue;
    CommitGroup(group, touches);
    // The caller may return (and its Pending go) as soon as its word is set: read nothing after that.
    for (Pending* p : group) WakeDone(p->done);
    group.clear();
    touches.clear();
  }
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

std::string RocksCatalog::LastWriteError() {
  std::lock_guard lock(error_mu_);
  return write_error_;
}

size_t RocksCatalog::QueuedTransactions() const {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
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

void RocksCatalog::CommitGroup(std::vector<Pending*>& group,
                               std::unordered_map<std::string, core::Millis>& touches) {
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
    ForEachUnder(*it, prefix, [&](std::string_view key, const rocksdb::WriteEntry& e) {
      std::string_view value(e.value.data(), e.value.size());
      (void)cache_.Apply(key, e.type == rocksdb::kPutRecord ? &value : nullptr);
    });
  }
  // What was rendered from these systems' profiles, partitions or records is stale from here.
  for (std::string_view prefix : {keys::kRunProfile, keys::kPartition, keys::kSystem}) {
    ForEachUnder(*it, prefix, [&](std::string_view key, const rocksdb::WriteEntry& e) {
      if (key.size() < prefix.size() + 8) return;
      const auto system = static_cast<core::Id>(keys::ReadBE64(key, prefix.size()));
      // A deleted system's entry goes (ids are never reused, so the map only holds live systems); the
      // version every untracked system shares moves instead, which also moves the deleted one's.
      if (prefix == keys::kSystem && e.type == rocksdb::kDeleteRecord && key.size() == prefix.size() + 8) {
        list_versions_.erase(system);
        untracked_list_version_ = ++list_version_clock_;
        return;
      }
      list_versions_[system] = ++list_version_clock_;
    });
  }
}

void RocksCatalog::TouchApiKey(std::string_view id, core::Millis when) {
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return;
    auto it = touches_.find(std::string(id));
    if (it == touches_.end()) {
      touches_.emplace(std::string(id), when);
    } else {
      it->second = std::max(it->second, when);
    }
  }
  queue_cv_.notify_one();
}

bool RocksCatalog::IsWritable(std::string* reason) {
  auto set = [&](const char* why) {
    if (reason) *reason = why;
    return false;
  };
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return set("closing");
  }
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

std::vector<core::ConnectorDefinition> RocksCatalog::ListConnectorDefinitions() {
  std::shared_lock lock(cache_mu_);
  std::vector<core::ConnectorDefinition> out;
  out.reserve(cache_.connectors.size());
  for (const auto& [id, v] : cache_.connectors) out.push_back(v);
  return out;
}

std::optional<core::ConnectorDefinition> RocksCatalog::GetConnectorDefinition(core::Id id) {
  std::shared_lock lock(cache_mu_);
  auto it = cache_.connectors.find(id);
  if (it == cache_.connectors.end()) return std::nullopt;
  return it->second;
}

bool RocksCatalog::IsConnectorInUse(core::Id connector_id) {
  std::shared_lock lock(cache_mu_);
  return cache_.Counter(CounterKey(CounterKind::kConnectorUse, connector_id)) > 0;
}

std::vector<core::ConnectedSystem> RocksCatalog::ListConnectedSystems() {
  std::shared_lock lock(cache_mu_);
  std::vector<core::ConnectedSystem> out;
  out.reserve(cache_.systems.size());
  for (const auto& [id, v] : cache_.systems) out.push_back(v);
  return out;
}

std::optional<core::ConnectedSystem> RocksCatalog::GetConnectedSystem(core::Id id) {
  std::shared_lock lock(cache_mu_);
  auto it = cache_.systems.find(id);
  if (it == cache_.systems.end()) return std::nullopt;
  return it->second;
}

int64_t RocksCatalog::CountRunProfiles(core::Id connected_system_id) {
  std::shared_lock lock(cache_mu_);
  return cache_.Counter(CounterKey(CounterKind::kRunProfilesPerSystem, connected_system_id));
}

int64_t RocksCatalog::CountAllRunProfiles() {
  std::shared_lock lock(cache_mu_);
  return cache_.Counter(CounterKey(CounterKind::kRunProfilesAll));
}

std::vector<core::Partition> RocksCatalog::ListPartitions(core::Id connected_system_id) {
  std::shared_lock lock(cache_mu_);
  std::vector<core::Partition> out;
  for (auto it = cache_.partitions.lower_bound({connected_system_id, 0});
       it != cache_.partitions.end() && it->first.first == connected_system_id; ++it)
    out.push_back(it->second);
  return out;
}

std::optional<core::Partition> RocksCatalog::GetPartition(core::Id id) {
  std::shared_lock lock(cache_mu_);
  const core::Partition* p = cache_.FindPartition(id);
  if (!p) return std::nullopt;
  return *p;
}

// A bounded scan of rp/<cs>/: the cost depends on this system's profiles only.
std::vector<core::RunProfile> RocksCatalog::ListRunProfiles(core::Id connected_system_id) {
  std::vector<core::RunProfile> out;
  std::shared_lock lock(db_mu_);
  PrefixScan scan(LiveDb(), keys::RunProfilePrefix(connected_system_id).view());
  for (scan->SeekToFirst(); scan->Valid(); scan->Next())
    out.push_back(DecodeOrThrow<core::RunProfile>({scan->value().data(), scan->value().size()}));
  scan.CheckStatus();
  return out;
}

std::optional<core::RunProfile> RocksCatalog::GetRunProfile(core::Id id) {
  std::shared_lock lock(db_mu_);
  rocksdb::DB* db = LiveDb();
  auto owner = Get(db, keys::RunProfileOwnerKey(id).view());
  if (!owner) return std::nullopt;
  int64_t cs = 0;
  if (!codec::DecodeInt(*owner, &cs)) throw core::StoreUnavailable("corrupt run profile index");
  auto value = Get(db, keys::RunProfileKey(cs, id).view());
  if (!value) return std::nullopt;  // deleted between the two reads
  return DecodeOrThrow<core::RunProfile>(*value);
}

std::optional<core::RunProfile> RocksCatalog::GetRunProfileOf(core::Id connected_system_id, core::Id id) {
  std::shared_lock lock(db_mu_);
  auto value = Get(LiveDb(), keys::RunProfileKey(connected_system_id, id).view());
  if (!value) return std::nullopt;
  return DecodeOrThrow<core::RunProfile>(*value);
}

size_t RocksCatalog::TrackedListVersions() {
  std::shared_lock lock(cache_mu_);
  return list_versions_.size();
}

uint64_t RocksCatalog::RunProfileListVersion(core::Id connected_system_id) {
  std::shared_lock lock(cache_mu_);
  auto it = list_versions_.find(connected_system_id);
  return it == list_versions_.end() ? untracked_list_version_ : it->second;
}

std::vector<core::ApiKey> RocksCatalog::ListApiKeys() {
  std::shared_lock lock(cache_mu_);
  std::vector<core::ApiKey> out;
  out.reserve(cache_.api_keys.size());
  for (const auto& [id, v] : cache_.api_keys) out.push_back(v);
  return out;
}

std::optional<core::ApiKey> RocksCatalog::GetApiKey(std::string_view id) {
  std::shared_lock lock(cache_mu_);
  auto it = cache_.api_keys.find(id);
  if (it == cache_.api_keys.end()) return std::nullopt;
  return it->second;
}

std::optional<core::ApiKey> RocksCatalog::FindApiKeyByDigest(std::string_view digest_hex) {
  std::shared_lock lock(cache_mu_);
  auto d = cache_.api_key_by_digest.find(digest_hex);
  if (d == cache_.api_key_by_digest.end()) return std::nullopt;
  auto it = cache_.api_keys.find(d->second);
  if (it == cache_.api_keys.end()) return std::nullopt;
  return it->second;
}

// Newest first. Unfiltered pages walk act/ backwards; filtered ones walk their index backwards, so a
// page costs offset + limit steps, never the whole trail. Totals come from the persisted counters.
core::ActivityPage RocksCatalog::ListActivities(const core::ActivityQuery& query) {
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
  {
    std::shared_lock lock(cache_mu_);
    page.total = cache_.Counter(counter);
  }
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
}

std::optional<core::Activity> RocksCatalog::GetActivity(std::string_view id) {
  std::shared_lock lock(db_mu_);
  rocksdb::DB* db = LiveDb();
  auto seq_value = Get(db, keys::ActivityIdKey(id));
  if (!seq_value) return std::nullopt;
  int64_t seq = 0;
  if (!codec::DecodeInt(*seq_value, &seq)) throw core::StoreUnavailable("corrupt activity index");
  auto value = Get(db, keys::ActivityKey(static_cast<uint64_t>(seq)).view());
  if (!value) return std::nullopt;
  return DecodeOrThrow<core::Activity>(*value);
}

std::optional<core::IdempotencyRecord> RocksCatalog::GetIdempotency(std::string_view key) {
  std::shared_lock lock(db_mu_);
  auto value = Get(LiveDb(), keys::IdempotencyKey(key));
  if (!value) return std::nullopt;
  return DecodeOrThrow<core::IdempotencyRecord>(*value);
}

}  // namespace jim::store
