// Failure injection on the write-ahead log: for every N up to a bound, the Nth WAL append or sync
// fails. The invariants a client can rely on:
//   - a write reported OK is on disk: it is there after a reopen, with its activity;
//   - a failed write is reported as kUnavailable, never as OK;
//   - a failed write may or may not survive (its bytes may have reached the OS before the sync failed),
//     but never half of it: a profile is present with its activity and its counter, or not at all;
//   - after the reopen no id is handed out again.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

class FaultyWalFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyWalFs(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "FaultyWalFs"; }

  // Arms the fault: the `n`th WAL operation from now fails (once).
  void FailNth(int n) {
    ops_ = 0;
    fail_at_ = n;
  }
  bool Fired() const { return fired_.load(); }

  // Counts a WAL operation; true when this one must fail.
  bool Hit() {
    if (fail_at_.load() <= 0) return false;
    if (++ops_ != fail_at_.load()) return false;
    fired_ = true;
    return true;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, opts, result, dbg);
    if (s.ok() && fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0)
      *result = std::make_unique<File>(std::move(*result), this);
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile>&& f, FaultyWalFs* fs)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->Hit()) return rocksdb::IOStatus::IOError("injected WAL append fault");
      return FSWritableFileOwnerWrapper::Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
      if (fs_->Hit()) return rocksdb::IOStatus::IOError("injected WAL append fault");
      return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->Hit()) return rocksdb::IOStatus::IOError("injected WAL sync fault");
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->Hit()) return rocksdb::IOStatus::IOError("injected WAL fsync fault");
      return FSWritableFileOwnerWrapper::Fsync(o, dbg);
    }

   private:
    FaultyWalFs* fs_;
  };

  std::atomic<int> ops_{0};
  std::atomic<int> fail_at_{0};
  std::atomic<bool> fired_{false};
};

constexpr int kMaxN = 30;
constexpr int kWrites = 12;

TEST(FaultInjection, AcknowledgedWritesSurviveAFailedWalOperationAtEveryPoint) {
  int fired_runs = 0;
  for (int n = 1; n <= kMaxN; ++n) {
    SCOPED_TRACE("failing WAL operation #" + std::to_string(n));
    TempDir tmp;
    auto fs = std::make_shared<FaultyWalFs>(rocksdb::FileSystem::Default());
    StoreOptions options = Options(tmp.path());
    options.env = std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());

    core::Id cs = 0;
    std::map<core::Id, std::string> acked;      // id -> name of profiles reported created
    std::map<std::string, core::Id> attempted;  // name -> id tried (0 when the body never ran)
    core::Id max_seen = 0;
    {
      auto catalog = MustOpen(options);
      ASSERT_TRUE(catalog);
      cs = CreateSystem(*catalog, "HR");
      fs->FailNth(n);
      for (int i = 0; i < kWrites; ++i) {
        const std::string name = "p" + std::to_string(i);
        core::Status st = core::OkStatus();
        core::Id id = CreateProfile(*catalog, cs, name, 1000 + i, &st);
        if (st.ok()) {
          ASSERT_GT(id, max_seen) << "ids must grow";
          acked[id] = name;
          max_seen = id;
        } else {
          EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable) << st.error().detail;
          EXPECT_EQ(st.error().message, "The store cannot write right now.");
        }
        attempted[name] = id;
      }
      if (fs->Fired()) {
        ++fired_runs;
        EXPECT_LT(acked.size(), static_cast<size_t>(kWrites)) << "a fault fired but every write was acknowledged";
      }
      // One fault costs at most one write: the store heals (Resume or reopen) by itself.
      EXPECT_GE(acked.size(), static_cast<size_t>(kWrites - 1));
      EXPECT_EQ(catalog->CountRunProfiles(cs).value(), static_cast<int64_t>(catalog->ListRunProfiles(cs).value().size()));
      // When the very last write failed, nothing else triggers recovery: the idle committer does.
      std::string reason;
      for (int i = 0; i < 60 && !catalog->IsWritable(&reason); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      EXPECT_TRUE(catalog->IsWritable(&reason)) << reason << " " << catalog->LastWriteError();
    }

    auto catalog = MustOpen(tmp.path());  // the default file system: no fault
    ASSERT_TRUE(catalog);
    for (const auto& [id, name] : acked) {
      auto rp = catalog->GetRunProfile(id).value();
      ASSERT_TRUE(rp) << "acknowledged profile " << id << " is gone";
      EXPECT_EQ(rp->name, name);
    }
    // All or nothing per write: every present profile has its activity, counters match the rows.
    auto present = catalog->ListRunProfiles(cs).value();
    EXPECT_EQ(catalog->CountRunProfiles(cs).value(), static_cast<int64_t>(present.size()));
    core::ActivityQuery q;
    q.connected_system_id = cs;
    q.limit = 1000;
    auto activities = catalog->ListActivities(q).value();
    EXPECT_EQ(activities.total, static_cast<int64_t>(present.size()));
    std::set<core::Id> with_activity;
    for (const auto& a : activities.items) with_activity.insert(a.run_profile_id.value_or(0));
    for (const auto& rp : present) {
      EXPECT_TRUE(with_activity.count(rp.id)) << "profile " << rp.id << " without its activity";
      EXPECT_TRUE(attempted.count(rp.name)) << "profile nobody wrote";
      max_seen = std::max(max_seen, rp.id);
    }
    // No id comes back.
    core::Id next = CreateProfile(*catalog, cs, "after-reopen", 5000);
    EXPECT_GT(next, max_seen);
  }
  // The bound must reach past the setup into the writes, or the test proves nothing.
  EXPECT_GT(fired_runs, kMaxN / 2);
}

// After a failed WAL write the store reports itself unwritable, and heals by itself (RocksDB Resume)
// without a restart once the file system behaves again.
TEST(FaultInjection, StoreReportsUnwritableAfterAFailedWriteAndRecovers) {
  TempDir tmp;
  auto fs = std::make_shared<FaultyWalFs>(rocksdb::FileSystem::Default());
  StoreOptions options = Options(tmp.path());
  options.env = std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
  auto catalog = MustOpen(options);
  core::Id cs = CreateSystem(*catalog, "HR");
  fs->FailNth(1);
  core::Status st = core::OkStatus();
  EXPECT_EQ(CreateProfile(*catalog, cs, "fails", 1, &st), 0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable);
  std::string reason;
  EXPECT_FALSE(catalog->IsWritable(&reason));
  EXPECT_EQ(reason, "store_write_failed");
  EXPECT_GE(catalog->Stats().write_failures, 1u);

  core::Id id = 0;
  for (int i = 0; i < 50 && id == 0; ++i) {  // the next group tries Resume first
    id = CreateProfile(*catalog, cs, "works", 2 + i, &st);
    if (id == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(id, 0) << (st.ok() ? "" : st.error().detail);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().detail);
  EXPECT_TRUE(catalog->IsWritable(&reason));
}

}  // namespace
}  // namespace jim::store
