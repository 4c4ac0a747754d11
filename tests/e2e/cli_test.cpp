// The operator's side: first-start bootstrap key, offline API-key management, backup/restore, and the
// small subcommands (version, check-config, healthcheck, --help).
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <regex>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

const std::string kSystems = "/api/v1/synchronisation/connected-systems";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool IsWellFormedKey(const std::string& key) {
  return std::regex_match(key, std::regex("jim_ak_[0-9a-f]{64}"));
}

// The id column of `apikey list` for the key named `name`.
std::string KeyIdByName(const std::string& list_output, const std::string& name) {
  for (const auto& line : SplitLines(list_output)) {
    if (line.size() > name.size() && line.ends_with("  " + name)) return line.substr(0, line.find(' '));
  }
  return {};
}

TEST(BootstrapE2E, FirstStartWritesAPrivateKeyFileAndLogsOnlyItsPath) {
  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start());
  const std::string key_file = tmp / "data/initial-api-key";
  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0) << "no " << key_file;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string key = Trim(ReadFile(key_file));
  ASSERT_TRUE(IsWellFormedKey(key)) << key;

  auto info = Get(server.base_url() + "/api/v1/userinfo", key);
  ASSERT_TRUE(HasStatus(info, 200));
  Json j(info.body);
  EXPECT_EQ(j.Bool("authorised"), true);
  EXPECT_EQ(j.Bool("isAdministrator"), true);
  EXPECT_EQ(j.Str("authMethod"), "api_key");
  EXPECT_TRUE(HasStatus(Get(server.base_url() + kSystems, key), 200));

  ASSERT_EQ(server.Stop(), 0);
  const std::string log = server.Log();
  EXPECT_TRUE(Contains(log, key_file)) << log;
  EXPECT_FALSE(Contains(log, key)) << "the key reached the log";
  EXPECT_FALSE(Contains(log, key.substr(7))) << "the key's hex reached the log";
  EXPECT_FALSE(Contains(log, Sha256Hex(key))) << "the key's digest reached the log";

  // A restart neither creates another key nor rewrites the file.
  ASSERT_TRUE(server.Start());
  EXPECT_FALSE(Contains(server.Log(), "initial-api-key")) << server.Log();
  EXPECT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/userinfo", key), 200));
  auto keys = Get(server.base_url() + "/api/v1/apikeys", key);
  ASSERT_TRUE(HasStatus(keys, 200));
  EXPECT_EQ(Json(keys.body).ArraySize(), 1u) << keys.body;
  EXPECT_FALSE(Contains(keys.body, key)) << "a list response must never contain a key";
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_EQ(Trim(ReadFile(key_file)), key);
}

TEST(BootstrapE2E, InfrastructureKeyFromTheEnvironmentMeansNoKeyFile) {
  TempDir tmp;
  const std::string key = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = {{"JIM_INFRASTRUCTURE_API_KEY", key}}}));
  EXPECT_FALSE(std::filesystem::exists(tmp / "data/initial-api-key"));
  EXPECT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/userinfo", key), 200));
  EXPECT_TRUE(IsEnvelope(Get(server.base_url() + "/api/v1/userinfo", NewApiKey()), 401, "UNAUTHORISED"));
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_FALSE(Contains(server.Log(), key));
}

TEST(ApiKeyCliE2E, CreateListRevokeOnAStoppedServerAndLockedWhileRunning) {
  TempDir tmp;
  const std::string data = tmp / "data";
  const std::string infra = NewApiKey();
  const Env env{{"JIM_INFRASTRUCTURE_API_KEY", infra}};
  Server server(data, tmp.path());
  ASSERT_TRUE(server.Start({.env = env}));

  // While the server runs, the offline commands refuse with a clear sentence.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"apikey", "list", "--data-dir", data}, {"apikey", "create", "--data-dir", data, "--name", "x"}}) {
    RunResult r = RunJim(args);
    EXPECT_NE(r.exit_code, 0) << args[1];
    EXPECT_TRUE(Contains(r.err, "locked")) << args[1] << ": " << r.err;
    EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
  }
  ASSERT_EQ(server.Stop(), 0);

  RunResult created = RunJim({"apikey", "create", "--data-dir", data, "--name", "ci"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string ci_key = Trim(created.out);
  ASSERT_TRUE(IsWellFormedKey(ci_key)) << "stdout must be the key alone: " << created.out;
  EXPECT_FALSE(Contains(created.err, ci_key)) << "the key belongs on stdout only";

  RunResult list = RunJim({"apikey", "list", "--data-dir", data});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_FALSE(Contains(list.out, ci_key)) << list.out;
  EXPECT_FALSE(Contains(list.out, infra)) << list.out;
  EXPECT_TRUE(Contains(list.out, ci_key.substr(0, 12))) << "the list shows the key prefix:\n" << list.out;
  const std::string ci_id = KeyIdByName(list.out, "ci");
  ASSERT_TRUE(std::regex_match(ci_id, std::regex("[0-9a-f-]{36}"))) << list.out;

  ASSERT_TRUE(server.Start({.env = env}));
  auto info = Get(server.base_url() + "/api/v1/userinfo", ci_key);
  ASSERT_TRUE(HasStatus(info, 200));
  EXPECT_EQ(Json(info.body).Str("name"), "ci");
  EXPECT_TRUE(HasStatus(Get(server.base_url() + kSystems, ci_key), 200));
  ASSERT_EQ(server.Stop(), 0);

  RunResult revoked = RunJim({"apikey", "revoke", "--data-dir", data, "--id", ci_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  RunResult again = RunJim({"apikey", "revoke", "--data-dir", data, "--id", ci_id});
  EXPECT_NE(again.exit_code, 0) << "revoking an unknown id must fail";
  EXPECT_TRUE(KeyIdByName(RunJim({"apikey", "list", "--data-dir", data}).out, "ci").empty());

  ASSERT_TRUE(server.Start({.env = env}));
  EXPECT_TRUE(IsEnvelope(Get(server.base_url() + "/api/v1/userinfo", ci_key), 401, "UNAUTHORISED"));
  EXPECT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/userinfo", infra), 200));
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_FALSE(Contains(server.Log(), ci_key));
}

TEST(BackupE2E, BackupThenRestoreServesTheSameProfiles) {
  TempDir tmp;
  const std::string data = tmp / "data";
  const std::string key = NewApiKey();
  const Env env{{"JIM_INFRASTRUCTURE_API_KEY", key}};
  Server server(data, tmp.path());
  ASSERT_TRUE(server.Start({.env = env}));
  const std::string base = server.base_url();
  ASSERT_TRUE(HasStatus(PostJson(base + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})"), 201));
  ASSERT_TRUE(
      HasStatus(PostJson(base + kSystems + "/1/run-profiles", key, R"({"name":"A","runType":"FullImport"})"), 201));
  ASSERT_TRUE(HasStatus(
      PostJson(base + kSystems + "/1/run-profiles", key, R"({"name":"B","runType":"DeltaImport","pageSize":7})"), 201));
  const std::string before = Get(base + kSystems + "/1/run-profiles", key).body;

  // A running server's data dir cannot be backed up (the copy would not be consistent).
  RunResult busy = RunJim({"backup", "--data-dir", data, "--to", tmp / "busy-backup"});
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_TRUE(Contains(busy.err, "locked")) << busy.err;
  ASSERT_EQ(server.Stop(), 0);

  RunResult backup = RunJim({"backup", "--data-dir", data, "--to", tmp / "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  RunResult restore = RunJim({"restore", "--from", tmp / "backup", "--data-dir", tmp / "restored"});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;

  Server restored(tmp / "restored", tmp / "backup-logs");
  std::filesystem::create_directories(tmp / "backup-logs");
  ASSERT_TRUE(restored.Start({.env = env}));
  auto after = Get(restored.base_url() + kSystems + "/1/run-profiles", key);
  ASSERT_TRUE(HasStatus(after, 200));
  EXPECT_EQ(after.body, before);
  EXPECT_EQ(Json(after.body).ArraySize(), 2u);
  // Ids continue after the restored ones.
  auto next =
      PostJson(restored.base_url() + kSystems + "/1/run-profiles", key, R"({"name":"C","runType":"FullImport"})");
  ASSERT_TRUE(HasStatus(next, 201));
  EXPECT_EQ(Json(next.body).Int("id"), 3);
  ASSERT_EQ(restored.Stop(), 0);

  // Restoring over a non-empty data dir needs --force.
  RunResult refused = RunJim({"restore", "--from", tmp / "backup", "--data-dir", tmp / "restored"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, "--force")) << refused.err;
  RunResult forced = RunJim({"restore", "--from", tmp / "backup", "--data-dir", tmp / "restored", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  ASSERT_TRUE(restored.Start({.env = env}));
  EXPECT_EQ(Get(restored.base_url() + kSystems + "/1/run-profiles", key).body, before) << "--force restores the backup";
  ASSERT_EQ(restored.Stop(), 0);

  // A backup target that already holds data is refused.
  RunResult overwrite = RunJim({"backup", "--data-dir", data, "--to", tmp / "backup"});
  EXPECT_NE(overwrite.exit_code, 0);
  // Restoring something that is not a backup is refused.
  std::filesystem::create_directories(tmp / "not-a-backup");
  WriteFile(tmp / "not-a-backup/file", "x");
  RunResult bogus = RunJim({"restore", "--from", tmp / "not-a-backup", "--data-dir", tmp / "fresh"});
  EXPECT_NE(bogus.exit_code, 0);
}

TEST(CommandsE2E, VersionCheckConfigAndHelp) {
  RunResult version = RunJim({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_search(version.out, std::regex("^jim-edge [0-9]+\\.[0-9]+\\.[0-9]+"))) << version.out;

  TempDir tmp;
  RunResult valid = RunJim({"check-config", "--port", "9090", "--data-dir", tmp / "data", "--log-format", "json"});
  EXPECT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_TRUE(Contains(valid.out, "9090")) << valid.out;
  EXPECT_FALSE(std::filesystem::exists(tmp / "data")) << "check-config must not create the data dir";
  // Environment variables feed check-config too, and a flag wins over them.
  RunResult from_env = RunJim({"check-config", "--data-dir", tmp / "data"}, {{"JIM_PORT", "7070"}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_TRUE(Contains(from_env.out, "7070")) << from_env.out;
  RunResult flag_wins = RunJim({"check-config", "--port", "6060", "--data-dir", tmp / "data"}, {{"JIM_PORT", "7070"}});
  EXPECT_TRUE(Contains(flag_wins.out, "6060")) << flag_wins.out;
  EXPECT_FALSE(Contains(flag_wins.out, "7070")) << flag_wins.out;

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check-config", "--port", "65536"},
           {"check-config", "--log-format", "yaml"},
           {"check-config", "--tls-cert", tmp / "missing.pem", "--tls-key", tmp / "missing.key"},
           {"check-config", "--tls-cert", tmp / "only-cert.pem"},
           {"check-config", "--durability", "sometimes"},
       }) {
    RunResult r = RunJim(args);
    EXPECT_NE(r.exit_code, 0) << args[1] << " " << args[2] << " was accepted";
    EXPECT_FALSE(r.err.empty());
  }

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"},
           {"serve", "--help"},
           {"check-config", "--help"},
           {"version", "--help"},
           {"healthcheck", "--help"},
           {"routes", "--help"},
           {"apikey", "--help"},
           {"apikey", "create", "--help"},
           {"apikey", "list", "--help"},
           {"apikey", "revoke", "--help"},
           {"backup", "--help"},
           {"restore", "--help"},
       }) {
    RunResult r = RunJim(args);
    std::string name = args.size() > 1 ? args[0] + " " + args[1] : args[0];
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_TRUE(Contains(r.out, "Usage") || Contains(r.out, "usage") || Contains(r.out, "OPTIONS")) << name << ":\n"
                                                                                                    << r.out;
  }
  RunResult serve_help = RunJim({"serve", "--help"});
  for (const char* flag : {"--host", "--port", "--data-dir", "--threads", "--max-body-bytes", "--log-format",
                           "--tls-cert", "--tls-key", "--metrics", "--rate-limit"})
    EXPECT_TRUE(Contains(serve_help.out, flag)) << flag;
  EXPECT_NE(RunJim({}).exit_code, 0) << "no subcommand must fail";
  EXPECT_NE(RunJim({"frobnicate"}).exit_code, 0);
}

TEST(CommandsE2E, HealthcheckFollowsTheServer) {
  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start());
  const std::string url = server.base_url();
  RunResult up = RunJim({"healthcheck", "--url", url});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  ASSERT_EQ(server.Stop(), 0);
  RunResult down = RunJim({"healthcheck", "--url", url});
  EXPECT_FALSE(down.timed_out);
  EXPECT_NE(down.exit_code, 0);
  EXPECT_FALSE(down.err.empty());
}

// `jim-edge routes --json` is what the drivers (tests/reliability/auth.py, tests/openapi/lint.mjs) take
// as the route table: every route it prints must be one the server really serves, with the role it says.
TEST(CommandsE2E, RoutesPrintsTheTableTheServerServes) {
  RunResult json = RunJim({"routes", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  RunResult text = RunJim({"routes"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  Json table(json.out);
  ASSERT_TRUE(table.ok) << table.error << "\n" << json.out;
  ASSERT_GT(table.ArraySize(), 20u);
  EXPECT_EQ(SplitLines(text.out).size(), table.ArraySize());

  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  // One unauthenticated call per route: more than the default per-IP limit of 30 a minute.
  ASSERT_TRUE(server.Start({.args = {"--rate-limit-per-ip", "1000"}}));
  for (simdjson::dom::element row : table.root.get_array()) {
    const std::string method{std::string_view(row["method"])};
    std::string path{std::string_view(row["pattern"])};
    const std::string role{std::string_view(row["role"])};
    for (auto [placeholder, value] : {std::pair{"{int}", "1"}, {"{str}", "x"},
                                      {"{uuid}", "00000000-0000-4000-8000-000000000000"}})
      for (size_t at; (at = path.find(placeholder)) != std::string::npos;) path.replace(at, strlen(placeholder), value);
    std::vector<std::string> args = {"-X", method, server.base_url() + path};
    if (method == "POST" || method == "PUT")
      args.insert(args.begin(), {"-H", "Content-Type: application/json", "--data", "{}"});
    HttpResponse r = Curl(args);
    const std::string what = method + " " + path + " (" + role + ")";
    EXPECT_NE(r.status, 404) << what << " is not served";
    EXPECT_NE(r.status, 405) << what << " is not served";
    if (role == "Anonymous") {
      EXPECT_EQ(r.status, 200) << what;
    } else {
      EXPECT_EQ(r.status, 401) << what;
    }
  }
  EXPECT_EQ(Curl({server.base_url() + "/api/v1/no-such-route"}).status, 404) << "the check above can fail";
}

}  // namespace
}  // namespace jim::e2e
