#include "http/rendered_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace jim::http {
namespace {

constexpr core::Id kList = RenderedCache::kList;

TEST(RenderedCache, ServesOnlyTheVersionAndItemItWasRenderedFor) {
  RenderedCache cache;
  EXPECT_EQ(cache.Find(1, kList, 5), nullptr);
  cache.Store(1, kList, 5, {"[1]", ""});
  cache.Store(1, 9, 5, {"{9}", "\"9-1\""});
  ASSERT_NE(cache.Find(1, kList, 5), nullptr);
  EXPECT_EQ(cache.Find(1, kList, 5)->body, "[1]");
  ASSERT_NE(cache.Find(1, 9, 5), nullptr);
  EXPECT_EQ(cache.Find(1, 9, 5)->body, "{9}");
  EXPECT_EQ(cache.Find(1, 9, 5)->etag, "\"9-1\"");
  EXPECT_EQ(cache.Find(1, kList, 6), nullptr);  // the store moved on
  EXPECT_EQ(cache.Find(1, 9, 6), nullptr);
  EXPECT_EQ(cache.Find(2, kList, 5), nullptr);  // another system
  EXPECT_EQ(cache.Find(1, 8, 5), nullptr);      // another profile
  cache.Store(3, kList, 0, {"[0]", ""});        // 0: the store offers no version, nothing is kept
  EXPECT_EQ(cache.Find(3, kList, 0), nullptr);
}

TEST(RenderedCache, ASlowReadersOlderRenderingNeverReplacesANewerOne) {
  RenderedCache cache;
  cache.Store(1, kList, 7, {"[new]", ""});
  cache.Store(1, kList, 6, {"[old]", ""});
  EXPECT_EQ(cache.Find(1, kList, 7)->body, "[new]");
  EXPECT_EQ(cache.Find(1, kList, 6), nullptr);
  cache.Store(1, kList, 8, {"[newer]", ""});
  EXPECT_EQ(cache.Find(1, kList, 8)->body, "[newer]");
}

TEST(RenderedCache, KeepsWithinItsBounds) {
  RenderedCache cache(/*max_entry_bytes=*/10, /*max_total_bytes=*/25);
  cache.Store(1, kList, 1, {std::string(11, 'x'), ""});  // longer than an entry may be
  EXPECT_EQ(cache.Find(1, kList, 1), nullptr);
  cache.Store(1, kList, 1, {std::string(10, 'a'), ""});
  cache.Store(2, kList, 1, {std::string(10, 'b'), ""});
  EXPECT_NE(cache.Find(1, kList, 1), nullptr);
  EXPECT_NE(cache.Find(2, kList, 1), nullptr);
  cache.Store(1, kList, 2, {std::string(10, 'c'), ""});  // replaces system 1's entry: still 20 bytes kept
  EXPECT_NE(cache.Find(2, kList, 1), nullptr);
  cache.Store(3, kList, 1, {std::string(10, 'd'), ""});  // 30 > 25: starts over with only this one
  EXPECT_EQ(cache.Find(1, kList, 2), nullptr);
  EXPECT_EQ(cache.Find(2, kList, 1), nullptr);
  EXPECT_NE(cache.Find(3, kList, 1), nullptr);
}

}  // namespace
}  // namespace jim::http
