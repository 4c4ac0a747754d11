// Subcommands that work on a stopped server's data dir (or on the PostgreSQL database, where that makes
// sense), plus the container health check.
#pragma once

#include <optional>
#include <string>

#include "cmd/store_choice.h"

namespace jim::cmd {

int ApiKeyCreate(const StoreChoice& store, const std::string& name, const std::string& role,
                 const std::string& expires_in);
int ApiKeyList(const StoreChoice& store);
int ApiKeyRevoke(const StoreChoice& store, const std::string& id);
// Applies the PostgreSQL schema migrations and says which version the database is at.
int Migrate(const std::string& database_url);
// Copies a stopped embedded store into an empty PostgreSQL database (store/copy_store.h), progress on stderr.
int Copy(const std::string& data_dir, const std::string& database_url);
int Backup(const std::string& data_dir, const std::string& to);
int Restore(const std::string& from, const std::string& data_dir, bool force);
int HealthCheck(const std::string& url);

// Parses a duration such as 30d, 12h, 45m or 90s into milliseconds.
std::optional<long long> ParseDuration(const std::string& text);

}  // namespace jim::cmd
