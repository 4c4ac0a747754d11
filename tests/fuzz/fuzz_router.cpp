// libFuzzer target: the route table and the path-id parser (http::Router::Match over the real table
// registered by http::RegisterRoutes, and http::UrlDecode).
//
// Input: first byte picks the method, the rest is the path. Checks the match's invariants: a matched
// route has that method and a pattern with as many {int} segments as ids parsed, every id >= 1, a
// {uuid} segment yields a canonical lower-case uuid; 405 names allowed methods that do not include the
// requested one; and the match does not depend on the case of the literal segments.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/crypto.h"
#include "http/api_server.h"
#include "http/router.h"

namespace {

const jim::http::Router& Table() {
  static const jim::http::Router* router = [] {
    auto* r = new jim::http::Router();
    jim::http::RegisterRoutes(*r);
    return r;
  }();
  return *router;
}

[[noreturn]] void Fail(const char* what, const std::string& method, const std::string& path) {
  std::fprintf(stderr, "fuzz_router: %s\nmethod %s path (%zu bytes): %.*s\n", what, method.c_str(), path.size(),
               static_cast<int>(path.size() > 400 ? 400 : path.size()), path.data());
  std::abort();
}

int CountOf(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 16 * 1024) return 0;
  static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "get"};
  const std::string method = kMethods[data[0] % 8];
  const std::string path(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& router = Table();

  jim::http::RouteMatch m = router.Match(method, path);
  using jim::http::MatchOutcome;
  if (m.outcome == MatchOutcome::kMatched) {
    if (m.route == nullptr || m.route->method != method) Fail("matched a route of another method", method, path);
    if (m.params.id_count != CountOf(m.route->pattern, "{int}")) Fail("id count differs from the pattern", method, path);
    for (int i = 0; i < m.params.id_count; ++i)
      if (m.params.ids[static_cast<size_t>(i)] < 1) Fail("an id below 1", method, path);
    if (m.route->pattern.find("{uuid}") != std::string::npos) {
      if (!jim::core::IsUuid(m.params.uuid)) Fail("a {uuid} that is not a uuid", method, path);
      for (char c : m.params.uuid)
        if (c >= 'A' && c <= 'Z') Fail("a {uuid} not folded to lower case", method, path);
    }
    if (m.route->pattern.find("{str}") != std::string::npos && m.params.text.empty())
      Fail("an empty {str}", method, path);
  } else if (m.outcome == MatchOutcome::kMethodNotAllowed) {
    if (m.allow.empty()) Fail("405 without allowed methods", method, path);
    if (m.allow.find(method) != std::string::npos)
      Fail("405 that allows the requested method", method, path);
  } else if (m.route != nullptr || !m.allow.empty()) {
    Fail("404 with a route or allowed methods", method, path);
  }

  // Literal segments match case-insensitively: upper-casing the letters outside {str}/{uuid} values must
  // not change whether the path matches (ids and uuids are case-insensitive or digits anyway).
  std::string upper = path;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  jim::http::RouteMatch u = router.Match(method, upper);
  if (m.outcome == MatchOutcome::kMatched && m.route->pattern.find("{str}") == std::string::npos &&
      (u.outcome != MatchOutcome::kMatched || u.route != m.route))
    Fail("the match depends on the case of the path", method, path);

  std::string decoded;
  if (jim::http::UrlDecode(path, decoded) && decoded.size() > path.size())
    Fail("UrlDecode grew its input", method, path);
  return 0;
}
