// Value codecs for every stored entity. Every value starts with a format version byte so that a later
// jim-edge can read (and migrate) what an earlier one wrote; enums are stored as their frozen numbers.
// Decoders never trust their input: an unknown version, a truncated value, trailing bytes or an
// out-of-range enum make them return false, and the store turns that into StoreUnavailable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/entities.h"

namespace jim::store::codec {

inline constexpr uint8_t kFormatV1 = 1;

// Each Encode replaces the contents of `out` (callers reuse one buffer to avoid allocations).
void Encode(const core::ConnectorDefinition& v, std::string* out);
void Encode(const core::ConnectedSystem& v, std::string* out);
void Encode(const core::Partition& v, std::string* out);
void Encode(const core::RunProfile& v, std::string* out);
void Encode(const core::ApiKey& v, std::string* out);
void Encode(const core::Activity& v, std::string* out);
void Encode(const core::IdempotencyRecord& v, std::string* out);
void Encode(const core::ConfigVersion& v, std::string* out);
void Encode(const core::ConfigHead& v, std::string* out);  // the cvh/ head value

[[nodiscard]] bool Decode(std::string_view in, core::ConnectorDefinition* v);
[[nodiscard]] bool Decode(std::string_view in, core::ConnectedSystem* v);
[[nodiscard]] bool Decode(std::string_view in, core::Partition* v);
[[nodiscard]] bool Decode(std::string_view in, core::RunProfile* v);
[[nodiscard]] bool Decode(std::string_view in, core::ApiKey* v);
[[nodiscard]] bool Decode(std::string_view in, core::Activity* v);
[[nodiscard]] bool Decode(std::string_view in, core::IdempotencyRecord* v);
[[nodiscard]] bool Decode(std::string_view in, core::ConfigVersion* v);
[[nodiscard]] bool Decode(std::string_view in, core::ConfigHead* v);

// Index entries, counters and sequence marks: version byte + big-endian int64 (9 bytes).
void EncodeInt(int64_t v, std::string* out);
[[nodiscard]] bool DecodeInt(std::string_view in, int64_t* v);
// Index entries pointing at a text key (api key digest -> uuid): version byte + the text.
void EncodeText(std::string_view v, std::string* out);
[[nodiscard]] bool DecodeText(std::string_view in, std::string* v);
// The value of a pure marker entry (activity filter indexes): the version byte alone.
inline std::string_view Marker() { return std::string_view("\x01", 1); }

}  // namespace jim::store::codec
