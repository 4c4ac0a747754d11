#include "http/rendered_list_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace jim::http {
namespace {

TEST(RenderedListCache, ServesOnlyTheVersionItWasRenderedAt) {
  RenderedListCache cache;
  EXPECT_EQ(cache.Find(1, 5), nullptr);
  cache.Store(1, 5, "[1]");
  ASSERT_NE(cache.Find(1, 5), nullptr);
  EXPECT_EQ(*cache.Find(1, 5), "[1]");
  EXPECT_EQ(cache.Find(1, 6), nullptr);  // the store moved on
  EXPECT_EQ(cache.Find(2, 5), nullptr);  // another system
  cache.Store(1, 0, "[0]");              // 0: the store offers no version, nothing is kept
  EXPECT_EQ(cache.Find(1, 0), nullptr);
}

TEST(RenderedListCache, ASlowReadersOlderRenderingNeverReplacesANewerOne) {
  RenderedListCache cache;
  cache.Store(1, 7, "[new]");
  cache.Store(1, 6, "[old]");
  EXPECT_EQ(*cache.Find(1, 7), "[new]");
  EXPECT_EQ(cache.Find(1, 6), nullptr);
  cache.Store(1, 8, "[newer]");
  EXPECT_EQ(*cache.Find(1, 8), "[newer]");
}

TEST(RenderedListCache, KeepsWithinItsBounds) {
  RenderedListCache cache(/*max_entry_bytes=*/10, /*max_total_bytes=*/25);
  cache.Store(1, 1, std::string(11, 'x'));  // longer than an entry may be
  EXPECT_EQ(cache.Find(1, 1), nullptr);
  cache.Store(1, 1, std::string(10, 'a'));
  cache.Store(2, 1, std::string(10, 'b'));
  EXPECT_NE(cache.Find(1, 1), nullptr);
  EXPECT_NE(cache.Find(2, 1), nullptr);
  cache.Store(1, 2, std::string(10, 'c'));  // replaces system 1's entry: still 20 bytes kept
  EXPECT_NE(cache.Find(2, 1), nullptr);
  cache.Store(3, 1, std::string(10, 'd'));  // 30 > 25: starts over with only this one
  EXPECT_EQ(cache.Find(1, 2), nullptr);
  EXPECT_EQ(cache.Find(2, 1), nullptr);
  EXPECT_NE(cache.Find(3, 1), nullptr);
}

}  // namespace
}  // namespace jim::http
