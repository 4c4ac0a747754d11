// Reading the audit trail; activities are written by the other services, in their own transactions.
#pragma once

#include <optional>
#include <string>

#include "core/paging.h"
#include "core/service_context.h"

namespace jim::core {

struct ActivityListInput {
  ListQueryInput paging;
  std::optional<std::string> connected_system_id;
  std::optional<std::string> target_type;
};

class ActivityService {
 public:
  explicit ActivityService(ServiceContext ctx) : ctx_(ctx) {}
  Result<Page<Activity>> List(const ActivityListInput& input);  // newest first
  Result<Activity> Get(std::string_view id);

 private:
  ServiceContext ctx_;
};

}  // namespace jim::core
