#include "http/time_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

namespace jim::http {
namespace {

constexpr int64_t kDay = 86'400'000;

TEST(TimeFormat, EpochZero) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(ParseIso8601("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(ParseIso8601("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeFormat, ContractExample) {
  const auto t = ParseIso8601("2026-11-28T10:00:00.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1795860000123);
  EXPECT_EQ(FormatIso8601(*t), "2026-11-28T10:00:00.123Z");
}

TEST(TimeFormat, BeforeEpochUsesFloorDivision) {
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(-kDay), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(ParseIso8601("1969-12-31T23:59:59.999Z"), -1);
}

TEST(TimeFormat, LeapYears) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(*ParseIso8601("2024-03-01T00:00:00Z") - *ParseIso8601("2024-02-28T00:00:00Z"), 2 * kDay);
  EXPECT_EQ(*ParseIso8601("2023-03-01T00:00:00Z") - *ParseIso8601("2023-02-28T00:00:00Z"), kDay);
  EXPECT_TRUE(ParseIso8601("2000-02-29T00:00:00Z").has_value());   // divisible by 400
  EXPECT_FALSE(ParseIso8601("1900-02-29T00:00:00Z").has_value());  // divisible by 100
  EXPECT_FALSE(ParseIso8601("2100-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2023-02-29T00:00:00Z").has_value());
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2000-12-31T23:59:59.999Z")), "2000-12-31T23:59:59.999Z");
}

TEST(TimeFormat, RoundTripAcrossYears0To9999) {
  std::mt19937_64 rng(20261128);
  const int64_t lo = *ParseIso8601("0000-01-01T00:00:00Z");
  const int64_t hi = *ParseIso8601("9999-12-31T23:59:59.999Z");
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = dist(rng);
    const std::string s = FormatIso8601(t);
    ASSERT_EQ(s.size(), 24u) << s;
    ASSERT_EQ(ParseIso8601(s), t) << s;
  }
  EXPECT_EQ(FormatIso8601(lo), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(hi), "9999-12-31T23:59:59.999Z");
}

TEST(TimeFormat, ConsecutiveDaysAreContiguous) {
  // Every day from 1960 to 2100 formats to a date that parses back to the same instant.
  for (int64_t d = -3653; d < 47482; ++d) {
    const std::string s = FormatIso8601(d * kDay);
    ASSERT_EQ(ParseIso8601(s), d * kDay) << s;
  }
}

TEST(TimeFormat, Offsets) {
  const int64_t z = *ParseIso8601("2026-11-28T10:00:00Z");
  EXPECT_EQ(ParseIso8601("2026-11-28T12:00:00+02:00"), z);
  EXPECT_EQ(ParseIso8601("2026-11-28T04:30:00-05:30"), z);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00+00:00"), z);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00-00:00"), z);
  EXPECT_EQ(ParseIso8601("2026-11-29T09:59:00+23:59"), z);
}

TEST(TimeFormat, FractionsOneToNineDigitsTruncatedToMillis) {
  const int64_t z = *ParseIso8601("2026-11-28T10:00:00Z");
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.1Z"), z + 100);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.12Z"), z + 120);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.123Z"), z + 123);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.1239Z"), z + 123);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.999999999Z"), z + 999);
  EXPECT_EQ(ParseIso8601("2026-11-28T10:00:00.5+01:00"), z + 500 - 3'600'000);
  EXPECT_FALSE(ParseIso8601("2026-11-28T10:00:00.1234567890Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-11-28T10:00:00.Z").has_value());
  EXPECT_FALSE(ParseIso8601("2026-11-28T10:00:00,123Z").has_value());
}

TEST(TimeFormat, Rejects) {
  for (const char* bad : {
           "",
           "2026-11-28",
           "2026-11-28T10:00:00",          // no zone
           "2026-11-28T10:00Z",            // no seconds
           "2026-11-28T10:00:00z",         // lower-case zone
           "2026-11-28t10:00:00Z",         // lower-case T
           "2026-11-28 10:00:00Z",         // space separator
           " 2026-11-28T10:00:00Z",        // leading space
           "2026-11-28T10:00:00Z ",        // trailing space
           "2026-11-28T10:00:00ZZ",        // trailing bytes
           "2026-00-28T10:00:00Z",         // month 0
           "2026-13-28T10:00:00Z",         // month 13
           "2026-11-00T10:00:00Z",         // day 0
           "2026-11-31T10:00:00Z",         // November has 30 days
           "2026-12-32T10:00:00Z",         // day 32
           "2026-11-28T24:00:00Z",         // hour 24
           "2026-11-28T10:60:00Z",         // minute 60
           "2026-11-28T10:00:60Z",         // second 60
           "2026-11-28T10:00:00+24:00",    // offset hour 24
           "2026-11-28T10:00:00+02:60",    // offset minute 60
           "2026-11-28T10:00:00+0200",     // offset without colon
           "2026-11-28T10:00:00+02",       // short offset
           "2026-11-28T10:00:00+02:00:00", // offset seconds
           "2026-1-28T10:00:00Z",          // short month
           "+2026-11-28T10:00:00Z",        // signed year
           "20261128T100000Z",             // basic format
           "2026-11-28T1a:00:00Z",
           "2026-11-28T-1:00:00Z",
           "2026\xff" "11-28T10:00:00Z",
       }) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

TEST(TimeFormat, ExtremeValuesDoNotCrash) {
  EXPECT_FALSE(FormatIso8601(std::numeric_limits<int64_t>::max()).empty());
  EXPECT_FALSE(FormatIso8601(std::numeric_limits<int64_t>::min()).empty());
  std::string out = "x";
  AppendIso8601(out, 0);
  EXPECT_EQ(out, "x1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace jim::http
