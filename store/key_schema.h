// The one place that owns the RocksDB key schema of jim-edge. Everything lives in the default column
// family; each entity kind has its own prefix. Integers in keys are big-endian and fixed-width so that
// the bytewise comparator orders them numerically, which makes prefix scans return id order.
//
// Caution: these prefixes and layouts are on disk. Changing one needs a schema version bump and a
// migration (see kSchemaVersion).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace jim::store::keys {

inline constexpr uint32_t kSchemaVersion = 1;

// ---- prefixes ------------------------------------------------------------------------------------
// Entity rows. Sort order given after the arrow.
inline constexpr std::string_view kConnectorDef = "cd/";        // cd/<id>           -> id order
inline constexpr std::string_view kConnectorName = "cdn/";      // cdn/<exact name>  -> id (bytewise name)
inline constexpr std::string_view kSystem = "cs/";              // cs/<id>           -> id order
inline constexpr std::string_view kSystemName = "csn/";         // csn/<folded name> -> id
inline constexpr std::string_view kPartition = "pt/";           // pt/<cs>/<pid>     -> by system, then id
inline constexpr std::string_view kPartitionOwner = "ptx/";     // ptx/<pid>         -> cs id
inline constexpr std::string_view kPartitionName = "ptn/";      // ptn/<cs>/<folded> -> pid
inline constexpr std::string_view kRunProfile = "rp/";          // rp/<cs>/<rp>      -> by system, then id
inline constexpr std::string_view kRunProfileOwner = "rpx/";    // rpx/<rp>          -> cs id
inline constexpr std::string_view kApiKey = "ak/";              // ak/<uuid>         -> uuid text order
inline constexpr std::string_view kApiKeyDigest = "akd/";       // akd/<digest hex>  -> uuid
// Activities: the sequence number is allocated at commit time, so key order is commit order (time).
inline constexpr std::string_view kActivity = "act/";           // act/<seq>         -> oldest first
inline constexpr std::string_view kActivityId = "actx/";        // actx/<uuid>       -> seq
// Filter indexes over activities (values are a version byte only); scanned backwards, newest first.
inline constexpr std::string_view kActivityBySystem = "acs/";   // acs/<cs>/<seq>
inline constexpr std::string_view kActivityByType = "att/";     // att/<type u8>/<seq>
inline constexpr std::string_view kActivityBySystemType = "acst/";  // acst/<cs>/<type u8>/<seq>
inline constexpr std::string_view kIdempotency = "idem/";       // idem/<key>        -> key order
// Configuration change history (core/config_history.h). Versions are only ever added, and outlive
// their object. The head holds the newest version number: the one read a change's write path pays.
inline constexpr std::string_view kConfigVersion = "cv/";       // cv/<type u8><key>/<version> -> oldest first
inline constexpr std::string_view kConfigHead = "cvh/";         // cvh/<type u8><key> -> newest version, checkpoint totals
// Counters; value = version byte + big-endian int64. Kept at most 15 bytes long (SSO, no allocation).
inline constexpr std::string_view kCounter = "cnt/";
inline constexpr std::string_view kSchemaVersionKey = "meta/schema_version";
inline constexpr std::string_view kSeq = "meta/seq/";           // meta/seq/<kind u8> -> high-water mark

// Counter kinds (frozen: they are on disk), the byte after "cnt/".
enum class CounterKind : uint8_t {
  kRunProfilesPerSystem = 1,  // + cs id: run profiles of one system
  kRunProfilesAll = 2,        // all run profiles
  kConnectorUse = 3,          // + connector id: connected systems using it
  kActivitiesAll = 4,
  kActivitiesPerSystem = 5,   // + cs id
  kActivitiesPerType = 6,     // + type byte
  kActivitiesPerSystemType = 7,  // + cs id + type byte
};

// Sequence kinds under meta/seq/: 1-4 are core::IdKind's frozen numbers, the rest are internal.
inline constexpr uint8_t kSeqActivity = 100;

// ---- encoding helpers ------------------------------------------------------------------------------
inline void AppendBE64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, 8);
}
inline uint64_t ReadBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint64_t ReadBE64(std::string_view s, size_t pos) { return ReadBE64(s.data() + pos); }

// A key small enough to live on the stack; the hot path builds its keys without heap allocation.
class Key {
 public:
  explicit Key(std::string_view prefix) { Append(prefix); }
  Key& Append(std::string_view s) {
    std::memcpy(buf_ + size_, s.data(), s.size());
    size_ += s.size();
    return *this;
  }
  Key& BE64(uint64_t v) {
    for (int i = 7; i >= 0; --i) {
      buf_[size_ + i] = static_cast<char>(v & 0xff);
      v >>= 8;
    }
    size_ += 8;
    return *this;
  }
  Key& Slash() { return Append("/"); }
  Key& Byte(uint8_t b) {
    buf_[size_++] = static_cast<char>(b);
    return *this;
  }
  std::string_view view() const { return {buf_, size_}; }
  const char* data() const { return buf_; }
  size_t size() const { return size_; }

 private:
  char buf_[48];  // longest fixed key: "acst/" + 8 + "/" + 1 + "/" + 8 = 24
  size_t size_ = 0;
};

inline Key ConnectorDefKey(int64_t id) { return Key(kConnectorDef).BE64(id); }
inline Key SystemKey(int64_t id) { return Key(kSystem).BE64(id); }
inline Key PartitionKey(int64_t cs, int64_t pid) { return Key(kPartition).BE64(cs).Slash().BE64(pid); }
inline Key PartitionPrefix(int64_t cs) { return Key(kPartition).BE64(cs).Slash(); }
inline Key PartitionOwnerKey(int64_t pid) { return Key(kPartitionOwner).BE64(pid); }
inline Key RunProfileKey(int64_t cs, int64_t rp) { return Key(kRunProfile).BE64(cs).Slash().BE64(rp); }
inline Key RunProfilePrefix(int64_t cs) { return Key(kRunProfile).BE64(cs).Slash(); }
inline Key RunProfileOwnerKey(int64_t rp) { return Key(kRunProfileOwner).BE64(rp); }
inline Key ActivityKey(uint64_t seq) { return Key(kActivity).BE64(seq); }
inline Key ActivityBySystemKey(int64_t cs, uint64_t seq) {
  return Key(kActivityBySystem).BE64(cs).Slash().BE64(seq);
}
inline Key ActivityBySystemPrefix(int64_t cs) { return Key(kActivityBySystem).BE64(cs).Slash(); }
inline Key ActivityByTypeKey(uint8_t type, uint64_t seq) {
  return Key(kActivityByType).Byte(type).Slash().BE64(seq);
}
inline Key ActivityByTypePrefix(uint8_t type) { return Key(kActivityByType).Byte(type).Slash(); }
inline Key ActivityBySystemTypeKey(int64_t cs, uint8_t type, uint64_t seq) {
  return Key(kActivityBySystemType).BE64(cs).Slash().Byte(type).Slash().BE64(seq);
}
inline Key ActivityBySystemTypePrefix(int64_t cs, uint8_t type) {
  return Key(kActivityBySystemType).BE64(cs).Slash().Byte(type).Slash();
}
inline Key SeqKey(uint8_t kind) { return Key(kSeq).Byte(kind); }

// Counter keys stay <= 15 bytes so a std::string holding one does not allocate (libstdc++ SSO).
inline std::string CounterKey(CounterKind kind) {
  std::string k(kCounter);
  k.push_back(static_cast<char>(kind));
  return k;
}
inline std::string CounterKey(CounterKind kind, int64_t id) {
  std::string k = CounterKey(kind);
  AppendBE64(k, static_cast<uint64_t>(id));
  return k;
}
inline std::string CounterKey(CounterKind kind, int64_t id, uint8_t type) {
  std::string k = CounterKey(kind, id);
  k.push_back(static_cast<char>(type));
  return k;
}
inline std::string CounterKeyByte(CounterKind kind, uint8_t type) {
  std::string k = CounterKey(kind);
  k.push_back(static_cast<char>(type));
  return k;
}

// Variable-length keys (names, uuids, digests) are built as strings.
inline std::string NameKey(std::string_view prefix, std::string_view name) {
  std::string k;
  k.reserve(prefix.size() + name.size());
  k.append(prefix).append(name);
  return k;
}
inline std::string ConnectorNameKey(std::string_view exact_name) { return NameKey(kConnectorName, exact_name); }
inline std::string SystemNameKey(std::string_view folded) { return NameKey(kSystemName, folded); }
inline std::string PartitionNameKey(int64_t cs, std::string_view folded) {
  std::string k(kPartitionName);
  AppendBE64(k, static_cast<uint64_t>(cs));
  k.push_back('/');
  k.append(folded);
  return k;
}
inline std::string ApiKeyKey(std::string_view uuid) { return NameKey(kApiKey, uuid); }
inline std::string ApiKeyDigestKey(std::string_view digest) { return NameKey(kApiKeyDigest, digest); }
inline std::string ActivityIdKey(std::string_view uuid) { return NameKey(kActivityId, uuid); }
inline std::string IdempotencyKey(std::string_view key) { return NameKey(kIdempotency, key); }
// Object keys are decimal ids or uuids: never a '/', so the '/' ends the key and one object's versions
// are exactly the keys under its prefix.
inline std::string ConfigVersionPrefix(uint8_t type, std::string_view object_key) {
  std::string k(kConfigVersion);
  k.push_back(static_cast<char>(type));
  k.append(object_key);
  k.push_back('/');
  return k;
}
inline std::string ConfigVersionKey(uint8_t type, std::string_view object_key, int64_t version) {
  std::string k = ConfigVersionPrefix(type, object_key);
  AppendBE64(k, static_cast<uint64_t>(version));
  return k;
}
inline std::string ConfigHeadKey(uint8_t type, std::string_view object_key) {
  std::string k(kConfigHead);
  k.push_back(static_cast<char>(type));
  k.append(object_key);
  return k;
}

// The exclusive upper bound of a prefix scan: the prefix with its last byte incremented (dropping
// trailing 0xff bytes). Used as ReadOptions::iterate_upper_bound so scans never leave their prefix.
inline std::string PrefixUpperBound(std::string_view prefix) {
  std::string ub(prefix);
  while (!ub.empty()) {
    unsigned char c = static_cast<unsigned char>(ub.back());
    if (c != 0xff) {
      ub.back() = static_cast<char>(c + 1);
      return ub;
    }
    ub.pop_back();
  }
  return ub;  // empty: no upper bound
}

}  // namespace jim::store::keys
