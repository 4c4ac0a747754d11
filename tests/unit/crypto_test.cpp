#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "tests/unit/memory_catalog.h"

namespace jim::core {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, Sha256IsRightOnEveryThreadAndEveryCall) {
  // Each thread keeps its own digest context: it must be reset between calls and not shared.
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 200; ++i) {
        if (Sha256Hex("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ++wrong[t];
        if (Sha256Hex(std::string(1000, 'a')).substr(0, 16) != "41edece42d63e8d9") ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(Crypto, GeneratedKeysAreWellFormedAndDistinct) {
  testing::CountingEntropy entropy;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string k = GenerateApiKey(entropy);
    EXPECT_TRUE(IsWellFormedApiKey(k)) << k;
    EXPECT_EQ(k.size(), kApiKeyLength);
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Crypto, KeyFormatIsStrict) {
  const std::string hex(64, 'f');
  EXPECT_TRUE(IsWellFormedApiKey("jim_ak_" + hex));
  EXPECT_FALSE(IsWellFormedApiKey("jim_ak_" + hex.substr(1)));
  EXPECT_FALSE(IsWellFormedApiKey("jim_ak_" + hex + "0"));
  EXPECT_FALSE(IsWellFormedApiKey("jim_ak_" + std::string(64, 'F')));
  EXPECT_FALSE(IsWellFormedApiKey("jim_" + hex));
  EXPECT_FALSE(IsWellFormedApiKey(" jim_ak_" + hex.substr(1)));
}

TEST(Crypto, ConstantTimeEqualsComparesContent) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(Crypto, UuidsAreVersion4) {
  testing::CountingEntropy entropy;
  std::string u = NewUuid(entropy);
  EXPECT_TRUE(IsUuid(u)) << u;
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid(u.substr(1)));
}

TEST(Crypto, TimeOrderedUuidsAreVersion7AndSortByTime) {
  testing::CountingEntropy entropy;
  const int64_t ms = 1'795'000'000'000;  // 2026-11-18
  std::string a = NewTimeOrderedUuid(ms, entropy);
  EXPECT_TRUE(IsUuid(a)) << a;
  EXPECT_EQ(a[14], '7');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_EQ(a.substr(0, 8) + a.substr(9, 4), "01a1ee565e00");  // 48-bit big-endian milliseconds
  std::string b = NewTimeOrderedUuid(ms + 1, entropy);
  std::string c = NewTimeOrderedUuid(ms + 1000, entropy);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(NewTimeOrderedUuid(ms, entropy), a);  // the random bits keep ids of one millisecond apart
}

}  // namespace
}  // namespace jim::core
