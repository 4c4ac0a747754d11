// The data dir is private (issue 15): what jim-edge creates is 0700 (dirs) and 0600 (files), RocksDB's
// files included, whichever command created it; an existing dir open to others gets one warning line
// naming the fix. Checked by stat-ing every entry the real binary left behind.
#include <sys/stat.h>

#include <filesystem>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

namespace fs = std::filesystem;

// Every entry under `root` (and root itself) that group or others can use, as "path mode" lines.
std::vector<std::string> NotPrivate(const std::string& root, size_t* checked) {
  std::vector<std::string> open;
  auto check = [&](const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return;
    ++*checked;
    const unsigned want = S_ISDIR(st.st_mode) ? 0700u : 0600u;
    if ((st.st_mode & 0777) != want) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      open.push_back(p.string() + " " + mode);
    }
  };
  check(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) check(entry.path());
  return open;
}

::testing::AssertionResult IsPrivate(const std::string& root) {
  size_t checked = 0;
  auto open = NotPrivate(root, &checked);
  if (checked < 3) return ::testing::AssertionFailure() << root << " holds only " << checked << " entries";
  if (open.empty()) return ::testing::AssertionSuccess() << checked << " entries";
  std::string list;
  for (const auto& o : open) list += "\n  " + o;
  return ::testing::AssertionFailure() << "not private under " << root << ":" << list;
}

size_t CountLinesWith(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (const auto& line : SplitLines(text)) n += Contains(line, needle);
  return n;
}

TEST(PrivateDataDirE2E, ServeCreatesTheDataDirAndEveryFileForTheOwnerOnly) {
  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start());
  // Write something, so RocksDB has a WAL, a manifest and (after the stop) SST files of real data.
  const std::string key = ReadFile(tmp / "data/initial-api-key").substr(0, 71);
  ASSERT_TRUE(HasStatus(PostJson(server.base_url() + "/api/v1/synchronisation/connected-systems", key,
                                 R"({"name":"HR","connectorDefinitionId":1})"),
                        201));
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_TRUE(IsPrivate(tmp / "data"));
  EXPECT_EQ(CountLinesWith(server.Log(), "chmod 700"), 0u) << server.Log();
}

TEST(PrivateDataDirE2E, OfflineCommandsCreatePrivateDirsAndFilesToo) {
  TempDir tmp;
  RunResult created = RunJim({"apikey", "create", "--data-dir", tmp / "data", "--name", "ops"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(IsPrivate(tmp / "data"));
  RunResult backup = RunJim({"backup", "--data-dir", tmp / "data", "--to", tmp / "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_TRUE(IsPrivate(tmp / "backup"));
  // A backup made before the data dir was private still restores private.
  for (const auto& entry : fs::recursive_directory_iterator(tmp / "backup"))
    fs::permissions(entry.path(), entry.is_directory() ? fs::perms(0755) : fs::perms(0644));
  RunResult restored = RunJim({"restore", "--from", tmp / "backup", "--data-dir", tmp / "restored"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_TRUE(IsPrivate(tmp / "restored"));
  EXPECT_EQ(CountLinesWith(created.err + backup.err + restored.err, "chmod 700"), 0u);
}

TEST(PrivateDataDirE2E, AnExistingDataDirOpenToOthersGetsOneWarningNamingTheFix) {
  TempDir tmp;
  const std::string data = tmp / "data";
  fs::create_directory(data);
  fs::permissions(data, fs::perms(0755));
  Server server(data, tmp.path());
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_EQ(CountLinesWith(server.Log(), "chmod 700 " + data), 1u) << server.Log();
  // What it created inside is private all the same; only the dir itself is the operator's to fix.
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    struct stat st {};
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << entry.path();
  }

  RunResult listed = RunJim({"apikey", "list", "--data-dir", data});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(CountLinesWith(listed.err, "chmod 700 " + data), 1u) << listed.err;

  fs::permissions(data, fs::perms(0700));
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_EQ(CountLinesWith(server.Log(), "chmod 700"), 0u) << server.Log();
  EXPECT_TRUE(IsPrivate(data));
}

}  // namespace
}  // namespace jim::e2e
