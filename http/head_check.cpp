#include "http/head_check.h"

#include <array>

namespace jim::http {

namespace {

constexpr size_t kMaxMethodBytes = 32;

// RFC 9110 5.6.2: tchar.
constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kToken = MakeTokenTable();

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!kToken[static_cast<unsigned char>(c)]) return false;
  return true;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool NameIs(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (Lower(name[i]) != lower[i]) return false;
  return true;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

HeadVerdict Reject(int status, std::string message) {
  HeadVerdict v;
  v.status = HeadStatus::kRejected;
  v.http_status = status;
  v.message = std::move(message);
  return v;
}

HeadVerdict BadRequest(std::string message) { return Reject(400, std::move(message)); }

// Where the line that starts at `from` ends (the index of its CR), after checking every byte on the way:
// a line ends in CR LF only, and holds no NUL or other control character but HTAB.
enum class LineScan { kEnd, kIncomplete, kBareLf, kBareCr, kControl };
LineScan ScanLine(std::string_view b, size_t from, size_t& cr) {
  for (size_t i = from; i < b.size(); ++i) {
    const auto c = static_cast<unsigned char>(b[i]);
    if (c == '\r') {
      if (i + 1 == b.size()) return LineScan::kIncomplete;
      if (b[i + 1] != '\n') return LineScan::kBareCr;
      cr = i;
      return LineScan::kEnd;
    }
    if (c == '\n') return LineScan::kBareLf;
    if ((c < 0x20 && c != '\t') || c == 0x7f) return LineScan::kControl;
  }
  return LineScan::kIncomplete;
}

HeadVerdict LineError(LineScan scan) {
  switch (scan) {
    case LineScan::kBareLf: return BadRequest("Every line of the request head must end with CR LF (a bare LF was sent).");
    case LineScan::kBareCr: return BadRequest("The request head holds a bare CR.");
    default: return BadRequest("The request head holds a control character.");
  }
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() && NameIs(s.substr(0, lower_prefix.size()), lower_prefix);
}

// The fields whose meaning the server relies on: one value each, taken as the bytes were sent.
enum class Singleton { kNone, kContentLength, kHost, kApiKey, kIdempotencyKey, kIfMatch, kContentType };

Singleton SingletonOf(std::string_view name) {
  switch (name.size()) {
    case 4: return NameIs(name, "host") ? Singleton::kHost : Singleton::kNone;
    case 8: return NameIs(name, "if-match") ? Singleton::kIfMatch : Singleton::kNone;
    case 9: return NameIs(name, "x-api-key") ? Singleton::kApiKey : Singleton::kNone;
    case 12: return NameIs(name, "content-type") ? Singleton::kContentType : Singleton::kNone;
    case 14: return NameIs(name, "content-length") ? Singleton::kContentLength : Singleton::kNone;
    case 15: return NameIs(name, "idempotency-key") ? Singleton::kIdempotencyKey : Singleton::kNone;
    default: return Singleton::kNone;
  }
}

}  // namespace

bool IsValidAuthority(std::string_view a) {
  if (a.empty() || a.size() > 300) return false;
  std::string_view host = a, port;
  if (a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : a.substr(1, close - 1)) {
      bool ok = (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f') || c == ':' || c == '.';
      if (!ok) return false;
    }
    host = a.substr(0, close + 1);
    if (close + 1 < a.size()) {
      if (a[close + 1] != ':') return false;
      port = a.substr(close + 2);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = a.find(':');
    if (colon != std::string_view::npos) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty() || host.size() > 253) return false;
    // A DNS name or an IPv4 address; percent-encoded or other reg-name characters are refused because the
    // value is echoed into Location.
    for (char c : host) {
      bool ok = (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'z') || c == '-' || c == '.' || c == '_';
      if (!ok) return false;
    }
  }
  if (port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

HeadVerdict CheckHead(std::string_view b, const HeadLimits& limits) {
  size_t pos = 0;
  // RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line (some clients
  // send CR LF after a body). They count towards the head's size.
  while (b.size() - pos >= 2 && b[pos] == '\r' && b[pos + 1] == '\n') pos += 2;
  const size_t start = pos;
  auto over_cap = [&](size_t end) { return end > limits.max_head_bytes; };
  auto too_large = [&] {
    return Reject(431, "The request head is larger than the limit of " + std::to_string(limits.max_head_bytes) + " bytes.");
  };

  // The request line.
  size_t cr = 0;
  LineScan scan = ScanLine(b, start, cr);
  if (scan == LineScan::kIncomplete) {
    // The longest valid request line: a method, the longest target, the version, three separators.
    if (b.size() - start > kMaxMethodBytes + limits.max_target_bytes + 12)
      return Reject(414, "The request target is longer than " +
                                             std::to_string(limits.max_target_bytes) + " bytes.");
    if (over_cap(b.size())) return too_large();
    return {};
  }
  if (scan != LineScan::kEnd) return LineError(scan);
  std::string_view line = b.substr(start, cr - start);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return BadRequest("The request line is malformed.");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return BadRequest("The request line is malformed.");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || method.size() > kMaxMethodBytes) return BadRequest("The request method is malformed.");
  if (target.size() > limits.max_target_bytes)
    return Reject(414, "The request target is longer than " + std::to_string(limits.max_target_bytes) + " bytes.");
  if (target.empty()) return BadRequest("The request line is malformed.");
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return BadRequest("The request target holds a character that must be percent-encoded.");
  bool http10 = false;
  if (version == "HTTP/1.0") {
    http10 = true;
  } else if (version != "HTTP/1.1") {
    // 400 rather than 505: a client's mistake is never answered with a 5xx here.
    return BadRequest("The request line is malformed: only HTTP/1.1 and HTTP/1.0 are supported.");
  }

  std::string_view target_authority;
  bool absolute_form = false;
  if (target.front() == '/') {
    // origin-form
  } else if (target == "*") {
    if (method != "OPTIONS") return BadRequest("The asterisk-form target is only valid with OPTIONS.");
  } else if (StartsWithIgnoreCase(target, "http://") || StartsWithIgnoreCase(target, "https://")) {
    absolute_form = true;
    size_t from = target.find("//") + 2;
    size_t end = target.find_first_of("/?", from);
    target_authority = target.substr(from, end == std::string_view::npos ? target.size() - from : end - from);
    if (!IsValidAuthority(target_authority))
      return BadRequest("The authority of the absolute-form request target is not a valid host[:port].");
  } else {
    return BadRequest("The request target must be a path or an absolute http(s) URL.");
  }

  // The field lines, up to the blank line.
  HeadVerdict v;
  size_t fields = 0, host_count = 0;
  bool close = false, keep_alive_token = false;
  std::array<int, 7> seen{};
  std::string_view host;
  pos = cr + 2;
  for (;;) {
    scan = ScanLine(b, pos, cr);
    if (scan == LineScan::kIncomplete) {
      if (over_cap(b.size())) return too_large();
      return {};
    }
    if (scan != LineScan::kEnd) return LineError(scan);
    if (over_cap(cr + 2)) return too_large();
    if (cr == pos) break;  // the blank line
    std::string_view field = b.substr(pos, cr - pos);
    pos = cr + 2;
    if (IsOws(field.front())) return BadRequest("Header line folding (obs-fold) is not accepted.");
    if (field.size() > limits.max_field_bytes)
      return Reject(431, "A header field is longer than " + std::to_string(limits.max_field_bytes) + " bytes.");
    if (++fields > limits.max_field_count)
      return Reject(431, "The request has more than " + std::to_string(limits.max_field_count) + " header fields.");
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) return BadRequest("A header line has no colon.");
    std::string_view name = field.substr(0, colon);
    if (!name.empty() && IsOws(name.back()))
      return BadRequest("A header field name is followed by whitespace before its colon.");
    if (!IsToken(name)) return BadRequest("A header field name is malformed.");
    std::string_view value = TrimOws(field.substr(colon + 1));

    Singleton which = SingletonOf(name);
    if (which != Singleton::kNone) {
      if (++seen[static_cast<size_t>(which)] > 1)
        return BadRequest("The " + std::string(name) + " header is sent more than once.");
      if (value.find('%') != std::string_view::npos)
        return BadRequest("The " + std::string(name) + " header must not be percent-encoded.");
    }
    switch (which) {
      case Singleton::kContentLength: {
        if (value.empty() || value.size() > 18)
          return BadRequest("The Content-Length header is not a valid length.");
        uint64_t length = 0;
        for (char c : value) {
          if (c < '0' || c > '9') return BadRequest("The Content-Length header is not a valid length.");
          length = length * 10 + static_cast<uint64_t>(c - '0');
        }
        v.content_length = length;
        v.has_content_length = true;
        break;
      }
      case Singleton::kHost:
        ++host_count;
        host = value;
        break;
      case Singleton::kIdempotencyKey:
      case Singleton::kIfMatch:
        // cpp-httplib drops a field whose value is empty, so the write would run without the protection
        // the client asked for (a retried create twice, an update over someone else's change).
        if (value.empty()) return BadRequest("The " + std::string(name) + " header is empty: send a value or leave it out.");
        break;
      default:
        break;
    }
    if (which == Singleton::kNone) {
      if (NameIs(name, "transfer-encoding"))
        return Reject(411, "Request bodies must be sent with Content-Length; Transfer-Encoding is not accepted.");
      if (NameIs(name, "connection")) {
        std::string_view rest = value;
        while (!rest.empty()) {
          size_t comma = rest.find(',');
          std::string_view token = TrimOws(rest.substr(0, comma));
          if (NameIs(token, "close")) close = true;
          if (NameIs(token, "keep-alive")) keep_alive_token = true;
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      } else if (NameIs(name, "expect")) {
        v.expect_continue = NameIs(value, "100-continue");
      } else if (v.request_id.empty() && NameIs(name, "x-request-id")) {
        v.request_id = value;
      }
    }
  }
  v.head_bytes = pos + 2;

  if (!http10 && host_count != 1) return BadRequest("An HTTP/1.1 request must carry exactly one Host header.");
  if (!host.empty() && !IsValidAuthority(host)) return BadRequest("The Host header is not a valid host[:port].");

  v.status = HeadStatus::kComplete;
  v.method = method;
  v.target = target;
  v.authority = absolute_form ? target_authority : host;
  v.authority_valid = !v.authority.empty();
  v.keep_alive = http10 ? (keep_alive_token && !close) : !close;
  return v;
}

}  // namespace jim::http
