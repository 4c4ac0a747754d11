// `jim-edge routes`: the HTTP route table the binary serves (method, pattern, required role), read from
// the same table the server registers. Test drivers take it from here (`--json`) instead of parsing
// http/routes.cpp, so they check the routes this build really has.
#pragma once

#include <string>

namespace jim::cmd {

// One object per route, in registration order: [{"method":"GET","pattern":"/api/v1/health","role":"Anonymous"},...]
std::string RoutesJson();
// The same as aligned text, one route per line, for a human.
std::string RoutesText();

}  // namespace jim::cmd
