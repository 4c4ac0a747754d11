// Run-profile sets as code (beyond JIM): PUT .../run-profiles applies a whole set, GET ...?format=set
// exports the document that PUT takes.
#include "core/rules.h"
#include "http/handler_util.h"
#include "http/request_parsers.h"

namespace jim::http::handlers {

namespace {

// The set document: exactly the fields the PUT reads, every one written, so export -> apply is a no-op.
// The members of a set item: what PUT takes for one profile (also the body of a plan's create entry).
void WriteSetFields(JsonWriter& w, const core::RunProfile& p) {
  w.Field("name", p.name);
  w.Field("runType", std::string_view(core::RunTypeName(p.run_type)));
  w.Field("pageSize", p.page_size);
  w.Key("partitionId").OptionalInt(p.partition_id);
  w.Key("filePath").OptionalString(p.file_path);
  w.Field("verifyImportContentHashes", p.verify_import_content_hashes);
}

void WriteSetItem(JsonWriter& w, const core::RunProfile& p) {
  w.BeginObject();
  WriteSetFields(w, p);
  w.EndObject();
}

void WriteChangeValue(JsonWriter& w, const core::ChangeValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    w.Int(*i);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    w.String(*s);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    w.Bool(*b);
  } else {
    w.Null();
  }
}

std::string RenderPlan(const core::RunProfileSetPlan& plan) {
  std::string out;
  out.reserve(256 + (plan.creates.size() + plan.updates.size() + plan.deletes.size()) * 192 +
              plan.unchanged.size() * 8);
  JsonWriter w(out);
  w.BeginObject();
  w.Field("dryRun", plan.dry_run);
  w.Key("create").BeginArray();
  for (const auto& c : plan.creates) {
    const core::RunProfile& p = c.profile;
    w.BeginObject();
    w.Key("id");
    if (plan.dry_run) w.Null(); else w.Int(p.id);
    WriteSetFields(w, p);
    w.Key("replaces").OptionalInt(c.replaces);
    w.EndObject();
  }
  w.EndArray();
  w.Key("update").BeginArray();
  for (const auto& u : plan.updates) {
    w.BeginObject();
    w.Field("id", u.before.id);
    w.Field("name", u.before.name);
    w.Key("changes").BeginObject();
    for (const auto& change : u.changes) {
      w.Key(change.field).BeginObject();
      w.Key("from");
      WriteChangeValue(w, change.from);
      w.Key("to");
      WriteChangeValue(w, change.to);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("delete").BeginArray();
  for (const auto& d : plan.deletes) {
    w.BeginObject();
    w.Field("id", d.profile.id);
    w.Field("name", d.profile.name);
    w.Field("runType", std::string_view(core::RunTypeName(d.profile.run_type)));
    w.Field("reason", std::string_view(d.run_type_changed ? "runTypeChanged" : "notInSet"));
    w.EndObject();
  }
  w.EndArray();
  w.Key("unchanged").BeginArray();
  for (core::Id id : plan.unchanged) w.Int(id);
  w.EndArray();
  w.Field("etag", plan.etag);
  w.EndObject();
  return out;
}

// A boolean query flag: absent -> `fallback`; "true"/"false" in any case; anything else is a 400.
bool ReadFlag(const RequestContext& ctx, const char* name, bool fallback, bool* out, core::FieldErrors& errors) {
  auto value = QueryParam(ctx, name);
  if (!value) {
    *out = fallback;
    return true;
  }
  if (core::EqualsIgnoreCase(*value, "true")) {
    *out = true;
  } else if (core::EqualsIgnoreCase(*value, "false")) {
    *out = false;
  } else {
    errors.push_back({name, "must be true or false"});
    return false;
  }
  return true;
}

}  // namespace

void ExportRunProfileSet(RequestContext& ctx) {
  if (auto format = QueryParam(ctx, "format"); !format || !core::EqualsIgnoreCase(*format, "set")) {
    core::FieldErrors errors{{"format", "must be 'set' (or left out for the list of run profiles)"}};
    return SendError(ctx.res, 400, "The format query parameter is invalid.", &errors);
  }
  auto r = ctx.services.profile_sets->Export(ctx.id(0));
  if (!r) return SendCoreError(ctx, r.error());
  std::string out;
  out.reserve(64 + r->profiles.size() * 160);
  JsonWriter w(out);
  w.BeginObject();
  w.Key("runProfiles").BeginArray();
  for (const auto& p : r->profiles) WriteSetItem(w, p);
  w.EndArray();
  w.EndObject();
  ctx.res.set_header("ETag", r->etag);
  SendJson(ctx.res, 200, std::move(out));
}

void ApplyRunProfileSet(RequestContext& ctx) {
  core::RunProfileSetOptions options;
  core::FieldErrors query_errors;
  ReadFlag(ctx, "dryRun", false, &options.dry_run, query_errors);
  ReadFlag(ctx, "prune", true, &options.prune, query_errors);
  if (!query_errors.empty())
    return SendError(ctx.res, 400, "One or more query parameters are invalid.", &query_errors);
  options.if_match = OptionalHeader(ctx, "If-Match");

  core::RunProfileSetInput in;
  if (RejectBody(ctx, ParseRunProfileSet(ctx.body(), in))) return;
  auto r = ctx.services.profile_sets->Apply(ctx.actor, ctx.id(0), in, options);
  if (!r) return SendCoreError(ctx, r.error());
  ctx.res.set_header("ETag", r->etag);
  SendJson(ctx.res, 200, RenderPlan(*r));
}

}  // namespace jim::http::handlers
