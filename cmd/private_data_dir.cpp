#include "cmd/private_data_dir.h"

#include <sys/stat.h>

#include <cstdio>

namespace jim::cmd {

void MakeCreatedFilesPrivate() { ::umask(077); }

std::optional<std::string> DataDirPermissionWarning(const std::string& data_dir) {
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  if ((st.st_mode & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "the data dir " + data_dir + " is accessible to other users (mode " + mode +
         "): they can read every record and the API key digests; run: chmod 700 " + data_dir;
}

}  // namespace jim::cmd
