// Paging, sorting and filtering of listed resources (JIM's PaginationRequest semantics).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace jim::core {

inline constexpr int64_t kDefaultListPageSize = 25;
inline constexpr int64_t kMaxListPageSize = 100;
inline constexpr int64_t kMaxRetrievalDepth = 1'000'000;

// Raw query values as the client gave them (strings, so that bad values can be reported by field).
struct ListQueryInput {
  std::optional<std::string> page;
  std::optional<std::string> page_size;
  std::optional<std::string> sort_by;
  std::optional<std::string> sort_direction;
  std::optional<std::string> filter;
};

enum class FilterOp { kEq, kContains, kStartsWith };
struct ListFilter {
  std::string field;  // lower-case field name
  FilterOp op = FilterOp::kEq;
  std::string value;
};

struct ListQuery {
  int64_t page = 1;
  int64_t page_size = kDefaultListPageSize;
  std::string sort_by = "id";
  bool descending = false;
  std::optional<ListFilter> filter;
  int64_t Offset() const { return (page - 1) * page_size; }
};

// Validates and normalises: page < 1 becomes 1, pageSize < 1 becomes 25 and > 100 becomes 100;
// `sortable` and `filterable` list the lower-case field names allowed. Every bad value is a field error.
Result<ListQuery> ParseListQuery(const ListQueryInput& in, const std::vector<std::string>& sortable,
                                 const std::vector<std::string>& filterable);

template <class T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
  int64_t page = 1;
  int64_t page_size = kDefaultListPageSize;
  int64_t TotalPages() const { return page_size > 0 ? (total + page_size - 1) / page_size : 0; }
  bool HasNext() const { return page < TotalPages(); }
  bool HasPrevious() const { return page > 1; }
};

}  // namespace jim::core
