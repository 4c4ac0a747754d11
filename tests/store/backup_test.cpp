#include <gtest/gtest.h>

#include <fstream>

#include "store/backup.h"
#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;
using core::ErrorCode;

TEST(Backup, BackupThenRestoreRoundTrip) {
  TempDir tmp;
  const std::string data = tmp.Sub("data"), backup = tmp.Sub("backup"), restored = tmp.Sub("restored");
  core::Id cs = 0;
  {
    auto catalog = MustOpen(data);
    cs = CreateSystem(*catalog, "HR");
    for (int i = 0; i < 3; ++i) CreateProfile(*catalog, cs, "p" + std::to_string(i), i);
    core::Status st = BackupTo(*catalog, backup);
    ASSERT_TRUE(st.ok()) << st.error().message << " " << st.error().detail;
    CreateProfile(*catalog, cs, "after-backup", 10);  // not in the backup
  }
  core::Status st = RestoreFrom(backup, restored, /*force=*/false);
  ASSERT_TRUE(st.ok()) << st.error().message << " " << st.error().detail;
  auto catalog = MustOpen(restored);
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->GetConnectedSystem(cs).value()->name, "HR");
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), 3);
  EXPECT_EQ(catalog->ListRunProfiles(cs).value().size(), 3u);
  core::ActivityQuery q;
  EXPECT_EQ(catalog->ListActivities(q).value().total, 3);
  EXPECT_EQ(CreateProfile(*catalog, cs, "next", 20), 4);  // the backup's high-water mark came along
}

TEST(Backup, RefusesANonEmptyTarget) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.Sub("data"));
  const std::string target = tmp.Sub("backup");
  std::filesystem::create_directories(target);
  std::ofstream(target + "/something") << "x";
  core::Status st = BackupTo(*catalog, target);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  // An existing but empty dir is fine.
  const std::string empty = tmp.Sub("empty");
  std::filesystem::create_directories(empty);
  EXPECT_TRUE(BackupTo(*catalog, empty).ok());
}

TEST(Backup, RestoreRefusesANonEmptyDataDirWithoutForce) {
  TempDir tmp;
  const std::string data = tmp.Sub("data"), backup = tmp.Sub("backup");
  {
    auto catalog = MustOpen(data);
    CreateSystem(*catalog, "InBackup");
    ASSERT_TRUE(BackupTo(*catalog, backup).ok());
    CreateSystem(*catalog, "OnlyInData");
  }
  core::Status st = RestoreFrom(backup, data, /*force=*/false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(MustOpen(data)->ListConnectedSystems().value().size(), 2u);  // untouched

  st = RestoreFrom(backup, data, /*force=*/true);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto catalog = MustOpen(data);
  ASSERT_EQ(catalog->ListConnectedSystems().value().size(), 1u);
  EXPECT_EQ(catalog->ListConnectedSystems().value()[0].name, "InBackup");
}

TEST(Backup, RestoreRefusesADataDirInUseEvenWithForce) {
  TempDir tmp;
  const std::string data = tmp.Sub("data"), backup = tmp.Sub("backup");
  auto catalog = MustOpen(data);
  ASSERT_TRUE(BackupTo(*catalog, backup).ok());
  core::Status st = RestoreFrom(backup, data, /*force=*/true);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("locked"), std::string::npos) << st.error().message;
}

TEST(Backup, RestoreRejectsSomethingThatIsNotABackup) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("junk"));
  std::ofstream(tmp.Sub("junk") + "/file") << "x";
  core::Status st = RestoreFrom(tmp.Sub("junk"), tmp.Sub("data"), false);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("data")));
}

}  // namespace
}  // namespace jim::store
