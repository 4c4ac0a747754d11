// UTC ISO-8601 timestamps with millisecond precision and a Z, as the contract writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/entities.h"

namespace jim::http {

void AppendIso8601(std::string& out, core::Millis utc_millis);
std::string FormatIso8601(core::Millis utc_millis);
// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`; returns nullopt for anything else.
std::optional<core::Millis> ParseIso8601(std::string_view text);

}  // namespace jim::http
