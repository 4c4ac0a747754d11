// libFuzzer target: the API-key header check (core::IsWellFormedApiKey and ApiKeyService::Authenticate
// over a small in-memory catalog holding an enabled, a disabled, an expired and a non-admin key).
//
// Input: the X-Api-Key header value as presented. Checks: the outcome is exactly what the contract
// says for that value (missing / malformed / unknown / disabled / expired / ok), IsWellFormedApiKey
// agrees with an independent reading of the format, an accepted key is one of the stored ones, and the
// digest looked up is the SHA-256 of the presented bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "core/api_key_service.h"
#include "core/crypto.h"

namespace {

using namespace jim::core;

class NullTransaction final : public Transaction {
 public:
  std::optional<ConnectorDefinition> FindConnectorDefinition(Id) override { return std::nullopt; }
  std::optional<Id> FindConnectorDefinitionIdByName(std::string_view) override { return std::nullopt; }
  bool IsConnectorInUse(Id) override { return false; }
  std::optional<ConnectedSystem> FindConnectedSystem(Id) override { return std::nullopt; }
  std::optional<Id> FindConnectedSystemIdByName(std::string_view) override { return std::nullopt; }
  std::optional<Partition> FindPartition(Id) override { return std::nullopt; }
  std::optional<Id> FindPartitionIdByName(Id, std::string_view) override { return std::nullopt; }
  std::optional<RunProfile> FindRunProfile(Id) override { return std::nullopt; }
  std::optional<ApiKey> FindApiKey(std::string_view) override { return std::nullopt; }
  std::optional<ApiKey> FindApiKeyByDigest(std::string_view) override { return std::nullopt; }
  std::optional<IdempotencyRecord> FindIdempotency(std::string_view) override { return std::nullopt; }
  std::vector<ApiKey> ListApiKeys() override { return {}; }
  std::vector<ConnectedSystem> ListConnectedSystems() override { return {}; }
  std::vector<RunProfile> ListRunProfiles(Id) override { return {}; }
  std::vector<Partition> ListPartitions(Id) override { return {}; }
  ConfigHead LatestConfigHead(ConfigObjectType, std::string_view) override { return {}; }
  Id AllocateId(IdKind) override { return 1; }
  void Put(const ConnectorDefinition&) override {}
  void Put(const ConnectedSystem&) override {}
  void Put(const Partition&) override {}
  void Put(const RunProfile&) override {}
  void Put(const ApiKey&) override {}
  void Put(const IdempotencyRecord&) override {}
  void Put(const ConfigVersion&) override {}
  void DeleteConnectorDefinition(Id) override {}
  void DeleteConnectedSystem(Id) override {}
  void DeletePartition(Id) override {}
  void DeleteRunProfile(Id) override {}
  void DeleteApiKey(std::string_view) override {}
  void Record(const Activity&) override {}
};

// Only the key lookups matter to Authenticate; the rest answers "nothing".
class KeyCatalog final : public Catalog {
 public:
  std::map<std::string, ApiKey> by_digest;
  std::string last_digest;

  Status Transact(const std::function<Status(Transaction&)>& body) override {
    NullTransaction tx;
    return body(tx);
  }
  Result<std::vector<ConnectorDefinition>> ListConnectorDefinitions() override { return std::vector<ConnectorDefinition>{}; }
  Result<std::optional<ConnectorDefinition>> GetConnectorDefinition(Id) override { return std::optional<ConnectorDefinition>(); }
  Result<bool> IsConnectorInUse(Id) override { return false; }
  Result<std::vector<ConnectedSystem>> ListConnectedSystems() override { return std::vector<ConnectedSystem>{}; }
  Result<std::optional<ConnectedSystem>> GetConnectedSystem(Id) override { return std::optional<ConnectedSystem>(); }
  Result<int64_t> CountRunProfiles(Id) override { return 0; }
  Result<int64_t> CountAllRunProfiles() override { return 0; }
  Result<std::vector<Partition>> ListPartitions(Id) override { return std::vector<Partition>{}; }
  Result<std::optional<Partition>> GetPartition(Id) override { return std::optional<Partition>(); }
  Result<std::vector<RunProfile>> ListRunProfiles(Id) override { return std::vector<RunProfile>{}; }
  Result<std::optional<RunProfile>> GetRunProfile(Id) override { return std::optional<RunProfile>(); }
  Result<std::vector<ApiKey>> ListApiKeys() override {
    std::vector<ApiKey> out;
    for (auto& [d, k] : by_digest) out.push_back(k);
    return out;
  }
  Result<std::optional<ApiKey>> GetApiKey(std::string_view) override { return std::optional<ApiKey>(); }
  Result<std::optional<ApiKey>> FindApiKeyByDigest(std::string_view digest_hex) override {
    last_digest = std::string(digest_hex);
    auto it = by_digest.find(std::string(digest_hex));
    if (it == by_digest.end()) return std::optional<ApiKey>();
    return std::optional<ApiKey>(it->second);
  }
  Result<ActivityPage> ListActivities(const ActivityQuery&) override { return ActivityPage{}; }
  Result<std::optional<Activity>> GetActivity(std::string_view) override { return std::optional<Activity>(); }
  Result<std::optional<IdempotencyRecord>> GetIdempotency(std::string_view) override { return std::optional<IdempotencyRecord>(); }
  Result<ConfigVersionPage> ListConfigVersions(ConfigObjectType, std::string_view, int64_t, int64_t) override { return ConfigVersionPage{}; }
  Result<std::vector<ConfigVersion>> ConfigVersionRange(ConfigObjectType, std::string_view, int64_t, int64_t) override {
    return std::vector<ConfigVersion>{};
  }
  void TouchApiKey(std::string_view, Millis) override {}
  bool IsWritable(std::string*) override { return true; }
};

class FixedClock final : public Clock {
 public:
  Millis NowMillis() override { return 1'800'000'000'000; }
};
class FixedEntropy final : public Entropy {
 public:
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i * 37 + 11);
  }
};

constexpr Millis kNow = 1'800'000'000'000;
// The stored keys (the seed corpus holds them, so the fuzzer starts next to every outcome).
const char* const kAdmin = "jim_ak_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const char* const kDisabled = "jim_ak_1111111111111111111111111111111111111111111111111111111111111111";
const char* const kExpired = "jim_ak_2222222222222222222222222222222222222222222222222222222222222222";
const char* const kNoRole = "jim_ak_3333333333333333333333333333333333333333333333333333333333333333";
const char* const kExpiresNow = "jim_ak_4444444444444444444444444444444444444444444444444444444444444444";

struct World {
  KeyCatalog catalog;
  FixedClock clock;
  FixedEntropy entropy;
  ServiceContext ctx{catalog, clock, entropy};
  ApiKeyService keys{ctx};
  std::map<std::string, AuthOutcome> expected;

  World() {
    Add(kAdmin, "admin", true, std::nullopt, {kAdministratorRoleId}, AuthOutcome::kOk);
    Add(kDisabled, "disabled", false, std::nullopt, {kAdministratorRoleId}, AuthOutcome::kDisabled);
    Add(kExpired, "expired", true, kNow - 1, {kAdministratorRoleId}, AuthOutcome::kExpired);
    Add(kNoRole, "no-role", true, kNow + 60'000, {}, AuthOutcome::kOk);
    Add(kExpiresNow, "expires-now", true, kNow, {kAdministratorRoleId}, AuthOutcome::kOk);  // expired only after
  }
  void Add(const char* plain, const char* name, bool enabled, std::optional<Millis> expires, std::vector<int> roles,
           AuthOutcome outcome) {
    ApiKey k;
    k.id = name;
    k.name = name;
    k.digest_hex = Sha256Hex(plain);
    k.key_prefix = std::string(plain).substr(0, kApiKeyDisplayPrefixLength);
    k.enabled = enabled;
    k.expires_at = expires;
    k.role_ids = std::move(roles);
    catalog.by_digest[k.digest_hex] = k;
    expected[plain] = outcome;
  }
};

bool IndependentlyWellFormed(const std::string& s) {
  if (s.size() != 71 || s.rfind("jim_ak_", 0) != 0) return false;
  for (size_t i = 7; i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

[[noreturn]] void Fail(const char* what, const std::string& key, int outcome) {
  std::fprintf(stderr, "fuzz_api_key: %s (outcome %d)\nkey (%zu bytes): %.*s\n", what, outcome, key.size(),
               static_cast<int>(key.size() > 200 ? 200 : key.size()), key.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  static World* world = new World();
  const std::string presented(reinterpret_cast<const char*>(data), size);

  const bool well_formed = IsWellFormedApiKey(presented);
  if (well_formed != IndependentlyWellFormed(presented)) Fail("IsWellFormedApiKey disagrees with the format", presented, -1);

  world->catalog.last_digest.clear();
  Authentication auth = world->keys.Authenticate(presented, kNow).value();
  const int outcome = static_cast<int>(auth.outcome);
  AuthOutcome want;
  if (presented.empty()) want = AuthOutcome::kMissing;
  else if (!well_formed) want = AuthOutcome::kMalformed;
  else if (auto it = world->expected.find(presented); it != world->expected.end()) want = it->second;
  else want = AuthOutcome::kUnknown;
  if (auth.outcome != want) Fail("unexpected outcome", presented, outcome);

  // A malformed key is refused before any lookup; a well-formed one is looked up by its own digest.
  if (!well_formed && !world->catalog.last_digest.empty()) Fail("a malformed key reached the lookup", presented, outcome);
  if (well_formed && world->catalog.last_digest != Sha256Hex(presented)) Fail("looked up the wrong digest", presented, outcome);
  if (auth.outcome == AuthOutcome::kOk) {
    if (!auth.key || auth.key->digest_hex != Sha256Hex(presented)) Fail("accepted with the wrong key", presented, outcome);
  }
  if ((auth.outcome == AuthOutcome::kMissing || auth.outcome == AuthOutcome::kMalformed ||
       auth.outcome == AuthOutcome::kUnknown) && auth.key)
    Fail("a key attached to a failed authentication", presented, outcome);
  return 0;
}
