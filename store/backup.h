// Online backup and offline restore of a data dir.
#pragma once

#include <string>

#include "core/result.h"
#include "store/rocks_catalog.h"

namespace jim::store {

// Writes a consistent copy of the open store into `dir` (a RocksDB checkpoint: SST files are
// hard-linked when on the same file system). `dir` must not exist or be empty.
core::Status BackupTo(RocksCatalog& catalog, const std::string& dir);

// Replaces `data_dir` with the backup in `backup_dir`. The server must be stopped (a locked data dir is
// refused). A non-empty `data_dir` is refused unless `force`. The backup is verified to open first,
// and the restored dir afterwards.
core::Status RestoreFrom(const std::string& backup_dir, const std::string& data_dir, bool force);

}  // namespace jim::store
