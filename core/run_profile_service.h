// Use cases of run profiles: the create path is the seed of the product.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/service_context.h"

namespace jim::core {

struct CreateRunProfileInput {
  std::optional<std::string> name;
  std::optional<RunType> run_type;
  std::optional<int64_t> page_size;
  std::optional<int64_t> partition_id;
  std::optional<std::string> file_path;
  std::optional<bool> verify_import_content_hashes;
  std::optional<std::string> change_reason;  // beyond JIM; kept on the activity
  FieldErrors parse_errors;  // what the wire parser already rejected (wrong types, unknown names)
};

// The create request as the service sees it, in one canonical text: what an Idempotency-Key compares.
// Two bodies that parse to the same fields (other whitespace, key order or property-name case, "500" for
// 500) give the same text; any difference in a field, or in what the parser refused, gives another.
std::string CanonicalCreateRequest(const CreateRunProfileInput& input);

struct UpdateRunProfileInput {
  std::optional<std::string> name;
  std::optional<int64_t> page_size;
  std::optional<int64_t> partition_id;
  std::optional<std::string> file_path;  // "" clears it
  std::optional<bool> verify_import_content_hashes;
  std::optional<std::string> change_reason;
  FieldErrors parse_errors;
  std::optional<std::string> if_match;
};

// Idempotency-Key handling for a create: checked and recorded inside the create's own transaction, so
// a replay is exact and a crash can never keep the profile without its record or the other way round.
struct IdempotencyInput {
  std::string key;           // already scoped to the caller and route
  std::string request_hash;  // digest of CanonicalCreateRequest(input)
};

struct CreateRunProfileOutcome {
  RunProfileView view;
  std::optional<IdempotencyRecord> replay;  // set when this was a replay of an earlier identical request
};

class RunProfileService {
 public:
  explicit RunProfileService(ServiceContext ctx) : ctx_(ctx) {}

  Result<std::vector<RunProfileView>> List(Id connected_system_id);
  Result<RunProfileView> Get(Id connected_system_id, Id run_profile_id);
  // 404 unless the connected system exists, from committed state (never waits for the committer): what
  // outranks a 400 that is known without the store (a body that is not JSON).
  Status RequireSystem(Id connected_system_id);
  Result<CreateRunProfileOutcome> Create(const Actor& actor, Id connected_system_id,
                                         const CreateRunProfileInput& input,
                                         const IdempotencyInput* idempotency = nullptr);
  Result<RunProfileView> Update(const Actor& actor, Id connected_system_id, Id run_profile_id,
                                const UpdateRunProfileInput& input);
  Status Delete(const Actor& actor, Id connected_system_id, Id run_profile_id,
                const std::optional<std::string>& if_match,
                const std::optional<std::string>& change_reason = std::nullopt);

 private:
  RunProfileView ViewOf(RunProfile profile, const std::optional<Partition>& partition);
  // The committed partition a profile targets (none when it targets none).
  Result<std::optional<Partition>> PartitionOf(const RunProfile& profile);
  // A create whose field rules already failed, answered from committed state with what outranks the 400.
  Result<CreateRunProfileOutcome> RefuseEarly(Id connected_system_id, FieldErrors errors,
                                              const IdempotencyInput* idempotency, Millis now);
  ServiceContext ctx_;
};

}  // namespace jim::core
