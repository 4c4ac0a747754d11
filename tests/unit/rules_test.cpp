#include "core/rules.h"

#include <gtest/gtest.h>

namespace jim::core {
namespace {

TEST(Utf16Length, CountsSurrogatePairsAsTwo) {
  EXPECT_EQ(Utf16Length("abc"), 3u);
  EXPECT_EQ(Utf16Length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(Utf16Length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(Utf16Length("\xF0\x9F\x98\x80"), 2u);  // 😀
}

TEST(TrimWhitespace, TrimsAsciiAndUnicodeSpaces) {
  EXPECT_EQ(TrimWhitespace("  a b \t\n"), "a b");
  EXPECT_EQ(TrimWhitespace("\xC2\xA0x\xE3\x80\x80"), "x");
  EXPECT_TRUE(IsBlank(" \t\r\n"));
  EXPECT_FALSE(IsBlank(" x "));
}

TEST(FoldName, FoldsAsciiCaseOnly) {
  EXPECT_EQ(FoldName("HR Database"), "hr database");
  EXPECT_TRUE(EqualsIgnoreCase("FullImport", "fullimport"));
  EXPECT_FALSE(EqualsIgnoreCase("FullImport", "FullImports"));
}

TEST(RunTypes, ParseByNameCaseInsensitively) {
  EXPECT_EQ(ParseRunType("deltaimport"), RunType::kDeltaImport);
  EXPECT_EQ(ParseRunType("FULLSYNCHRONISATION"), RunType::kFullSynchronisation);
  EXPECT_FALSE(ParseRunType("NotSet"));
  EXPECT_FALSE(ParseRunType("1"));
  EXPECT_FALSE(ParseRunType(""));
  for (auto t : {RunType::kFullImport, RunType::kDeltaImport, RunType::kFullSynchronisation,
                 RunType::kDeltaSynchronisation, RunType::kExport})
    EXPECT_EQ(ParseRunType(RunTypeName(t)), t);
}

TEST(Capabilities, RunTypeNeedsMatchingCapability) {
  auto defs = BuiltInConnectorDefinitions();
  const Capabilities& file = defs[1].capabilities;
  EXPECT_TRUE(IsRunTypeSupported(RunType::kFullImport, file));
  EXPECT_FALSE(IsRunTypeSupported(RunType::kDeltaImport, file));
  EXPECT_TRUE(IsRunTypeSupported(RunType::kExport, file));
  Capabilities none;
  EXPECT_FALSE(IsRunTypeSupported(RunType::kFullImport, none));
  EXPECT_FALSE(IsRunTypeSupported(RunType::kExport, none));
  EXPECT_TRUE(IsRunTypeSupported(RunType::kFullSynchronisation, none));
  EXPECT_TRUE(IsRunTypeSupported(RunType::kDeltaSynchronisation, none));
}

TEST(BuiltIns, MatchTheContract) {
  auto defs = BuiltInConnectorDefinitions();
  ASSERT_EQ(defs.size(), 4u);
  EXPECT_EQ(defs[0].name, "JIM LDAP Connector");
  EXPECT_EQ(defs[1].name, "JIM File Connector");
  EXPECT_EQ(defs[2].name, "JIM SCIM 2.0 Client Connector");
  EXPECT_EQ(defs[3].name, "JIM SQL Connector");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(defs[i].id, i + 1);
    EXPECT_TRUE(defs[i].built_in);
    EXPECT_TRUE(defs[i].capabilities.full_import);
    EXPECT_TRUE(defs[i].capabilities.export_);
  }
  EXPECT_TRUE(defs[0].capabilities.partitions);
  EXPECT_TRUE(defs[0].capabilities.partition_containers);
  EXPECT_FALSE(defs[1].capabilities.delta_import);
  EXPECT_TRUE(defs[1].capabilities.file_paths);
  EXPECT_FALSE(defs[2].capabilities.partitions);
  EXPECT_FALSE(defs[3].capabilities.file_paths);
}

TEST(NameRules, RequiredNameBounds) {
  FieldErrors e;
  EXPECT_TRUE(CheckRequiredName("name", std::string(200, 'a'), e));
  EXPECT_FALSE(CheckRequiredName("name", std::string(201, 'a'), e));
  EXPECT_FALSE(CheckRequiredName("name", std::nullopt, e));
  EXPECT_FALSE(CheckRequiredName("name", std::string("   "), e));
  EXPECT_FALSE(CheckRequiredName("name", std::string(""), e));
  // 100 emoji are 200 UTF-16 units: at the bound; one more is beyond it.
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_TRUE(CheckRequiredName("name", emoji, e));
  EXPECT_FALSE(CheckRequiredName("name", emoji + "a", e));
  EXPECT_EQ(e.size(), 5u);
  for (const auto& err : e) EXPECT_EQ(err.field, "name");
}

TEST(NameRules, TextRefusesTheNulCharacterOnlyAndSaysSo) {
  using namespace std::string_literals;
  FieldErrors e;
  EXPECT_FALSE(CheckRequiredName("name", "a\0b"s, e));
  EXPECT_FALSE(CheckMaxLength("filePath", "\0"s, kMaxFilePathLength, e));
  EXPECT_TRUE(CheckMaxLength("filePath", std::nullopt, kMaxFilePathLength, e));
  EXPECT_TRUE(CheckRequiredName("name", "tab\tand\x01control"s, e));  // other control characters are text
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].field, "name");
  EXPECT_EQ(e[0].message, kNulMessage);
  EXPECT_EQ(e[1].field, "filePath");
  EXPECT_EQ(e[1].message, kNulMessage);
}

TEST(NameRules, OptionalNameOnlyCheckedWhenGiven) {
  FieldErrors e;
  EXPECT_TRUE(CheckOptionalName("name", std::nullopt, e));
  EXPECT_FALSE(CheckOptionalName("name", std::string(" "), e));
  EXPECT_EQ(e.size(), 1u);
}

TEST(PageSize, BoundsAreOneAndTenThousand) {
  FieldErrors e;
  EXPECT_TRUE(CheckPageSize("pageSize", 1, e));
  EXPECT_TRUE(CheckPageSize("pageSize", 10000, e));
  EXPECT_TRUE(CheckPageSize("pageSize", std::nullopt, e));
  EXPECT_FALSE(CheckPageSize("pageSize", 0, e));
  EXPECT_FALSE(CheckPageSize("pageSize", 10001, e));
  EXPECT_FALSE(CheckPageSize("pageSize", -5, e));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].message, "must be between 1 and 10000");
}

TEST(MaxLength, FilePathAtMost500) {
  FieldErrors e;
  EXPECT_TRUE(CheckMaxLength("filePath", std::string(500, 'x'), kMaxFilePathLength, e));
  EXPECT_FALSE(CheckMaxLength("filePath", std::string(501, 'x'), kMaxFilePathLength, e));
  EXPECT_TRUE(CheckMaxLength("filePath", std::string(""), kMaxFilePathLength, e));
  EXPECT_EQ(e.size(), 1u);
}

TEST(Partitions, DeselectedOrGoneIsFlagged) {
  RunProfile p;
  EXPECT_FALSE(TargetsDeselectedPartition(p, std::nullopt));
  p.partition_id = 7;
  EXPECT_TRUE(TargetsDeselectedPartition(p, std::nullopt));
  Partition part;
  part.id = 7;
  part.selected = false;
  EXPECT_TRUE(TargetsDeselectedPartition(p, part));
  part.selected = true;
  EXPECT_FALSE(TargetsDeselectedPartition(p, part));
}

TEST(ETags, IfMatchUsesStrongComparison) {
  RunProfile p;
  p.id = 12;
  p.revision = 3;
  std::string etag = RunProfileETag(p);
  EXPECT_EQ(etag, "\"rp-12-3\"");
  EXPECT_TRUE(IfMatchMatches(etag, etag));
  EXPECT_TRUE(IfMatchMatches("*", etag));
  EXPECT_TRUE(IfMatchMatches("\"x\", " + etag, etag));
  EXPECT_FALSE(IfMatchMatches("W/" + etag, etag));
  EXPECT_FALSE(IfMatchMatches("\"rp-12-2\"", etag));
  EXPECT_FALSE(IfMatchMatches("", etag));
}

}  // namespace
}  // namespace jim::core
