#include "http/responses.h"

#include <chrono>

#include "http/json_writer.h"

namespace jim::http {

core::Millis WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SendJson(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.body = std::move(body);
  res.set_header("Content-Type", kJsonContentType);
}

std::string ErrorEnvelope(std::string_view code, std::string_view message, const core::FieldErrors* fields,
                          core::Millis now) {
  std::string out;
  out.reserve(192);
  JsonWriter w(out);
  w.BeginObject();
  w.Field("code", code);
  w.Field("message", message);
  w.Key("details").Null();
  w.Key("validationErrors");
  if (fields && !fields->empty()) {
    // Group messages by field, keeping the order in which fields were first reported.
    w.BeginObject();
    std::vector<std::string_view> seen;
    for (const auto& f : *fields) {
      bool done = false;
      for (auto s : seen) done = done || s == f.field;
      if (done) continue;
      seen.push_back(f.field);
      w.Key(f.field).BeginArray();
      for (const auto& g : *fields)
        if (g.field == f.field) w.String(g.message);
      w.EndArray();
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("timestamp").Timestamp(now);
  w.EndObject();
  return out;
}

const char* ErrorCodeForStatus(int status) {
  switch (status) {
    case 400: return "VALIDATION_ERROR";
    case 401: return "UNAUTHORISED";
    case 403: return "FORBIDDEN";
    case 404: return "NOT_FOUND";
    case 405: return "METHOD_NOT_ALLOWED";
    case 408: return "REQUEST_TIMEOUT";
    case 409: return "CONFLICT";
    case 411: return "LENGTH_REQUIRED";
    case 412: return "PRECONDITION_FAILED";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 414: return "URI_TOO_LONG";
    case 415: return "UNSUPPORTED_MEDIA_TYPE";
    case 416: return "RANGE_NOT_SATISFIABLE";
    case 429: return "TOO_MANY_REQUESTS";
    case 431: return "REQUEST_HEADER_FIELDS_TOO_LARGE";
    case 503: return "SERVICE_UNAVAILABLE";
    default: return status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
  }
}

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message,
               const core::FieldErrors* fields) {
  SendJson(res, status, ErrorEnvelope(code, message, fields, WallClockMillis()));
  if (status == 503) res.set_header("Retry-After", "5");
}

void SendCoreError(RequestContext& ctx, const core::Error& error) {
  using core::ErrorCode;
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      SendError(ctx.res, 400, "VALIDATION_ERROR", error.message, &error.fields);
      return;
    case ErrorCode::kNotFound:
      SendError(ctx.res, 404, "NOT_FOUND", error.message);
      return;
    case ErrorCode::kConflict:
      SendError(ctx.res, 409, "CONFLICT", error.message);
      return;
    case ErrorCode::kPreconditionFailed:
      SendError(ctx.res, 412, "PRECONDITION_FAILED", error.message);
      return;
    case ErrorCode::kUnavailable:
      ctx.log.Warn("store unavailable", {{"request_id", ctx.request_id}, {"detail", error.detail}});
      SendError(ctx.res, 503, "SERVICE_UNAVAILABLE",
                error.message.empty() ? "The service cannot store changes right now; retry later." : error.message);
      return;
    case ErrorCode::kInternal:
      ctx.log.Error("internal error",
                    {{"request_id", ctx.request_id}, {"message", error.message}, {"detail", error.detail}});
      SendError(ctx.res, 500, "INTERNAL_ERROR", "An unexpected error occurred.");
      return;
  }
}

}  // namespace jim::http
