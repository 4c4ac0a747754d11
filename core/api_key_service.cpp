#include "core/api_key_service.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/config_history.h"
#include "core/rules.h"
#include "core/write_use_case.h"

namespace jim::core {

namespace {

Error KeyNotFound(std::string_view id) { return NotFoundError("API key not found: " + std::string(id)); }

Result<ApiKey> FindKeyOrNotFound(Transaction& tx, std::string_view id) {
  auto key = tx.FindApiKey(id);
  if (!key) return KeyNotFound(id);
  return std::move(*key);
}

// Only the Administrator role exists; any other id, or an id given twice, is invalid.
std::optional<std::vector<int>> ValidRoles(const std::optional<std::vector<int64_t>>& ids, FieldErrors& errors) {
  std::vector<int> roles;
  if (!ids) return roles;
  for (int64_t id : *ids) {
    if (id != kAdministratorRoleId || std::find(roles.begin(), roles.end(), id) != roles.end()) {
      errors.push_back({"roleIds", "One or more role IDs are invalid; the only role is 1 (Administrator)."});
      return std::nullopt;
    }
    roles.push_back(static_cast<int>(id));
  }
  return roles;
}

// A key that can administer now: what "at least one Administrator remains" counts. Expiry as Authenticate
// reads it (a key is refused only after its expiry instant).
bool CanAdminister(const ApiKey& key, Millis now) {
  return key.enabled && key.IsAdministrator() && (!key.expires_at || *key.expires_at >= now);
}

// Inside the write that changes or removes `changed_id`: the rule holds against every racing key write,
// because the bodies are serialised and this reads the group's earlier writes too.
bool AnotherAdministratorRemains(Transaction& tx, std::string_view changed_id, Millis now) {
  for (const ApiKey& key : tx.ListApiKeys())
    if (key.id != changed_id && CanAdminister(key, now)) return true;
  return false;
}

Error LastAdministrator(std::string_view action) {
  return MakeError(ErrorCode::kConflict,
                   "Cannot " + std::string(action) +
                       " the last enabled, unexpired API key with the Administrator role; create or enable another "
                       "Administrator key first.");
}

Error InfrastructureKeyProtected(std::string_view action) {
  return MakeError(ErrorCode::kConflict,
                   "The infrastructure key comes from JIM_INFRASTRUCTURE_API_KEY and cannot be " + std::string(action) +
                       " through the API; unset the variable and restart jim-edge to remove it.");
}

}  // namespace

Result<std::vector<ApiKey>> ApiKeyService::List() {
  auto keys = ctx_.catalog.ListApiKeys();
  if (!keys) return keys.error();
  std::sort(keys->begin(), keys->end(), [](const ApiKey& a, const ApiKey& b) {
    return a.name != b.name ? a.name < b.name : a.id < b.id;
  });
  return keys;
}

Result<ApiKey> ApiKeyService::Get(std::string_view id) {
  auto key = ctx_.catalog.GetApiKey(id);
  if (!key.ok()) return key.error();
  if (!*key) return KeyNotFound(id);
  return std::move(**key);
}

Result<CreatedApiKey> ApiKeyService::Insert(const Actor& actor, std::string name, std::string description,
                                            std::vector<int> roles, std::optional<Millis> expires_at,
                                            bool infrastructure, std::optional<std::string> change_reason,
                                            std::optional<std::string> plaintext,
                                            bool only_if_no_keys) {
  CreatedApiKey created;
  created.plaintext = plaintext ? std::move(*plaintext) : GenerateApiKey(ctx_.entropy);
  ApiKey& k = created.key;
  k.id = NewUuid(ctx_.entropy);
  k.name = std::move(name);
  k.description = std::move(description);
  k.digest_hex = Sha256Hex(created.plaintext);
  k.key_prefix = created.plaintext.substr(0, kApiKeyDisplayPrefixLength);
  k.created_at = ctx_.clock.NowMillis();
  k.expires_at = expires_at;
  k.enabled = true;
  k.infrastructure = infrastructure;
  k.role_ids = std::move(roles);
  // Skipped (nothing written) when a key exists and only the first was wanted, or this very key exists.
  auto skipped = TransactValue(ctx_.catalog, [&](Transaction& tx) -> Result<bool> {
    if (only_if_no_keys && !tx.ListApiKeys().empty()) return true;
    if (tx.FindApiKeyByDigest(k.digest_hex)) return true;  // the same key already exists (bootstrap run twice)
    tx.Put(k);
    RecordObjectChange(tx,
                       MakeActivity(ctx_, actor, TargetType::kApiKey, OperationType::kCreate, k.name, std::nullopt,
                                    std::nullopt, std::nullopt, change_reason),
                       ConfigObjectType::kApiKey, k.id, "API key '" + k.name + "' created", std::nullopt, ApiKeyTree(k));
    return false;
  });
  if (!skipped.ok()) return skipped.error();
  if (*skipped) return MakeError(ErrorCode::kConflict, "skipped");
  return created;
}

Result<CreatedApiKey> ApiKeyService::Create(const Actor& actor, const CreateApiKeyInput& in) {
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", in.name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", in.description, kMaxDescriptionLength, errors);
  std::optional<std::vector<int>> roles;
  if (!HasFieldError(errors, "roleIds")) roles = ValidRoles(in.role_ids, errors);
  if (!HasFieldError(errors, "changeReason"))
    CheckMaxLength("changeReason", in.change_reason, kMaxChangeReasonLength, errors);
  if (in.expires_at && *in.expires_at <= ctx_.clock.NowMillis() && !HasFieldError(errors, "expiresAt"))
    errors.push_back({"expiresAt", "must be in the future"});
  if (!errors.empty()) return InvalidFields(std::move(errors));
  return Insert(actor, *in.name, in.description.value_or(""), std::move(*roles), in.expires_at, false,
                in.change_reason, std::nullopt,
                false);
}

Result<ApiKey> ApiKeyService::Update(const Actor& actor, std::string_view id, const UpdateApiKeyInput& in) {
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", in.name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", in.description, kMaxDescriptionLength, errors);
  std::optional<std::vector<int>> roles;
  if (!HasFieldError(errors, "roleIds")) roles = ValidRoles(in.role_ids, errors);
  if (!HasFieldError(errors, "changeReason"))
    CheckMaxLength("changeReason", in.change_reason, kMaxChangeReasonLength, errors);

  const Millis now = ctx_.clock.NowMillis();
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindKeyOrNotFound(tx, id); }, errors,
      [&](Transaction& tx, ApiKey& key) -> Result<ApiKey> {
        bool enabled = in.is_enabled.value_or(false);
        bool admin = std::find(roles->begin(), roles->end(), kAdministratorRoleId) != roles->end();
        if (key.id == actor.id && (!enabled || !admin))
          return MakeError(ErrorCode::kConflict,
                           "An API key cannot disable itself or remove its own Administrator role.");
        if (key.infrastructure && (!enabled || !admin || in.expires_at))
          return InfrastructureKeyProtected("disabled, demoted or given an expiry");
        const ConfigNode before_tree = ApiKeyTree(key);
        ApiKey after = key;
        after.role_ids = *roles;
        after.enabled = enabled;
        after.expires_at = in.expires_at;
        if (CanAdminister(key, now) && !CanAdminister(after, now) && !AnotherAdministratorRemains(tx, key.id, now))
          return LastAdministrator(!enabled ? "disable" : !admin ? "demote" : "expire");
        key.name = *in.name;
        key.description = in.description.value_or("");
        key.role_ids = *roles;
        key.enabled = enabled;
        key.expires_at = in.expires_at;
        tx.Put(key);
        RecordObjectChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kApiKey, OperationType::kUpdate, key.name,
                                        std::nullopt, std::nullopt, std::nullopt, in.change_reason),
                           ConfigObjectType::kApiKey, key.id, "API key '" + key.name + "' updated", before_tree,
                           ApiKeyTree(key));
        return std::move(key);
      });
}

Status ApiKeyService::Delete(const Actor& actor, std::string_view id) {
  const Millis now = ctx_.clock.NowMillis();
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindKeyOrNotFound(tx, id); },
      [&](Transaction& tx, ApiKey& key) -> Status {
        if (key.id == actor.id) return MakeError(ErrorCode::kConflict, "An API key cannot delete itself.");
        if (key.infrastructure) return InfrastructureKeyProtected("deleted");
        if (CanAdminister(key, now) && !AnotherAdministratorRemains(tx, key.id, now)) return LastAdministrator("delete");
        tx.DeleteApiKey(id);
        const ConfigNode tree = ApiKeyTree(key);
        RecordObjectChange(
            tx, MakeActivity(ctx_, actor, TargetType::kApiKey, OperationType::kDelete, key.name, std::nullopt),
            ConfigObjectType::kApiKey, key.id, "API key '" + key.name + "' deleted", tree, tree);
        return OkStatus();
      });
}

Result<Authentication> ApiKeyService::Authenticate(std::string_view presented, Millis now) {
  Authentication auth;
  if (presented.empty()) return auth;
  if (!IsWellFormedApiKey(presented)) {
    auth.outcome = AuthOutcome::kMalformed;
    return auth;
  }
  const std::string digest = Sha256Hex(presented);
  auto found = ctx_.catalog.FindApiKeyByDigest(digest);
  if (!found.ok()) return found.error();
  std::optional<ApiKey>& key = *found;
  // The map lookup finds the candidate; the constant-time compare is what decides.
  if (!key || !ConstantTimeEquals(key->digest_hex, digest)) {
    auth.outcome = AuthOutcome::kUnknown;
    return auth;
  }
  if (!key->enabled) {
    auth.outcome = AuthOutcome::kDisabled;
  } else if (key->expires_at && *key->expires_at < now) {
    auth.outcome = AuthOutcome::kExpired;
  } else {
    auth.outcome = AuthOutcome::kOk;
  }
  auth.key = std::move(key);
  return auth;
}

Status ApiKeyService::EnsureInfrastructureKey(std::string_view plaintext) {
  if (!IsWellFormedApiKey(plaintext))
    return MakeError(ErrorCode::kInvalidArgument,
                     "JIM_INFRASTRUCTURE_API_KEY is not a well-formed key (jim_ak_ followed by 64 lower-case hex "
                     "characters).");
  // Already there (every start after the first): no write, so a start on a full disk still succeeds.
  auto existing = ctx_.catalog.FindApiKeyByDigest(Sha256Hex(plaintext));
  if (!existing.ok()) return existing.error();
  if (*existing) return OkStatus();
  auto r = Insert(kSystemActor, "Infrastructure Key", "Created from JIM_INFRASTRUCTURE_API_KEY at start-up.",
                  {kAdministratorRoleId}, std::nullopt, true, std::nullopt, std::string(plaintext), false);
  if (!r && r.error().code != ErrorCode::kConflict) return r.error();
  return OkStatus();
}

Status ApiKeyService::RetireOtherInfrastructureKeys(std::string_view current_plaintext) {
  const std::string keep = current_plaintext.empty() ? std::string() : Sha256Hex(current_plaintext);
  auto retired = [&](const ApiKey& key) { return key.infrastructure && key.digest_hex != keep; };
  auto keys = ctx_.catalog.ListApiKeys();
  if (!keys) return keys.error();
  if (std::none_of(keys->begin(), keys->end(), retired)) return OkStatus();
  return ctx_.catalog.Transact([&](Transaction& tx) -> Status {
    for (const ApiKey& key : tx.ListApiKeys()) {
      if (!retired(key)) continue;
      tx.DeleteApiKey(key.id);
      const ConfigNode tree = ApiKeyTree(key);
      RecordObjectChange(tx,
                         MakeActivity(ctx_, kSystemActor, TargetType::kApiKey, OperationType::kDelete, key.name,
                                      std::nullopt),
                         ConfigObjectType::kApiKey, key.id, "API key '" + key.name + "' deleted", tree, tree);
    }
    return OkStatus();
  });
}

Result<std::optional<std::string>> ApiKeyService::EnsureInitialKey() {
  auto keys = ctx_.catalog.ListApiKeys();
  if (!keys) return keys.error();
  if (!keys->empty()) return std::optional<std::string>();
  auto r = Insert(kSystemActor, "Initial Administrator Key", "Created at first start.", {kAdministratorRoleId},
                  std::nullopt, false, std::nullopt, std::nullopt, true);
  if (!r) {
    if (r.error().code == ErrorCode::kConflict) return std::optional<std::string>();
    return r.error();
  }
  return std::optional<std::string>(std::move(r->plaintext));
}

}  // namespace jim::core
