// Writing responses: JSON bodies, the error envelope, and the one map from core error codes to statuses.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "http/context.h"
#include "http/error_codes.h"

namespace jim::http {

inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

void SendJson(httplib::Response& res, int status, std::string body);

// The envelope of API.md section 1.
std::string ErrorEnvelope(std::string_view code, std::string_view message, const core::FieldErrors* fields,
                          core::Millis now);
// The envelope's code follows from `status` (http/error_codes.h): one table pairs them.
void SendError(httplib::Response& res, int status, std::string_view message,
               const core::FieldErrors* fields = nullptr);

// Maps a core error to its status and envelope; internal detail goes to the log with the request id.
void SendCoreError(RequestContext& ctx, const core::Error& error);

core::Millis WallClockMillis();

}  // namespace jim::http
