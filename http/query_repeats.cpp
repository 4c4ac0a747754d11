#include "http/query_repeats.h"

#include <cctype>
#include <unordered_set>

namespace jim::http {

std::optional<std::string> RepeatedQueryParameter(const std::multimap<std::string, std::string>& params) {
  if (params.size() < 2) return std::nullopt;
  std::unordered_set<std::string> seen;
  seen.reserve(params.size());
  for (const auto& [name, value] : params) {
    std::string folded(name);
    for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(std::move(folded)).second) return name;
  }
  return std::nullopt;
}

}  // namespace jim::http
