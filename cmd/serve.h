// `jim-edge serve`: the configuration and the run loop.
#pragma once

#include <cstdint>
#include <string>

#include "cmd/store_choice.h"
#include "http/api_server.h"

namespace jim::cmd {

struct ServeOptions {
  http::ServerConfig server;
  StoreChoice store;                  // where the catalog lives; the data dir also holds the initial-api-key file
  std::string durability = "strict";  // strict (fsync before every 2xx) | relaxed (benchmarks only)
  std::string log_format = "text";
  uint64_t min_free_mb = 64;
};

// Checks what can be checked without starting (ports, files, modes); returns a sentence or "".
std::string ValidateServeOptions(const ServeOptions& options);

// Runs the server until SIGTERM/SIGINT; returns the process exit code.
int RunServe(const ServeOptions& options);

}  // namespace jim::cmd
