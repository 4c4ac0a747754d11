// Stand-ins for what the main build generates (the OpenAPI document is embedded from http/openapi/v1.json
// at build time). Weak, so a real definition compiled into the fuzz build wins.
#include <string_view>

namespace jim::http {
__attribute__((weak)) std::string_view OpenApiDocument() { return "{}"; }
}  // namespace jim::http
