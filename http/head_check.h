// The strict check of a request head's raw bytes (RFC 9112 sections 2-6), run before cpp-httplib parses
// it. cpp-httplib 0.11.4 is lenient where leniency lets one request hide inside another: it takes the first
// of two Content-Length fields, percent-decodes every field value, skips a line that ends in a bare LF and
// ignores a field name followed by a space. Everything it would read ambiguously is refused here, so what
// reaches it is one well-formed head whose framing both sides read the same way.
//
// A pure function over bytes: no socket, no allocation beyond the verdict's message, unit-tested and fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jim::http {

struct HeadLimits {
  size_t max_head_bytes = 32 * 1024;  // request line + fields + the blank line: 431 beyond
  size_t max_target_bytes = 8192;     // the request target: 414 beyond (cpp-httplib's own limit)
  size_t max_field_count = 100;       // field lines: 431 beyond
  // One field line without its CRLF: 431 beyond. cpp-httplib refuses a longer line (CRLF included over
  // its CPPHTTPLIB_HEADER_MAX_LENGTH, 8192) as a malformed request, which would read as the client's syntax.
  size_t max_field_bytes = 8190;
};

enum class HeadStatus {
  kIncomplete,  // no blank line yet and nothing wrong so far: read more
  kComplete,    // a well-formed head ends at head_bytes
  kRejected,    // answer http_status with the envelope, then close the connection
};

struct HeadVerdict {
  HeadStatus status = HeadStatus::kIncomplete;

  // kComplete. The views point into the checked bytes.
  size_t head_bytes = 0;       // through the CRLF of the blank line (leading empty lines included)
  uint64_t content_length = 0;  // 0 when the field is absent
  bool has_content_length = false;
  bool keep_alive = true;       // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
  bool expect_continue = false;  // "Expect: 100-continue"
  std::string_view method;
  std::string_view target;      // as sent: origin-form, absolute-form, "*" or authority-form
  std::string_view authority;   // absolute-form's authority, else the Host value; valid host[:port] or empty
  bool authority_valid = false;  // a non-empty, well-formed host[:port]
  std::string_view request_id;  // the first X-Request-Id as sent (cpp-httplib percent-decodes its copy), or empty

  // kRejected.
  int http_status = 0;
  std::string message;  // one sentence for the client; the envelope's code follows from http_status
};

// Checks the head at the start of `bytes` (which may hold more: a body, pipelined requests). With fewer
// bytes than a whole head it answers kIncomplete, or kRejected as soon as what arrived is already wrong or
// already over a limit, so a client cannot make the server hold a head it will refuse anyway.
HeadVerdict CheckHead(std::string_view bytes, const HeadLimits& limits);

// True for a valid Host value: reg-name or IPv4 or [IPv6], then an optional ":" and decimal port.
bool IsValidAuthority(std::string_view authority);

}  // namespace jim::http
