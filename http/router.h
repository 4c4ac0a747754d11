// The declarative route table: method, pattern, required role and handler in one row, matched
// case-insensitively on literal segments. Path ids are parsed with std::from_chars.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jim::http {

enum class Role {
  kAnonymous,      // health, openapi, metrics
  kAuthenticated,  // any valid key (userinfo)
  kAdministrator,  // everything else
};

struct PathParams {
  std::array<int64_t, 2> ids{};  // {int} segments in order
  int id_count = 0;
  std::string text;   // the {str} segment, percent-decoded once
  std::string uuid;   // the {uuid} segment
};

struct RequestContext;
using Handler = std::function<void(RequestContext&)>;

struct Route {
  std::string method;   // GET, POST, PUT, DELETE
  std::string pattern;  // e.g. /api/v1/synchronisation/connected-systems/{int}/run-profiles/{int}
  Role role = Role::kAdministrator;
  Handler handler;
  bool has_body() const { return method == "POST" || method == "PUT"; }
};

enum class MatchOutcome { kMatched, kMethodNotAllowed, kNotFound };

struct RouteMatch {
  MatchOutcome outcome = MatchOutcome::kNotFound;
  const Route* route = nullptr;
  PathParams params;
  std::string allow;  // for 405: the methods this path accepts, e.g. "GET, POST"
};

class Router {
 public:
  void Add(Route route);
  // `path` as sent on the wire (percent-encoded): split on "/", then each segment decoded once.
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // lower-case literals or {int} {str} {uuid}
  };
  static bool MatchSegments(const Compiled& c, const std::vector<std::string_view>& parts, PathParams& out);
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

// Percent-decodes a path segment; returns false for a malformed escape.
bool UrlDecode(std::string_view in, std::string& out);

}  // namespace jim::http
