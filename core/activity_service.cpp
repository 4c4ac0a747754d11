#include "core/activity_service.h"

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
  ActivityPage found = ctx_.catalog.ListActivities(aq);
  Page<Activity> page;
  page.items = std::move(found.items);
  page.total = found.total;
  page.page = query->page;
  page.page_size = query->page_size;
  return page;
}

Result<Activity> ActivityService::Get(std::string_view id) {
  auto a = ctx_.catalog.GetActivity(id);
  if (!a) return NotFoundError("Activity with ID " + std::string(id) + " not found.");
  return *a;
}

}  // namespace jim::core
