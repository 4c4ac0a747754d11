#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/memory_catalog.h"

namespace jim::core {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
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

}  // namespace
}  // namespace jim::core
