#include "store/system_ports.h"

#include <openssl/rand.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace jim::store {

core::Millis SystemClock::NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void OsEntropy::Fill(uint8_t* out, size_t n) {
  while (n > 0) {
    const int chunk = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    if (RAND_bytes(out, chunk) != 1) {
      std::fputs("jim-edge: the OpenSSL random generator failed; refusing to continue\n", stderr);
      std::abort();
    }
    out += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

}  // namespace jim::store
