// The data dir holds every record and the digest of every API key: it is the owner's alone.
#pragma once

#include <optional>
#include <string>

namespace jim::cmd {

// Sets the process umask to 077, so everything jim-edge creates from here on (the data dir, RocksDB's
// files, backups, the initial-api-key file) is 0700 / 0600. Call first thing in main.
void MakeCreatedFilesPrivate();

// For a data dir that already exists and that group or others can read, write or enter: the one warning
// line to print, naming the fix. Nullopt when it is private or does not exist yet (it is then created
// private).
std::optional<std::string> DataDirPermissionWarning(const std::string& data_dir);

}  // namespace jim::cmd
