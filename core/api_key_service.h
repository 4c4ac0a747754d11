// Use cases of API keys: create/update/delete, authentication and bootstrap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/service_context.h"

namespace jim::core {

struct CreateApiKeyInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<int64_t>> role_ids;
  std::optional<Millis> expires_at;
  std::optional<std::string> change_reason;  // kept on the activity and the history version
  FieldErrors parse_errors;
};

// PUT is a full replacement, as in JIM: an omitted isEnabled disables the key, omitted roleIds strips
// every role, an omitted expiresAt clears the expiry.
struct UpdateApiKeyInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<int64_t>> role_ids;
  std::optional<bool> is_enabled;
  std::optional<Millis> expires_at;
  std::optional<std::string> change_reason;
  FieldErrors parse_errors;
};

struct CreatedApiKey {
  ApiKey key;
  std::string plaintext;  // shown once, never stored
};

enum class AuthOutcome { kOk, kMissing, kMalformed, kUnknown, kDisabled, kExpired };

struct Authentication {
  AuthOutcome outcome = AuthOutcome::kMissing;
  std::optional<ApiKey> key;
};

class ApiKeyService {
 public:
  explicit ApiKeyService(ServiceContext ctx) : ctx_(ctx) {}

  Result<std::vector<ApiKey>> List();  // ordered by name
  Result<ApiKey> Get(std::string_view id);
  Result<CreatedApiKey> Create(const Actor& actor, const CreateApiKeyInput& input);
  Result<ApiKey> Update(const Actor& actor, std::string_view id, const UpdateApiKeyInput& input);
  Status Delete(const Actor& actor, std::string_view id);

  // Checks a presented key: format, digest lookup with a constant-time compare, enabled, expiry.
  Result<Authentication> Authenticate(std::string_view presented, Millis now);

  // Ensures the infrastructure key exists with the Administrator role (no-op when it does).
  Status EnsureInfrastructureKey(std::string_view plaintext);
  // Deletes every infrastructure key but the one of `current_plaintext` (empty: the variable is unset), so
  // an operator retires it by unsetting or changing JIM_INFRASTRUCTURE_API_KEY; the API cannot. No write
  // when there is nothing to retire.
  Status RetireOtherInfrastructureKeys(std::string_view current_plaintext);
  // When no key exists at all, creates an Administrator key and returns its plaintext (to be written to
  // the initial-api-key file); otherwise returns nullopt.
  Result<std::optional<std::string>> EnsureInitialKey();

 private:
  Result<CreatedApiKey> Insert(const Actor& actor, std::string name, std::string description,
                               std::vector<int> roles, std::optional<Millis> expires_at, bool infrastructure,
                               std::optional<std::string> change_reason,
                               std::optional<std::string> plaintext, bool only_if_no_keys);
  ServiceContext ctx_;
};

inline const Actor kSystemActor{"System", "00000000-0000-0000-0000-000000000000", "jim-edge"};

}  // namespace jim::core
