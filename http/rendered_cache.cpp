#include "http/rendered_cache.h"

namespace jim::http {

std::shared_ptr<const RenderedBody> RenderedCache::Find(core::Id system, core::Id item, uint64_t version) const {
  std::shared_lock lock(mu_);
  auto it = entries_.find(Key{system, item});
  if (it == entries_.end() || it->second.version != version) return nullptr;
  return it->second.rendered;
}

void RenderedCache::Store(core::Id system, core::Id item, uint64_t version, RenderedBody rendered) {
  const size_t bytes = Bytes(rendered);
  if (version == 0 || bytes > max_entry_bytes_) return;
  auto kept = std::make_shared<const RenderedBody>(std::move(rendered));
  std::unique_lock lock(mu_);
  auto it = entries_.find(Key{system, item});
  if (it != entries_.end()) {
    // A slower reader may arrive with an older rendering than the one kept: keep the newer.
    if (it->second.version > version) return;
    total_bytes_ -= Bytes(*it->second.rendered);
    entries_.erase(it);
  }
  if (total_bytes_ + bytes > max_total_bytes_) {
    entries_.clear();
    total_bytes_ = 0;
  }
  total_bytes_ += bytes;
  entries_.emplace(Key{system, item}, Entry{version, std::move(kept)});
}

}  // namespace jim::http
