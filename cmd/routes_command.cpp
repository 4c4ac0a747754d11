#include "cmd/routes_command.h"

#include <algorithm>

#include "http/api_server.h"
#include "http/json_writer.h"
#include "http/router.h"

namespace jim::cmd {
namespace {

http::Router Table() {
  http::Router router;
  http::RegisterRoutes(router);
  return router;
}

const char* RoleName(http::Role role) {
  switch (role) {
    case http::Role::kAnonymous: return "Anonymous";
    case http::Role::kAuthenticated: return "Authenticated";
    case http::Role::kAdministrator: return "Administrator";
  }
  return "Administrator";
}

}  // namespace

std::string RoutesJson() {
  const http::Router router = Table();
  std::string out;
  http::JsonWriter w(out);
  w.BeginArray();
  for (const http::Route& route : router.routes()) {
    w.BeginObject();
    w.Field("method", route.method);
    w.Field("pattern", route.pattern);
    w.Field("role", std::string_view(RoleName(route.role)));
    w.EndObject();
  }
  w.EndArray();
  out += '\n';
  return out;
}

std::string RoutesText() {
  const http::Router router = Table();
  size_t width = 0;
  for (const http::Route& route : router.routes()) width = std::max(width, route.pattern.size());
  std::string out;
  for (const http::Route& route : router.routes()) {
    std::string method = route.method;
    method.resize(7, ' ');
    std::string pattern = route.pattern;
    pattern.resize(width + 2, ' ');
    out += method + pattern + RoleName(route.role) + "\n";
  }
  return out;
}

}  // namespace jim::cmd
