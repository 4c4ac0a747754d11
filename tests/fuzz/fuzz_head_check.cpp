// libFuzzer target: the strict head check (http::CheckHead) on arbitrary bytes.
//
// Input: the first byte picks small or default limits, the rest is the received bytes. Checks the
// verdict's invariants: a complete head ends in CR LF CR LF within the input and the size cap, has no bare
// CR or LF, and its method and target lie inside it; every shorter prefix of a complete head is still
// incomplete (a head is never refused for what has not arrived yet), and the head alone gives the same
// verdict as the head with whatever followed it; a refusal carries a 4xx/5xx status that the code table names, and a message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/error_codes.h"
#include "http/head_check.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_head_check: %s\ninput (%zu bytes): %.*s\n", what, input.size(),
               static_cast<int>(input.size() > 400 ? 400 : input.size()), input.data());
  std::abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  jim::http::HeadLimits limits;
  if (data[0] & 1) {
    limits.max_head_bytes = 256;
    limits.max_target_bytes = 64;
    limits.max_field_count = 4;
  }
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  using jim::http::HeadStatus;
  jim::http::HeadVerdict v = jim::http::CheckHead(input, limits);
  switch (v.status) {
    case HeadStatus::kRejected:
      // A status the code table does not name would go out with the generic BAD_REQUEST code.
      if (v.http_status < 400 || v.http_status > 599 || v.message.empty() ||
          std::string_view(jim::http::ErrorCodeForStatus(v.http_status)) == "BAD_REQUEST")
        Fail("a refusal without a status the code table names, or without a message", input);
      break;
    case HeadStatus::kIncomplete:
      if (input.size() > limits.max_head_bytes) Fail("more than the cap buffered and still incomplete", input);
      break;
    case HeadStatus::kComplete: {
      const size_t n = v.head_bytes;
      if (n < 4 || n > input.size() || n > limits.max_head_bytes) Fail("head_bytes out of range", input);
      if (input.substr(n - 4, 4) != "\r\n\r\n") Fail("a head that does not end in CR LF CR LF", input);
      for (size_t i = 0; i < n; ++i) {
        if (input[i] == '\n' && (i == 0 || input[i - 1] != '\r')) Fail("a bare LF in a complete head", input);
        if (input[i] == '\r' && input[i + 1] != '\n') Fail("a bare CR in a complete head", input);
      }
      std::string_view head = input.substr(0, n);
      if (!Inside(v.method, head) || !Inside(v.target, head)) Fail("method or target outside the head", input);
      if (v.authority_valid != !v.authority.empty()) Fail("authority_valid disagrees with authority", input);
      if (v.authority_valid && !jim::http::IsValidAuthority(v.authority)) Fail("an invalid authority passed", input);
      jim::http::HeadVerdict alone = jim::http::CheckHead(head, limits);
      if (alone.status != HeadStatus::kComplete || alone.head_bytes != n ||
          alone.content_length != v.content_length || alone.keep_alive != v.keep_alive)
        Fail("the verdict depends on the bytes after the head", input);
      for (size_t cut : {n - 1, n / 2, n / 3, size_t{1}}) {
        if (cut >= n) continue;
        if (jim::http::CheckHead(head.substr(0, cut), limits).status != HeadStatus::kIncomplete)
          Fail("a prefix of a complete head is not incomplete", input);
      }
      break;
    }
  }
  return 0;
}
