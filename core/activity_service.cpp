#include "core/activity_service.h"

#include <algorithm>
#include <charconv>

#include "core/rules.h"

namespace jim::core {

Result<Page<Activity>> ActivityService::List(const ActivityListInput& in) {
  auto query = ParseListQuery(in.paging, {"created"}, {});
  FieldErrors errors;
  if (!query) errors = query.error().fields;
  ActivityQuery aq;
  if (in.connected_system_id && !in.connected_system_id->empty()) {
    Id id = 0;
    const std::string& s = *in.connected_system_id;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || ptr != s.data() + s.size() || id < 1)
      errors.push_back({"connectedSystemId", "must be a positive integer"});
    else
      aq.connected_system_id = id;
  }
  if (in.target_type && !in.target_type->empty()) {
    aq.target_type = ParseTargetType(*in.target_type);
    if (!aq.target_type)
      errors.push_back({"targetType", "must be one of: ConnectedSystem, ConnectedSystemRunProfile, "
                                      "ConnectorDefinition, ApiKey, Partition."});
  }
  if (!errors.empty()) return InvalidFields(std::move(errors));
  aq.offset = query->Offset();
  aq.limit = query->page_size;
  // The catalog pages newest first; an explicit ascending order reads the mirrored page and reverses it.
  const bool oldest_first = !query->descending && in.paging.sort_direction && !in.paging.sort_direction->empty();
  if (oldest_first) {
    ActivityQuery count = aq;
    count.offset = 0;
    count.limit = 1;
    auto counted = ctx_.catalog.ListActivities(count);
    if (!counted) return counted.error();
    const int64_t total = counted->total;
    const int64_t end = total - query->Offset();  // exclusive index in newest-first order
    aq.offset = std::max<int64_t>(0, end - query->page_size);
    aq.limit = std::max<int64_t>(0, end - aq.offset);
  }
  auto listed = ctx_.catalog.ListActivities(aq);
  if (!listed) return listed.error();
  ActivityPage& found = *listed;
  if (oldest_first) std::reverse(found.items.begin(), found.items.end());
  Page<Activity> page;
  page.items = std::move(found.items);
  page.total = found.total;
  page.page = query->page;
  page.page_size = query->page_size;
  return page;
}

Result<Activity> ActivityService::Get(std::string_view id) {
  auto a = ctx_.catalog.GetActivity(id);
  if (!a.ok()) return a.error();
  if (!*a) return NotFoundError("Activity with ID " + std::string(id) + " not found.");
  return std::move(**a);
}

}  // namespace jim::core
