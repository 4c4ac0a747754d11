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

void SendError(httplib::Response& res, int status, std::string_view message, const core::FieldErrors* fields) {
  SendJson(res, status, ErrorEnvelope(ErrorCodeForStatus(status), message, fields, WallClockMillis()));
  if (status == 503) res.set_header("Retry-After", "5");
}

void SendCoreError(RequestContext& ctx, const core::Error& error) {
  const int status = StatusForCoreError(error.code);
  switch (error.code) {
    case core::ErrorCode::kUnavailable:
      ctx.log.Warn("store unavailable", {{"request_id", ctx.request_id}, {"detail", error.detail}});
      SendError(ctx.res, status,
                error.message.empty() ? "The service cannot store changes right now; retry later." : error.message);
      return;
    case core::ErrorCode::kInternal:
      // The detail is for the log only: a client learns nothing of the server's inside.
      ctx.log.Error("internal error",
                    {{"request_id", ctx.request_id}, {"message", error.message}, {"detail", error.detail}});
      SendError(ctx.res, status, "An unexpected error occurred.");
      return;
    default:
      SendError(ctx.res, status, error.message, error.fields.empty() ? nullptr : &error.fields);
      return;
  }
}

}  // namespace jim::http
