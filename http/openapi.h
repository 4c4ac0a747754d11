// The OpenAPI 3.1 document of the API as built, embedded in the binary.
#pragma once

#include <string_view>

namespace jim::http {
std::string_view OpenApiDocument();
}
