#include "http/rendered_list_cache.h"

namespace jim::http {

std::shared_ptr<const std::string> RenderedListCache::Find(core::Id system, uint64_t version) const {
  std::shared_lock lock(mu_);
  auto it = entries_.find(system);
  if (it == entries_.end() || it->second.version != version) return nullptr;
  return it->second.body;
}

void RenderedListCache::Store(core::Id system, uint64_t version, const std::string& body) {
  if (version == 0 || body.size() > max_entry_bytes_) return;
  auto copy = std::make_shared<const std::string>(body);
  std::unique_lock lock(mu_);
  auto it = entries_.find(system);
  if (it != entries_.end()) {
    // A slower reader may arrive with an older rendering than the one kept: keep the newer.
    if (it->second.version > version) return;
    total_bytes_ -= it->second.body->size();
    entries_.erase(it);
  }
  if (total_bytes_ + copy->size() > max_total_bytes_) {
    entries_.clear();
    total_bytes_ = 0;
  }
  total_bytes_ += copy->size();
  entries_.emplace(system, Entry{version, std::move(copy)});
}

}  // namespace jim::http
