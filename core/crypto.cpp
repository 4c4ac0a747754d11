#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <memory>

namespace jim::core {

namespace {
constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0F]);
  }
}
bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// OpenSSL 3's one-shot SHA256() looks the algorithm up (EVP_MD_fetch) and allocates a context on every
// call, several times the cost of hashing an API key. Every authenticated request hashes one, so the
// algorithm is fetched once per process and each thread keeps its context.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

bool Sha256Fast(std::string_view data, uint8_t* out) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = Sha256Md();
  unsigned int len = 0;
  return md && ctx && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out, &len) == 1 && len == SHA256_DIGEST_LENGTH;
}

// Sets the version nibble and the RFC 4122 variant, then writes the canonical 8-4-4-4-12 form.
std::string FormatUuid(std::array<uint8_t, 16>& b, uint8_t version) {
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | (version << 4));
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    AppendHex(out, &b[i], 1);
  }
  return out;
}
}  // namespace

std::string GenerateApiKey(Entropy& entropy) {
  std::array<uint8_t, 32> bytes{};
  entropy.Fill(bytes.data(), bytes.size());
  std::string key(kApiKeyPrefix);
  AppendHex(key, bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

bool IsWellFormedApiKey(std::string_view key) {
  if (key.size() != kApiKeyLength || key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : key.substr(kApiKeyPrefix.size()))
    if (!IsLowerHex(c)) return false;
  return true;
}

std::string Sha256Hex(std::string_view data) {
  std::array<uint8_t, SHA256_DIGEST_LENGTH> digest{};
  if (!Sha256Fast(data, digest.data()))
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  std::string out;
  out.reserve(2 * digest.size());
  AppendHex(out, digest.data(), digest.size());
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string NewUuid(Entropy& entropy) {
  std::array<uint8_t, 16> b{};
  entropy.Fill(b.data(), b.size());
  return FormatUuid(b, 4);
}

std::string NewTimeOrderedUuid(int64_t unix_millis, Entropy& entropy) {
  std::array<uint8_t, 16> b{};
  entropy.Fill(b.data(), b.size());
  const uint64_t ms = unix_millis < 0 ? 0 : static_cast<uint64_t>(unix_millis);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  return FormatUuid(b, 7);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!IsLowerHex(s[i]) && !(s[i] >= 'A' && s[i] <= 'F')) {
      return false;
    }
  }
  return true;
}

}  // namespace jim::core
