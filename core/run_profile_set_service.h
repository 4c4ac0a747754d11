// Run-profile sets as code (beyond JIM): a connected system's whole set of run profiles declared in one
// document, planned against what is stored, and applied all or nothing in one transaction.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/run_profile_service.h"
#include "core/service_context.h"

namespace jim::core {

// The most run profiles one set may hold; a larger request is a 400 (docs/api.md, "Run-profile sets").
inline constexpr size_t kMaxRunProfilesPerSet = 10'000;

struct RunProfileSetInput {
  // The items in request order, at most kMaxRunProfilesPerSet + 1 of them kept (enough to say "too many").
  std::vector<CreateRunProfileInput> run_profiles;
  // Elements the request held (also those beyond what was kept); nullopt: `runProfiles` was not given.
  std::optional<size_t> count;
  std::optional<std::string> change_reason;
  FieldErrors parse_errors;  // keyed as the client sent them: runProfiles[2].runType, changeReason, ...
};

struct RunProfileSetOptions {
  bool dry_run = false;  // plan only: nothing is written
  bool prune = true;     // delete the stored profiles the set does not name
  std::optional<std::string> if_match;
};

// A value in a field change; monostate is JSON null.
using ChangeValue = std::variant<std::monostate, int64_t, std::string, bool>;
struct FieldChange {
  std::string field;  // camelCase, as in the set document
  ChangeValue from;
  ChangeValue to;
};

struct PlannedCreate {
  RunProfile profile;            // id 0 in a dry run (no id is allocated)
  std::optional<Id> replaces;    // the profile of the same name deleted because its runType changed
};
struct PlannedUpdate {
  RunProfile before;
  RunProfile after;
  std::vector<FieldChange> changes;
};
struct PlannedDelete {
  RunProfile profile;
  bool run_type_changed = false;  // false: the set does not name it (prune)
};

struct RunProfileSetPlan {
  std::vector<PlannedCreate> creates;
  std::vector<PlannedUpdate> updates;
  std::vector<PlannedDelete> deletes;
  std::vector<Id> unchanged;
  // The ETag of the set as it stands when the answer is sent: the stored set for a dry run, the new set
  // after an apply. Sending it back in If-Match makes the next apply conditional on nothing having changed.
  std::string etag;
  bool dry_run = false;
};

// The set as a document, in the shape the PUT takes (stored profiles in id order).
struct RunProfileSetDocument {
  std::vector<RunProfile> profiles;
  std::string etag;
};

// The ETag of a system's set of run profiles: it changes whenever a profile is created, updated or deleted.
std::string RunProfileSetETag(Id connected_system_id, const std::vector<RunProfile>& profiles);

class RunProfileSetService {
 public:
  explicit RunProfileSetService(ServiceContext ctx) : ctx_(ctx) {}

  Result<RunProfileSetDocument> Export(Id connected_system_id);
  // Errors, in this order: 404 system, 400 (every field error of every item, with the capability and
  // partition rules), 409 (stored profiles sharing a name the set names), 412 (If-Match, checked inside
  // the write).
  Result<RunProfileSetPlan> Apply(const Actor& actor, Id connected_system_id, const RunProfileSetInput& input,
                                  const RunProfileSetOptions& options);

 private:
  ServiceContext ctx_;
};

}  // namespace jim::core
