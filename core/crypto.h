// API-key material: generation, digests and constant-time comparison. Pure computation on top of
// OpenSSL (no hand-written crypto); randomness comes through the Entropy port.
#pragma once

#include <string>
#include <string_view>

#include "core/ports.h"

namespace jim::core {

inline constexpr std::string_view kApiKeyPrefix = "jim_ak_";
inline constexpr size_t kApiKeyLength = 7 + 64;
inline constexpr size_t kApiKeyDisplayPrefixLength = 12;

// `jim_ak_` + 64 lower-case hex characters of 32 CSPRNG bytes.
std::string GenerateApiKey(Entropy& entropy);
bool IsWellFormedApiKey(std::string_view key);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// A random RFC 4122 version-4 UUID in lower-case canonical form.
std::string NewUuid(Entropy& entropy);
// An RFC 9562 version-7 UUID: the Unix time in milliseconds in its first 48 bits, then random bits. Ids made
// later sort after earlier ones (as text too), which keeps an index keyed by them append-only.
std::string NewTimeOrderedUuid(int64_t unix_millis, Entropy& entropy);
bool IsUuid(std::string_view s);

}  // namespace jim::core
