#include "core/crypto.h"
#include "core/rules.h"
#include "http/handler_util.h"
#include "http/request_parsers.h"

namespace jim::http::handlers {

namespace {

constexpr size_t kMaxIdempotencyKeyLength = 255;

std::string ProfilePath(core::Id cs, core::Id rp) {
  return "/api/v1/synchronisation/connected-systems/" + std::to_string(cs) + "/run-profiles/" + std::to_string(rp);
}

// An idempotency record keeps the path only: nothing from a request's Host is stored. Records written by
// older versions hold an absolute URL, whose scheme and authority are dropped here.
std::string ReplayLocation(const RequestContext& ctx, std::string_view stored) {
  if (!stored.empty() && stored.front() != '/') {
    size_t scheme = stored.find("://");
    size_t path = scheme == std::string_view::npos ? 0 : stored.find('/', scheme + 3);
    stored = path == std::string_view::npos ? std::string_view() : stored.substr(path);
  }
  return BaseUrl(ctx) + std::string(stored);
}

RenderedBody RenderProfile(const core::RunProfileView& view) {
  return {RenderOne(view, WriteRunProfile), core::RunProfileETag(view.profile)};
}

// A profile's rendering carries its ETag; a list's has none.
void SendRendered(RequestContext& ctx, int status, RenderedBody rendered) {
  if (!rendered.etag.empty()) ctx.res.set_header("ETag", rendered.etag);
  SendJson(ctx.res, status, std::move(rendered.body));
}

void SendProfile(RequestContext& ctx, int status, const core::RunProfileView& view) {
  SendRendered(ctx, status, RenderProfile(view));
}

// The version is read before the store, so what is read during a write is kept under the older version
// (see rendered_cache.h). A kept entry also means the system still exists: deleting it moves the version.
uint64_t RenderedVersion(RequestContext& ctx, core::Id cs) {
  return ctx.rendered ? ctx.services.catalog.RunProfileListVersion(cs) : 0;
}

}  // namespace

void ListRunProfiles(RequestContext& ctx) {
  if (QueryParam(ctx, "format")) return ExportRunProfileSet(ctx);
  const core::Id cs = ctx.id(0);
  const uint64_t version = RenderedVersion(ctx, cs);
  if (version != 0) {
    if (auto kept = ctx.rendered->Find(cs, RenderedCache::kList, version)) return SendRendered(ctx, 200, *kept);
  }
  auto r = ctx.services.profiles.List(cs);
  if (!r) return SendCoreError(ctx, r.error());
  RenderedBody rendered{RenderArray(*r, WriteRunProfile), ""};
  if (version != 0) ctx.rendered->Store(cs, RenderedCache::kList, version, rendered);
  SendRendered(ctx, 200, std::move(rendered));
}

void GetRunProfile(RequestContext& ctx) {
  const core::Id cs = ctx.id(0), rp = ctx.id(1);
  const uint64_t version = RenderedVersion(ctx, cs);
  if (version != 0) {
    if (auto kept = ctx.rendered->Find(cs, rp, version)) return SendRendered(ctx, 200, *kept);
  }
  auto r = ctx.services.profiles.Get(cs, rp);
  if (!r) return SendCoreError(ctx, r.error());
  RenderedBody rendered = RenderProfile(*r);
  if (version != 0) ctx.rendered->Store(cs, rp, version, rendered);
  SendRendered(ctx, 200, std::move(rendered));
}

void CreateRunProfile(RequestContext& ctx) {
  const core::Id cs = ctx.id(0);
  core::CreateRunProfileInput in;
  core::FieldErrors body_errors = ParseCreateRunProfile(ctx.body(), in);
  if (!body_errors.empty()) {
    // Known without the store, but the contract ranks 404 system above 400: a committed read, no commit.
    if (auto known = ctx.services.profiles.RequireSystem(cs); !known) return SendCoreError(ctx, known.error());
    RejectBody(ctx, body_errors);
    return;
  }

  std::optional<core::IdempotencyInput> idempotency;
  if (auto header = OptionalHeader(ctx, "Idempotency-Key")) {
    if (header->empty() || header->size() > kMaxIdempotencyKeyLength) {
      core::FieldErrors errors{{"Idempotency-Key", "must be between 1 and 255 characters"}};
      return SendError(ctx.res, 400, "The Idempotency-Key header is invalid.", &errors);
    }
    idempotency.emplace();
    // Scoped to the caller and the route, so two callers (or two systems) never share a record.
    idempotency->key = core::Sha256Hex(ctx.key->id + "\n" + std::to_string(cs) + "\n" + *header);
    // The parsed request, not the bytes: a retry that re-serialised the same body is still the same request.
    idempotency->request_hash = core::Sha256Hex(core::CanonicalCreateRequest(in));
  }

  auto r = ctx.services.profiles.Create(ctx.actor, cs, in, idempotency ? &*idempotency : nullptr);
  if (!r) return SendCoreError(ctx, r.error());
  if (r->replay) {
    ctx.res.set_header("Idempotent-Replayed", "true");
    if (!r->replay->profile) {  // a record of an older build: its rendering, as stored
      ctx.res.set_header("Location", ReplayLocation(ctx, r->replay->location));
      return SendJson(ctx.res, r->replay->status, std::move(r->replay->body));
    }
    r->view = std::move(*r->replay->profile);  // rendered below exactly as the original answer was
  }
  // One rendering and one Location, for the original answer and for its replays alike.
  ctx.res.set_header("Location", BaseUrl(ctx) + ProfilePath(cs, r->view.profile.id));
  SendProfile(ctx, 201, r->view);
}

void UpdateRunProfile(RequestContext& ctx) {
  core::UpdateRunProfileInput in;
  if (RejectBody(ctx, ParseUpdateRunProfile(ctx.body(), in))) return;
  in.if_match = OptionalHeader(ctx, "If-Match");
  auto r = ctx.services.profiles.Update(ctx.actor, ctx.id(0), ctx.id(1), in);
  if (!r) return SendCoreError(ctx, r.error());
  SendProfile(ctx, 200, *r);
}

void DeleteRunProfile(RequestContext& ctx) {
  SendNoContent(ctx, ctx.services.profiles.Delete(ctx.actor, ctx.id(0), ctx.id(1), OptionalHeader(ctx, "If-Match"),
                                                  QueryParam(ctx, "changeReason")));
}

}  // namespace jim::http::handlers
