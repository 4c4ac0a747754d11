// A full disk met by RocksDB itself (no free-space floor).
//
// Regression: a full disk aborted the whole server. RocksDB's own LOG writer (Debian's 7.8, built with
// assertions) asserts on the next append after a failed one, and RocksDB logs every failed write, so
// the first write on a full disk after the LOG had hit ENOSPC killed the process
// (writable_file_writer.h: Assertion `sync_without_flush_called_' failed). Found, and reproduced every
// time, by tests/reliability/full_disk.py (its no-floor ENOSPC phase on a tmpfs). The store now writes
// that LOG itself (store/info_log.h) and drops the lines it cannot write: InfoLogOnAFullDevice checks
// that. The injected file system below does not see RocksDB's LOG (RocksDB creates it through the
// default Env), so its test covers the WAL and table files: refused writes, no abort, healing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "store/info_log.h"
#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

// Every append and sync of every file fails with "no space" while `full` is set: a disk with no room.
class FullDiskFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFs(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "FullDiskFs"; }
  std::atomic<bool> full{false};

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
    rocksdb::IOStatus s = target()->NewWritableFile(fname, opts, result, dbg);
    if (s.ok()) *result = std::make_unique<File>(std::move(*result), this);
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile>&& f, FullDiskFs* fs) : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      if (fs_->full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Append(data, o, d);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* d) override {
      if (fs_->full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Append(data, o, info, d);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      if (fs_->full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Flush(o, d);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      if (fs_->full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Sync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      if (fs_->full.load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Fsync(o, d);
    }

   private:
    FullDiskFs* fs_;
  };
};

TEST(FullDisk, InfoLogOnAFullDeviceDropsLinesAndTheProcessLives) {
  TempDir tmp;
  ASSERT_EQ(::symlink("/dev/full", (tmp.path() + "/LOG").c_str()), 0);  // every write: ENOSPC
  auto log = std::make_shared<InfoLog>(tmp.path());
  for (int i = 0; i < 1000; ++i)
    rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, log, "line %d of a log that cannot be written", i);
  EXPECT_EQ(log->GetLogFileSize(), 0u);

  // And the catalog opens and writes with such a LOG.
  auto catalog = MustOpen(tmp.path());
  ASSERT_TRUE(catalog);
  EXPECT_GT(CreateProfile(*catalog, CreateSystem(*catalog, "HR"), "p", 1), 0);
}

TEST(FullDisk, WritesOnAFullDiskFailWithUnavailableAndHealWithoutARestart) {
  TempDir tmp;
  auto fs = std::make_shared<FullDiskFs>(rocksdb::FileSystem::Default());
  StoreOptions options = Options(tmp.path());  // no free-space floor: RocksDB itself meets the full disk
  options.env = std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
  auto catalog = MustOpen(options);
  ASSERT_TRUE(catalog);
  const core::Id cs = CreateSystem(*catalog, "HR");
  const core::Id before = CreateProfile(*catalog, cs, "before", 1);
  ASSERT_GT(before, 0);

  fs->full = true;
  int refused = 0;
  for (int i = 0; i < 5; ++i) {  // before the fix the process died here
    core::Status st = core::OkStatus();
    if (CreateProfile(*catalog, cs, "while-full-" + std::to_string(i), 10 + i, &st) == 0) {
      ++refused;
      EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable);
    }
  }
  EXPECT_EQ(refused, 5);
  std::string reason;
  EXPECT_FALSE(catalog->IsWritable(&reason));

  fs->full = false;
  core::Id after = 0;
  for (int i = 0; i < 100 && after == 0; ++i) {  // the store heals by itself (Resume or reopen)
    core::Status st = core::OkStatus();
    after = CreateProfile(*catalog, cs, "after", 100 + i, &st);
    if (after == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(after, before);
  catalog.reset();

  auto reopened = MustOpen(tmp.path());
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->GetRunProfile(before).value());
  EXPECT_TRUE(reopened->GetRunProfile(after).value());
}

}  // namespace
}  // namespace jim::store
