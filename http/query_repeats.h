// Whether a request's query string names a parameter twice. Handlers match query names case-insensitively
// (handlers_common.cpp), so `?page=1&PAGE=2` is as ambiguous as `?page=1&page=2`.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace jim::http {

// The first name (as sent, after cpp-httplib's percent-decoding) that another parameter repeats in any case;
// nullopt when every name is given once. Linear in the number of parameters.
std::optional<std::string> RepeatedQueryParameter(const std::multimap<std::string, std::string>& params);

}  // namespace jim::http
