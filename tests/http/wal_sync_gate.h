// A RocksDB FileSystem that watches the write-ahead log's syncs, for the durability proofs: it counts
// the WAL syncs that have returned, and when armed it holds each WAL sync at a gate until the test
// releases it, with success or with an I/O error. Everything but the WAL (*.log) passes straight through.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace jim::http::testing {

class WalSyncGate : public rocksdb::FileSystemWrapper {
 public:
  explicit WalSyncGate(const std::shared_ptr<rocksdb::FileSystem>& base = rocksdb::FileSystem::Default())
      : FileSystemWrapper(base) {}
  const char* Name() const override { return "WalSyncGate"; }

  // An Env over this file system, for store::StoreOptions::env.
  static std::shared_ptr<rocksdb::Env> EnvOver(const std::shared_ptr<WalSyncGate>& gate) {
    return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(gate).release());
  }

  // WAL syncs that have returned successfully so far.
  uint64_t SyncsReturned() const { return returned_.load(); }

  // From now on every WAL sync waits at the gate (in arrival order) until Release() lets it through.
  void Arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  // Waits (at most `timeout`) until `n` syncs in all have reached the gate since it was constructed.
  bool WaitEntered(int n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return entered_ >= n; });
  }
  // Lets the oldest held sync go: it runs and returns its result, or fails without syncing when
  // `fail`. `disarm` makes later syncs pass straight through (a failed sync makes the store reopen
  // RocksDB, and that must not wait for the test).
  void Release(bool fail, bool disarm = false) {
    std::lock_guard lock(mu_);
    ++released_;
    fail_[released_] = fail;
    if (disarm) armed_ = false;
    cv_.notify_all();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, opts, result, dbg);
    if (s.ok() && IsWal(fname)) *result = std::make_unique<WalFile>(std::move(*result), this);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReopenWritableFile(fname, opts, result, dbg);
    if (s.ok() && IsWal(fname)) *result = std::make_unique<WalFile>(std::move(*result), this);
    return s;
  }
  // RocksDB recycles WAL files when asked to; jim-edge does not, but a recycled WAL is still the WAL.
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReuseWritableFile(fname, old_fname, opts, result, dbg);
    if (s.ok() && IsWal(fname)) *result = std::make_unique<WalFile>(std::move(*result), this);
    return s;
  }

 private:
  static bool IsWal(const std::string& fname) {
    return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0;
  }

  // Holds the calling sync while armed; true when the test released it as failed.
  bool PassGate() {
    std::unique_lock lock(mu_);
    if (!armed_) return false;
    const int ticket = ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_ >= ticket; });
    return fail_[ticket];
  }

  template <class SyncFn>
  rocksdb::IOStatus Watch(SyncFn&& sync) {
    if (PassGate()) return rocksdb::IOStatus::IOError("injected WAL sync failure");
    rocksdb::IOStatus s = sync();
    if (s.ok()) returned_.fetch_add(1);
    return s;
  }

  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile>&& f, WalSyncGate* gate)
        : FSWritableFileOwnerWrapper(std::move(f)), gate_(gate) {}
    // Not RangeSync: sync_file_range makes no promise about durability, so it is not counted.
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return gate_->Watch([&] { return FSWritableFileOwnerWrapper::Sync(o, dbg); });
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return gate_->Watch([&] { return FSWritableFileOwnerWrapper::Fsync(o, dbg); });
    }
   private:
    WalSyncGate* gate_;
  };

  std::atomic<uint64_t> returned_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  int entered_ = 0;
  int released_ = 0;
  std::map<int, bool> fail_;  // ticket -> released as failed
};

}  // namespace jim::http::testing
