#include "http/router.h"

#include <charconv>

#include "core/crypto.h"
#include "core/rules.h"

namespace jim::http {

namespace {
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // tolerate one trailing slash
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool UrlDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

void Router::Add(Route route) {
  Compiled c;
  for (auto part : SplitPath(route.pattern)) {
    std::string seg(part);
    if (seg.front() != '{') seg = core::FoldName(seg);
    c.segments.push_back(std::move(seg));
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

bool Router::MatchSegments(const Compiled& c, const std::vector<std::string_view>& parts, PathParams& out) {
  if (c.segments.size() != parts.size()) return false;
  PathParams params;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = c.segments[i];
    std::string_view part = parts[i];
    if (seg == "{int}") {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      if (ec != std::errc() || ptr != part.data() + part.size() || v < 1 || params.id_count >= 2) return false;
      params.ids[static_cast<size_t>(params.id_count++)] = v;
    } else if (seg == "{uuid}") {
      if (!core::IsUuid(part)) return false;
      params.uuid = core::FoldName(part);
    } else if (seg == "{str}") {
      if (part.empty()) return false;
      params.text.assign(part);
    } else if (!core::EqualsIgnoreCase(seg, part)) {
      return false;
    }
  }
  out = std::move(params);
  return true;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto parts = SplitPath(path);
  // Segments are split on the path as sent, then each is percent-decoded exactly once: "%2F" is part of a
  // segment, never a separator, and "%2520" stays "%20".
  std::vector<std::string> decoded;
  if (path.find('%') != std::string_view::npos) {
    decoded.resize(parts.size());
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!UrlDecode(parts[i], decoded[i])) return m;
      parts[i] = decoded[i];
    }
  }
  for (size_t i = 0; i < routes_.size(); ++i) {
    PathParams params;
    if (!MatchSegments(compiled_[i], parts, params)) continue;
    if (routes_[i].method == method) {
      m.outcome = MatchOutcome::kMatched;
      m.route = &routes_[i];
      m.params = std::move(params);
      return m;
    }
    if (m.allow.find(routes_[i].method) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += routes_[i].method;
    }
    m.outcome = MatchOutcome::kMethodNotAllowed;
  }
  return m;
}

}  // namespace jim::http
