#include "core/paging.h"

#include <charconv>

#include "core/rules.h"

namespace jim::core {

namespace {
std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}
bool Contains(const std::vector<std::string>& list, const std::string& v) {
  for (const auto& x : list)
    if (x == v) return true;
  return false;
}
}  // namespace

Result<ListQuery> ParseListQuery(const ListQueryInput& in, const std::vector<std::string>& sortable,
                                 const std::vector<std::string>& filterable) {
  ListQuery q;
  FieldErrors errors;
  if (in.page) {
    auto v = ParseInt(*in.page);
    if (!v) errors.push_back({"page", "must be an integer"});
    else q.page = *v < 1 ? 1 : *v;
  }
  if (in.page_size) {
    auto v = ParseInt(*in.page_size);
    if (!v) errors.push_back({"pageSize", "must be an integer"});
    else q.page_size = *v < 1 ? kDefaultListPageSize : (*v > kMaxListPageSize ? kMaxListPageSize : *v);
  }
  if (errors.empty() && q.page > kMaxRetrievalDepth / q.page_size + 1)
    errors.push_back({"page", "is beyond the maximum retrieval depth of 1,000,000 rows"});
  if (in.sort_by && !in.sort_by->empty()) {
    std::string s = FoldName(*in.sort_by);
    if (!Contains(sortable, s)) {
      std::string allowed;
      for (const auto& x : sortable) allowed += (allowed.empty() ? "" : ", ") + x;
      errors.push_back({"sortBy", "must be one of: " + allowed + "."});
    } else {
      q.sort_by = s;
    }
  }
  if (in.sort_direction && !in.sort_direction->empty()) {
    std::string d = FoldName(*in.sort_direction);
    if (d == "asc") q.descending = false;
    else if (d == "desc") q.descending = true;
    else errors.push_back({"sortDirection", "must be 'asc' or 'desc'"});
  }
  if (in.filter && !in.filter->empty()) {
    if (in.filter->size() > 500) {
      errors.push_back({"filter", "must be at most 500 characters"});
    } else {
      const std::string& f = *in.filter;
      size_t a = f.find(':');
      size_t b = a == std::string::npos ? std::string::npos : f.find(':', a + 1);
      if (b == std::string::npos) {
        errors.push_back({"filter", "must have the form field:operator:value (operators eq, contains, startswith)"});
      } else {
        ListFilter filter;
        filter.field = FoldName(f.substr(0, a));
        std::string op = FoldName(f.substr(a + 1, b - a - 1));
        filter.value = f.substr(b + 1);
        if (!Contains(filterable, filter.field)) errors.push_back({"filter", "cannot filter on '" + filter.field + "'"});
        else if (op == "eq") filter.op = FilterOp::kEq;
        else if (op == "contains") filter.op = FilterOp::kContains;
        else if (op == "startswith") filter.op = FilterOp::kStartsWith;
        else errors.push_back({"filter", "operator must be eq, contains or startswith"});
        if (errors.empty() || !HasFieldError(errors, "filter")) q.filter = std::move(filter);
      }
    }
  }
  if (!errors.empty()) return InvalidFields(std::move(errors));
  return q;
}

}  // namespace jim::core
