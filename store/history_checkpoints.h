// HistoryCheckpoints: the configuration-history checkpoints of connected systems, built after their group
// committed instead of inside it (docs/store.md, "History checkpoints off the write path").
//
// A group's transaction that writes a version due a checkpoint writes it as a delta and asks for one
// (GroupTransaction::DeferCheckpoint); after the group's write, RocksCatalog hands the requests here. One
// thread builds them, each from a RocksDB snapshot: the head names the newest version V, the system is
// read at the same snapshot and encoded whole (core::WholeConnectedSystem over SnapshotReader), record V
// is rewritten as that checkpoint, and then, under the commit token for two point reads and one small
// write, the head takes the new checkpoint's totals. Encoding a system of 100,000 profiles took tens of
// milliseconds inside the group, holding every writer behind it (docs/performance.md).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>

#include "core/entities.h"

namespace jim::store {

struct CheckpointRequest {
  core::ConfigObjectType type = core::ConfigObjectType::kConnectedSystem;
  std::string key;
  bool operator==(const CheckpointRequest&) const = default;
};

// Test hooks, called on the checkpoint thread (empty in production): before a build takes its snapshot,
// and after it encoded the checkpoint, before anything is rewritten. A hook may call Transact.
struct CheckpointHooks {
  std::function<void()> before_snapshot;
  std::function<void()> before_rewrite;
};

class HistoryCheckpoints {
 public:
  // Runs `fn` on the open DB, holding it open meanwhile; throws core::StoreUnavailable when it is closed.
  using WithDb = std::function<void(const std::function<void(rocksdb::DB&)>& fn)>;
  // Runs `fn` holding the commit token (no group commits meanwhile).
  using Exclusive = std::function<void(const std::function<void()>& fn)>;
  // Whether the store may write now (free space floor, no failed write pending recovery).
  using CanWrite = std::function<bool()>;

  HistoryCheckpoints(WithDb with_db, Exclusive exclusive, CanWrite can_write, CheckpointHooks hooks);
  ~HistoryCheckpoints();
  HistoryCheckpoints(const HistoryCheckpoints&) = delete;
  HistoryCheckpoints& operator=(const HistoryCheckpoints&) = delete;

  // Allows builds. The thread starts with the first request and ends after kIdleExit without one, so an
  // idle or read-only server runs no thread for this (the server's threads stay at its pool + 4).
  void Start();
  // Queues what is not queued already. A request for an object whose build is running is queued again:
  // the build may have taken its snapshot before the version that asked (it checks again whether one
  // is still due). Dropped after Stop.
  void Request(std::vector<CheckpointRequest> wanted);
  // Waits until nothing is queued or being built (tests, and jim_bench_fill before it leaves a store).
  void Drain();
  // Drops what is queued, lets a running build finish, and joins the thread. Idempotent. Call it before
  // the DB closes: a build holds a snapshot and writes.
  void Stop();
  // Checkpoints rewritten since open.
  uint64_t Built();

 private:
  void Loop();
  // Returns whether it rewrote a record.
  bool Build(const CheckpointRequest& request);

  WithDb with_db_;
  Exclusive exclusive_;
  CanWrite can_write_;
  CheckpointHooks hooks_;

  std::mutex mu_;
  std::condition_variable work_cv_;  // the thread waits for requests
  std::condition_variable idle_cv_;  // Drain waits for an empty queue and no build
  std::vector<CheckpointRequest> queue_;  // oldest first; few (one per system with a checkpoint due)
  bool building_ = false;
  bool started_ = false;
  bool running_ = false;  // thread_ is in Loop (it clears this, under mu_, as its last act)
  bool stopping_ = false;
  uint64_t built_ = 0;
  std::thread thread_;
};

}  // namespace jim::store
