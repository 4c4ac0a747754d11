// Subcommands that work on a stopped server's data dir, plus the container health check.
#pragma once

#include <optional>
#include <string>

namespace jim::cmd {

int ApiKeyCreate(const std::string& data_dir, const std::string& name, const std::string& role,
                 const std::string& expires_in);
int ApiKeyList(const std::string& data_dir);
int ApiKeyRevoke(const std::string& data_dir, const std::string& id);
int Backup(const std::string& data_dir, const std::string& to);
int Restore(const std::string& from, const std::string& data_dir, bool force);
int HealthCheck(const std::string& url);

// Parses a duration such as 30d, 12h, 45m or 90s into milliseconds.
std::optional<long long> ParseDuration(const std::string& text);

}  // namespace jim::cmd
