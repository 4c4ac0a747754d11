// jim-edge: the composition root. Parses the command line (flags > JIM_* environment > defaults) and
// runs one subcommand.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "cmd/app.h"
#include "cmd/offline_commands.h"
#include "cmd/private_data_dir.h"
#include "cmd/routes_command.h"
#include "cmd/serve.h"
#include "cmd/store_choice.h"
#include "http/logger.h"
#include "store/pg_conn.h"

namespace {

void AddServeOptions(CLI::App& cmd, jim::cmd::ServeOptions& o, std::string& rate_limit, std::string& metrics,
                     std::string& access_log) {
  auto& s = o.server;
  cmd.add_option("--host", s.host, "Address to listen on")->envname("JIM_HOST")->capture_default_str();
  cmd.add_option("--port", s.port, "TCP port (0 picks a free one)")->envname("JIM_PORT")->capture_default_str();
  jim::cmd::AddStoreOptions(cmd, o.store,
                            "Directory of the embedded database (created if missing); with --store postgresql "
                            "only the initial-api-key file goes here");
  cmd.add_option("--threads", s.threads, "HTTP worker threads kept warm (each serves one connection at a time)")
      ->envname("JIM_THREADS")
      ->capture_default_str();
  cmd.add_option("--max-threads", s.max_threads,
                 "Upper bound the worker pool grows to when every thread is busy (slow or many clients)")
      ->envname("JIM_MAX_THREADS")
      ->capture_default_str();
  cmd.add_option("--max-body-bytes", s.max_body_bytes, "Largest accepted request body; larger gets 413")
      ->envname("JIM_MAX_BODY_BYTES")
      ->capture_default_str();
  cmd.add_option("--max-buffered-body-bytes", s.max_buffered_body_bytes,
                 "Request bodies still arriving that are buffered at once, all connections together (their declared "
                 "lengths); a body that would pass it gets 503 with Retry-After, so slow uploads cannot fill memory")
      ->envname("JIM_MAX_BUFFERED_BODY_BYTES")
      ->capture_default_str();
  cmd.add_option("--log-format", o.log_format, "Log lines as text or json (one object per line)")
      ->envname("JIM_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd.add_option("--durability", o.durability,
                 "strict: fsync before every 2xx; relaxed: no fsync, acknowledged writes can be lost on a crash "
                 "(benchmarks only)")
      ->envname("JIM_DURABILITY")
      ->check(CLI::IsMember({"strict", "relaxed"}))
      ->capture_default_str();
  cmd.add_option("--rate-limit", rate_limit, "on, or off (benchmarks)")
      ->envname("JIM_RATE_LIMIT")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  cmd.add_option("--rate-limit-per-key", s.rate_limit_per_key, "Requests per minute per API key (sliding window)")
      ->envname("JIM_RATE_LIMIT_PER_KEY")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  cmd.add_option("--rate-limit-per-ip", s.rate_limit_per_ip,
                 "Unauthenticated or failed requests per minute per client IP")
      ->envname("JIM_RATE_LIMIT_PER_IP")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  cmd.add_option("--metrics", metrics, "Serve GET /metrics (on|off)")
      ->envname("JIM_METRICS")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  cmd.add_option("--access-log", access_log, "One log line per request (on|off)")
      ->envname("JIM_ACCESS_LOG")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  cmd.add_option("--tls-cert", s.tls_cert, "PEM certificate: serve HTTPS (TLS 1.2 or newer)")->envname("JIM_TLS_CERT");
  cmd.add_option("--tls-key", s.tls_key, "PEM private key for --tls-cert")->envname("JIM_TLS_KEY");
  cmd.add_option("--min-free-mb", o.min_free_mb, "Refuse writes (503) when the data dir has less free space")
      ->envname("JIM_MIN_FREE_MB")
      ->capture_default_str();
  cmd.add_option("--timeout", s.io_timeout_seconds,
                 "Seconds a request body or a response write may stall before the connection is dropped")
      ->envname("JIM_TIMEOUT")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  cmd.add_option("--idle-timeout", s.idle_timeout_seconds,
                 "Seconds an idle keep-alive connection is kept (it holds no thread, only a socket)")
      ->envname("JIM_IDLE_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd.add_option("--head-timeout", s.head_timeout_seconds,
                 "Seconds a request head may take from its first byte to its end (408 after)")
      ->envname("JIM_HEAD_TIMEOUT")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  cmd.add_option("--max-head-bytes", s.max_head_bytes, "Largest request head (request line and headers); 431 beyond")
      ->envname("JIM_MAX_HEAD_BYTES")
      ->check(CLI::Range(1024, 1 << 20))
      ->capture_default_str();
  cmd.add_option("--public-url", s.public_url,
                 "Base URL of every Location header (e.g. https://jim.example.com); default: the request's Host "
                 "when it is a valid host[:port], else a relative Location")
      ->envname("JIM_PUBLIC_URL");
}

// Whether the command line or JIM_LOG_FORMAT asks for JSON logs, judged before (and even when) parsing
// fails: the value CLI11 would have set is not there yet.
bool WantsJsonLogs(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--log-format") return i + 1 < argc && std::string_view(argv[i + 1]) == "json";
    if (arg.starts_with("--log-format=")) return arg.substr(13) == "json";
  }
  const char* env = std::getenv("JIM_LOG_FORMAT");
  return env && std::string_view(env) == "json";
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything is created: the data dir, RocksDB's files and backups are the owner's alone.
  jim::cmd::MakeCreatedFilesPrivate();
  CLI::App app{"jim-edge: a self-contained appliance that speaks JIM's REST API for connector definitions,\n"
               "connected systems, partitions, run profiles, API keys and the audit trail."};
  app.require_subcommand(1);
  app.footer("Run 'jim-edge <command> --help' for a command's options. Options also read JIM_* environment\n"
             "variables; a flag wins over the environment, which wins over the default.");

  jim::cmd::ServeOptions serve;
  std::string rate_limit = "on", metrics = "on", access_log = "on";
  auto* serve_cmd = app.add_subcommand("serve", "Start the HTTP API server");
  AddServeOptions(*serve_cmd, serve, rate_limit, metrics, access_log);

  jim::cmd::ServeOptions check;
  std::string check_rate = "on", check_metrics = "on", check_access = "on";
  auto* check_cmd = app.add_subcommand("check-config", "Validate the serve configuration and print it");
  AddServeOptions(*check_cmd, check, check_rate, check_metrics, check_access);

  app.add_subcommand("version", "Print the version");

  bool routes_json = false;
  auto* routes_cmd = app.add_subcommand("routes", "Print the HTTP route table: method, pattern, required role");
  routes_cmd->add_flag("--json", routes_json, "As a JSON array of {method, pattern, role} (for test drivers)");

  std::string health_url = "http://127.0.0.1:" + std::string(std::getenv("JIM_PORT") ? std::getenv("JIM_PORT") : "8080");
  auto* health_cmd = app.add_subcommand("healthcheck", "Exit 0 when the local server answers ready (for containers)");
  health_cmd->add_option("--url", health_url, "Base URL of the server")->capture_default_str();

  std::string data_dir = "./data";
  jim::cmd::StoreChoice key_store;
  auto* apikey = app.add_subcommand("apikey", "Manage API keys in a stopped server's data dir, or in the PostgreSQL database");
  apikey->require_subcommand(1);
  std::string key_name, key_role = "Administrator", key_expires, key_id;
  auto* key_create = apikey->add_subcommand("create", "Create a key and print it once on stdout");
  jim::cmd::AddStoreOptions(*key_create, key_store, "Data dir");
  key_create->add_option("--name", key_name, "Name of the key")->required();
  key_create->add_option("--role", key_role, "Administrator or none")->capture_default_str();
  key_create->add_option("--expires-in", key_expires, "Lifetime such as 30d, 12h, 45m (default: never expires)");
  auto* key_list = apikey->add_subcommand("list", "List keys (never the keys themselves)");
  jim::cmd::AddStoreOptions(*key_list, key_store, "Data dir");
  auto* key_revoke = apikey->add_subcommand("revoke", "Delete a key by id");
  jim::cmd::AddStoreOptions(*key_revoke, key_store, "Data dir");
  key_revoke->add_option("--id", key_id, "Key id (uuid)")->required();

  std::string migrate_url;
  auto* migrate = app.add_subcommand("migrate", "Apply the PostgreSQL schema migrations (serve also does, at start)");
  migrate->add_option("--database-url", migrate_url, "PostgreSQL database: libpq URI or key=value string")
      ->envname("JIM_DATABASE_URL")
      ->required();

  std::string copy_from, copy_url;
  auto* copy = app.add_subcommand(
      "copy", "Copy a stopped server's data dir into an empty PostgreSQL database (moving up to --store postgresql)");
  copy->add_option("--from-data-dir", copy_from, "Data dir of the stopped embedded store")->required();
  copy->add_option("--to-database-url", copy_url,
                   "Empty PostgreSQL database: libpq URI or key=value string (migrations are applied first)")
      ->envname("JIM_DATABASE_URL")
      ->required();

  std::string backup_to, restore_from;
  bool force = false;
  auto* backup = app.add_subcommand("backup", "Copy a stopped server's data dir to a new directory");
  backup->add_option("--data-dir", data_dir, "Data dir")->envname("JIM_DATA_DIR")->capture_default_str();
  backup->add_option("--to", backup_to, "Target directory (must not exist or be empty)")->required();
  auto* restore = app.add_subcommand("restore", "Restore a backup into a data dir");
  restore->add_option("--from", restore_from, "Backup directory")->required();
  restore->add_option("--data-dir", data_dir, "Data dir to restore into")->envname("JIM_DATA_DIR")->capture_default_str();
  restore->add_flag("--force", force, "Overwrite a non-empty data dir");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError with exit code 0 and prints as CLI11 does. A refused command line of a
    // server logging JSON says why in a JSON error line too, so a log pipeline can parse every line.
    if (e.get_exit_code() != 0 && WantsJsonLogs(argc, argv)) {
      jim::http::Logger log(jim::http::LogFormat::kJson);
      jim::cmd::ReportFailure(log, std::string(e.what()) + " (run 'jim-edge --help' for the options)");
      return e.get_exit_code();
    }
    return app.exit(e);
  }

  auto apply_switches = [](jim::cmd::ServeOptions& o, const std::string& rl, const std::string& m,
                           const std::string& al) {
    o.server.rate_limit = rl == "on";
    o.server.metrics = m == "on";
    o.server.access_log = al == "on";
  };
  if (serve_cmd->parsed()) {
    apply_switches(serve, rate_limit, metrics, access_log);
    return jim::cmd::RunServe(serve);
  }
  if (check_cmd->parsed()) {
    apply_switches(check, check_rate, check_metrics, check_access);
    if (std::string problem = jim::cmd::ValidateServeOptions(check); !problem.empty()) {
      jim::cmd::PrintFailure(problem);
      return 2;
    }
    // The configuration is printed, the database password never is: the whole database-url line is
    // replaced (CLI11 may quote or escape the value, so a search for the URL's text could miss it).
    std::istringstream lines(check_cmd->config_to_str(true, false));
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("database-url=") && !check.store.database_url.empty())
        line = "database-url=\"" + jim::store::pg::MaskPassword(check.store.database_url) + "\"";
      std::cout << line << "\n";
    }
    std::cout << "configuration is valid\n";
    return 0;
  }
  if (app.got_subcommand("version")) {
    std::cout << "jim-edge " << JIM_EDGE_VERSION << "\n";
    return 0;
  }
  if (routes_cmd->parsed()) {
    std::cout << (routes_json ? jim::cmd::RoutesJson() : jim::cmd::RoutesText());
    return 0;
  }
  if (health_cmd->parsed()) return jim::cmd::HealthCheck(health_url);
  if (key_create->parsed()) return jim::cmd::ApiKeyCreate(key_store, key_name, key_role, key_expires);
  if (key_list->parsed()) return jim::cmd::ApiKeyList(key_store);
  if (key_revoke->parsed()) return jim::cmd::ApiKeyRevoke(key_store, key_id);
  if (migrate->parsed()) return jim::cmd::Migrate(migrate_url);
  if (copy->parsed()) return jim::cmd::Copy(copy_from, copy_url);
  if (backup->parsed()) return jim::cmd::Backup(data_dir, backup_to);
  if (restore->parsed()) return jim::cmd::Restore(restore_from, data_dir, force);
  return 0;
}
