#include "store/rocks_tuning.h"

#include <memory>
#include <string_view>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "store/info_log.h"
#include "store/key_schema.h"

namespace jim::store {
namespace {

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

// Flushes run in the compaction pool: one background thread for both instead of one each. RocksDB
// schedules flushes there when the flush (HIGH) pool is empty, which this wrapper reports and keeps so
// (DB::Open would otherwise grow it to one thread). jim-edge's writes are small catalog records; a flush
// waits at most for one running compaction of a store that size (RocksDB's own default for years was
// exactly this: max_background_flushes = 0). Issue 14 counts the server's threads: this is one of them.
class OneBackgroundPoolEnv final : public rocksdb::EnvWrapper {
 public:
  explicit OneBackgroundPoolEnv(rocksdb::Env* target) : EnvWrapper(target) {}
  const char* Name() const override { return "JimOneBackgroundPoolEnv"; }
  void IncBackgroundThreadsIfNeeded(int num, Priority pri) override {
    if (pri != Priority::HIGH) target()->IncBackgroundThreadsIfNeeded(num, pri);
  }
  int GetBackgroundThreads(Priority pri) override {
    return pri == Priority::HIGH ? 0 : target()->GetBackgroundThreads(pri);
  }
};

rocksdb::Env* DefaultEnv() {
  static OneBackgroundPoolEnv env(rocksdb::Env::Default());  // outlives every DB of the process
  return &env;
}

}  // namespace

rocksdb::Options MakeDbOptions(const std::string& data_dir, rocksdb::Env* env) {
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
  opts.info_log = std::make_shared<InfoLog>(data_dir);
  // Point reads (rpx/, idem/, actx/) mostly hit or miss single keys: a bloom filter skips files.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(8ull << 20);  // explicit: the default differs between versions
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  opts.env = env ? env : DefaultEnv();
  return opts;
}

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

}  // namespace jim::store
