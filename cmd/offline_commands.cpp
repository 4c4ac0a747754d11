#include "cmd/offline_commands.h"

#include <httplib.h>

#include <charconv>
#include <cstdio>
#include <iostream>

#include "cmd/app.h"
#include "cmd/private_data_dir.h"
#include "store/backup.h"
#include "store/copy_store.h"
#include "store/pg_migrations.h"

namespace jim::cmd {

namespace {
const core::Actor kCliActor{"System", "00000000-0000-0000-0000-000000000001", "jim-edge cli"};

std::unique_ptr<App> OpenOffline(const StoreChoice& store) { return OpenApp(store); }
std::unique_ptr<App> OpenOffline(const std::string& data_dir) {
  StoreChoice store;
  store.data_dir = data_dir;
  return OpenApp(store);
}
}  // namespace

std::optional<long long> ParseDuration(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
  switch (text.back()) {
    case 'd': return n * 86'400'000LL;
    case 'h': return n * 3'600'000LL;
    case 'm': return n * 60'000LL;
    case 's': return n * 1'000LL;
    default: return std::nullopt;
  }
}

int ApiKeyCreate(const StoreChoice& store, const std::string& name, const std::string& role,
                 const std::string& expires_in) {
  core::CreateApiKeyInput in;
  in.name = name;
  if (role == "Administrator") in.role_ids = std::vector<int64_t>{core::kAdministratorRoleId};
  else if (role == "none") in.role_ids = std::vector<int64_t>{};
  else {
    PrintFailure("--role must be Administrator or none.");
    return 2;
  }
  auto app = OpenOffline(store);
  if (!app) return 1;
  if (!expires_in.empty()) {
    auto ms = ParseDuration(expires_in);
    if (!ms) {
      PrintFailure("--expires-in takes a duration such as 30d, 12h, 45m or 90s.");
      return 2;
    }
    in.expires_at = app->clock.NowMillis() + *ms;
  }
  auto created = app->core.keys.Create(kCliActor, in);
  if (!created) {
    std::string why = created.error().message;
    for (const auto& f : created.error().fields) why += " " + f.field + ": " + f.message + ".";
    PrintFailure(why);
    return 1;
  }
  // The only time the key is shown: stdout, for the operator to capture.
  std::cout << created->plaintext << "\n";
  std::cerr << "Created API key " << created->key.id << " (" << created->key.key_prefix
            << "...). Store it now: it cannot be shown again.\n";
  return 0;
}

int ApiKeyList(const StoreChoice& store) {
  auto app = OpenOffline(store);
  if (!app) return 1;
  std::printf("%-36s  %-12s  %-8s  %-13s  %s\n", "ID", "PREFIX", "ENABLED", "ROLE", "NAME");
  auto keys = app->core.keys.List();
  if (!keys) {
    PrintFailure(keys.error().message + " (" + keys.error().detail + ")");
    return 1;
  }
  for (const auto& k : *keys)
    std::printf("%-36s  %-12s  %-8s  %-13s  %s\n", k.id.c_str(), k.key_prefix.c_str(), k.enabled ? "yes" : "no",
                k.IsAdministrator() ? "Administrator" : "-", k.name.c_str());
  return 0;
}

int ApiKeyRevoke(const StoreChoice& store, const std::string& id) {
  auto app = OpenOffline(store);
  if (!app) return 1;
  auto st = app->core.keys.Delete(kCliActor, id);
  if (!st) {
    PrintFailure(st.error().message);
    return 1;
  }
  std::cerr << "Revoked API key " << id << ".\n";
  return 0;
}

int Backup(const std::string& data_dir, const std::string& to) {
  auto app = OpenOffline(data_dir);
  if (!app) return 1;
  auto st = store::BackupTo(*app->rocks, to);
  if (!st) {
    PrintFailure(st.error().message);
    return 1;
  }
  std::cerr << "Backed up " << data_dir << " to " << to << ".\n";
  return 0;
}

int Restore(const std::string& from, const std::string& data_dir, bool force) {
  auto st = store::RestoreFrom(from, data_dir, force);
  if (!st) {
    PrintFailure(st.error().message);
    return 1;
  }
  if (auto warning = DataDirPermissionWarning(data_dir)) PrintWarning(*warning);
  std::cerr << "Restored " << from << " into " << data_dir << ".\n";
  return 0;
}

int Migrate(const std::string& database_url) {
  store::PgOptions options;
  options.url = database_url;
  auto opened = store::PgCatalog::Open(options);  // applies what is missing, under the migration lock
  if (!opened) {
    PrintFailure(opened.error().message);
    return 1;
  }
  std::cerr << "The database " << opened.value()->display_url() << " is at schema version "
            << store::pg::LatestSchemaVersion() << ".\n";
  return 0;
}

int Copy(const std::string& data_dir, const std::string& database_url) {
  store::CopyOptions options;
  options.data_dir = data_dir;
  options.database_url = database_url;
  uint64_t total = 0;
  auto copied = store::CopyRocksToPostgres(options, [&](std::string_view what, uint64_t rows, bool done) {
    if (!done) {
      std::cerr << "jim-edge: copying " << what << ": " << rows << " so far\n";
      return;
    }
    total += rows;
    std::cerr << "jim-edge: " << what << ": " << rows << " rows\n";
  });
  if (!copied) {
    PrintFailure(copied.error().message);
    return 1;
  }
  std::cerr << "Copied " << total << " rows from " << data_dir << " into " << store::pg::MaskPassword(database_url)
            << " in one transaction. Start the nodes with --store postgresql; keep " << data_dir
            << " until they serve.\n";
  return 0;
}

int HealthCheck(const std::string& url) {
  httplib::Client client(url);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(3, 0);
  client.enable_server_certificate_verification(false);  // a local probe of our own, often self-signed
  auto res = client.Get("/api/v1/health/ready");
  if (!res) {
    PrintFailure("health check failed: cannot reach " + url);
    return 1;
  }
  if (res->status != 200) {
    PrintFailure("not ready (" + std::to_string(res->status) + "): " + res->body);
    return 1;
  }
  return 0;
}

}  // namespace jim::cmd
