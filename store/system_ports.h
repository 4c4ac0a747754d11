// The real-world implementations of core's ports: wall clock and OS entropy.
#pragma once

#include "core/ports.h"

namespace jim::store {

// Milliseconds since the Unix epoch from std::chrono::system_clock.
class SystemClock final : public core::Clock {
 public:
  core::Millis NowMillis() override;
};

// OpenSSL's CSPRNG. Aborts on failure: handing out predictable API keys is worse than stopping.
class OsEntropy final : public core::Entropy {
 public:
  void Fill(uint8_t* out, size_t n) override;
};

}  // namespace jim::store
