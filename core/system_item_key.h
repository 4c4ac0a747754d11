// The key of the per-system caches (the http tier's rendered lists and gets, the PostgreSQL backend's run
// profiles): an item, such as a run profile, of one connected system, or 0 for the system's list.
#pragma once

#include <cstddef>
#include <functional>

#include "core/entities.h"

namespace jim::core {

struct SystemItemKey {
  Id system = 0, item = 0;
  bool operator==(const SystemItemKey&) const = default;
};

struct SystemItemKeyHash {
  size_t operator()(const SystemItemKey& k) const {
    return std::hash<Id>()(k.system) ^ (std::hash<Id>()(k.item) * 0x9E3779B97F4A7C15ull);
  }
};

}  // namespace jim::core
