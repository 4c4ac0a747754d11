// The two things core needs from the outside world, injected so that core itself does no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/entities.h"

namespace jim::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis NowMillis() = 0;
};

class Entropy {
 public:
  virtual ~Entropy() = default;
  // Fills `out` with `n` bytes from a CSPRNG.
  virtual void Fill(uint8_t* out, size_t n) = 0;
};

}  // namespace jim::core
