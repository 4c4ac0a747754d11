// The domain rules as pure functions: limits, run type vs capabilities, names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/entities.h"
#include "core/result.h"

namespace jim::core {

inline constexpr size_t kMaxNameLength = 200;            // UTF-16 code units, as JIM counts
inline constexpr size_t kMaxDescriptionLength = 1000;
inline constexpr size_t kMaxFilePathLength = 500;
inline constexpr size_t kMaxExternalIdLength = 500;
inline constexpr size_t kMaxChangeReasonLength = 2'000;  // why a change was made (UTF-16 units)
inline constexpr int64_t kMinPageSize = 1;
inline constexpr int64_t kMaxPageSize = 10000;
inline constexpr int32_t kDefaultPageSize = 100;

// Length in UTF-16 code units of valid UTF-8 (a 4-byte sequence counts 2), as .NET's string.Length.
size_t Utf16Length(std::string_view utf8);
// Trims ASCII and the common Unicode whitespace (as .NET's string.Trim does for what clients send).
std::string_view TrimWhitespace(std::string_view s);
bool IsBlank(std::string_view s);
// Case-folded form used for case-insensitive uniqueness (ASCII letters folded; other bytes as is).
std::string FoldName(std::string_view name);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

const char* RunTypeName(RunType t);
std::optional<RunType> ParseRunType(std::string_view name);  // case-insensitive member name
inline constexpr const char* kRunTypeNamesList =
    "FullImport, DeltaImport, FullSynchronisation, DeltaSynchronisation, Export";
const char* TargetTypeName(TargetType t);
std::optional<TargetType> ParseTargetType(std::string_view name);
const char* OperationTypeName(OperationType t);

// FullImport needs supportsFullImport, DeltaImport supportsDeltaImport, Export supportsExport; the two
// synchronisation types run on the metaverse side and need nothing of the connector.
bool IsRunTypeSupported(RunType type, const Capabilities& caps);

// Field checks; each appends to `errors` and returns whether the value passed. Text checks also refuse
// the NUL character (U+0000) with kNulMessage.
inline constexpr const char* kNulMessage = "must not contain the NUL character (U+0000)";
bool CheckRequiredName(std::string_view field, const std::optional<std::string>& value, FieldErrors& errors);
bool CheckOptionalName(std::string_view field, const std::optional<std::string>& value, FieldErrors& errors);
bool CheckMaxLength(std::string_view field, const std::optional<std::string>& value, size_t max,
                    FieldErrors& errors);
bool CheckPageSize(std::string_view field, const std::optional<int64_t>& value, FieldErrors& errors);
bool HasFieldError(const FieldErrors& errors, std::string_view field);

// A run profile targets a deselected partition when the partition it names is deselected or gone.
bool TargetsDeselectedPartition(const RunProfile& profile, const std::optional<Partition>& partition);

// The ETag of a run profile, a strong validator derived from its id and revision.
std::string RunProfileETag(const RunProfile& profile);
// Whether an If-Match header value (a list of ETags, or *) matches `etag`.
bool IfMatchMatches(std::string_view if_match, std::string_view etag);

// The four built-in connector definitions, ids 1-4, as API.md section 4 lists them.
std::vector<ConnectorDefinition> BuiltInConnectorDefinitions();
inline constexpr Id kLastBuiltInConnectorId = 4;

}  // namespace jim::core
