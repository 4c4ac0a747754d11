#include "http/openapi.h"

namespace jim::http {

// Filled in by the OpenAPI work (issue 6); until then a minimal valid document.
std::string_view OpenApiDocument() {
  return R"({"openapi":"3.1.0","info":{"title":"jim-edge","version":"0.1.0"},"paths":{}})";
}

}  // namespace jim::http
