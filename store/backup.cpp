#include "store/backup.h"

#include <filesystem>
#include <memory>

#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include "store/codec.h"
#include "store/key_schema.h"

namespace jim::store {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::MakeError;

bool IsMissingOrEmpty(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

// A backup is usable when RocksDB opens it read-only and it carries our schema version.
core::Status VerifyBackup(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options opts;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(opts, dir, &raw);
  if (!s.ok())
    return MakeError(ErrorCode::kInvalidArgument, "The backup in " + dir + " cannot be opened.", s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), rocksdb::Slice(keys::kSchemaVersionKey.data(), keys::kSchemaVersionKey.size()),
              &value);
  int64_t version = 0;
  if (!s.ok() || !codec::DecodeInt(value, &version) || version != keys::kSchemaVersion)
    return MakeError(ErrorCode::kInvalidArgument, "The backup in " + dir + " is not a jim-edge store this version reads.",
                     s.ToString());
  return core::OkStatus();
}

// Refuses to touch a data dir a running server holds (RocksDB's LOCK file).
core::Status CheckNotLocked(const std::string& data_dir) {
  const std::string lock_path = data_dir + "/LOCK";
  std::error_code ec;
  if (!fs::exists(lock_path, ec)) return core::OkStatus();
  rocksdb::Env* env = rocksdb::Env::Default();
  rocksdb::FileLock* lock = nullptr;
  rocksdb::Status s = env->LockFile(lock_path, &lock);
  if (!s.ok())
    return MakeError(ErrorCode::kUnavailable, "The data dir " + data_dir + " is locked by another jim-edge process.",
                     s.ToString());
  (void)env->UnlockFile(lock);
  return core::OkStatus();
}

}  // namespace

core::Status BackupTo(RocksCatalog& catalog, const std::string& dir) {
  if (!IsMissingOrEmpty(dir))
    return MakeError(ErrorCode::kInvalidArgument, "The backup dir " + dir + " exists and is not empty.");
  std::error_code ec;
  fs::remove(dir, ec);  // an empty dir: Checkpoint insists on creating it itself
  return catalog.Checkpoint(dir);
}

core::Status RestoreFrom(const std::string& backup_dir, const std::string& data_dir, bool force) {
  if (core::Status verified = VerifyBackup(backup_dir); !verified.ok()) return verified;
  const bool empty = IsMissingOrEmpty(data_dir);
  if (!empty && !force)
    return MakeError(ErrorCode::kConflict,
                     "The data dir " + data_dir + " is not empty; pass --force to replace its contents.");
  if (!empty) {
    if (core::Status unlocked = CheckNotLocked(data_dir); !unlocked.ok()) return unlocked;
  }

  // Copy next to the target first, so a failed copy leaves the old data dir untouched.
  const fs::path target = fs::path(data_dir).lexically_normal();
  const fs::path staging = target.parent_path() / (target.filename().string() + ".restoring");
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (!ec) fs::copy(backup_dir, staging, fs::copy_options::recursive, ec);
  // fs::copy keeps the backup's modes; a backup made before the data dir was private must not make the
  // restored one readable by others.
  if (!ec) {
    fs::permissions(staging, fs::perms::owner_all, ec);
    for (auto it = fs::recursive_directory_iterator(staging, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      fs::permissions(it->path(), it->is_directory() ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write,
                      ec);
    }
  }
  if (ec) {
    fs::remove_all(staging, ec);
    return MakeError(ErrorCode::kUnavailable, "Cannot copy the backup into place: " + ec.message() + ".");
  }
  fs::remove_all(target, ec);
  if (!ec) fs::rename(staging, target, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "Cannot move the restored data into " + data_dir + ": " + ec.message() + ".");

  // Prove the restored dir opens as a store (and clean up the verification's lock).
  StoreOptions options;
  options.data_dir = data_dir;
  options.min_free_bytes = 0;
  auto opened = RocksCatalog::Open(options);
  if (!opened.ok()) return opened.error();
  return core::OkStatus();
}

}  // namespace jim::store
