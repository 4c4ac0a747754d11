#include "cmd/serve.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cmd/app.h"

namespace jim::cmd {

namespace {

// Writes the first-start key where only the owner can read it; the key itself never reaches the log.
bool WriteInitialKeyFile(const std::string& path, const std::string& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return false;
  std::string line = key + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  return ok;
}

bool Readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

// Idle keep-alive connections cost a descriptor each and no thread, so the number of clients is bounded
// by the open-file limit: raise the soft limit to the hard one.
rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

}  // namespace

std::string ValidateServeOptions(const ServeOptions& o) {
  if (o.server.port < 0 || o.server.port > 65535) return "--port must be between 0 and 65535.";
  if (o.server.threads < 1 || o.server.threads > 4096) return "--threads must be between 1 and 4096.";
  if (o.server.max_threads < o.server.threads || o.server.max_threads > 16384)
    return "--max-threads must be at least --threads and at most 16384.";
  if (o.server.max_body_bytes < 1024) return "--max-body-bytes must be at least 1024.";
  if (o.server.max_buffered_body_bytes < o.server.max_body_bytes)
    return "--max-buffered-body-bytes must be at least --max-body-bytes (else a largest body could never arrive).";
  if (o.durability != "strict" && o.durability != "relaxed") return "--durability must be strict or relaxed.";
  if (o.log_format != "text" && o.log_format != "json") return "--log-format must be text or json.";
  if (o.server.tls_cert.empty() != o.server.tls_key.empty())
    return "--tls-cert and --tls-key must be given together.";
  if (!o.server.tls_cert.empty() && !Readable(o.server.tls_cert))
    return "cannot read the TLS certificate " + o.server.tls_cert + ".";
  if (!o.server.tls_key.empty() && !Readable(o.server.tls_key)) return "cannot read the TLS key " + o.server.tls_key + ".";
  if (std::string problem = ValidateStoreChoice(o.store); !problem.empty()) return problem;
  if (o.store.data_dir.empty()) return "--data-dir must not be empty.";
  if (const std::string& url = o.server.public_url; !url.empty()) {
    bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
    if (!scheme || url.find_first_of("?# \t\r\n") != std::string::npos)
      return "--public-url must be an http:// or https:// URL without a query or fragment.";
  }
  return "";
}

int RunServe(const ServeOptions& o) {
  // Block the stop signals in every thread, before the first one starts; this thread waits for them at the
  // end (never work inside a handler).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  http::Logger log(o.log_format == "json" ? http::LogFormat::kJson : http::LogFormat::kText, 2,
                   http::Logger::Flushing::kByOwner);
  // A failed start says why in one sentence, as text or as a JSON log line like every other line.
  const FailureReport fail = [&](const std::string& why) { ReportFailure(log, why); };
  if (std::string problem = ValidateServeOptions(o); !problem.empty()) {
    fail(problem);
    return 2;
  }
  // glibc raises its mmap threshold to the size of the largest block freed so far: after one large list
  // response (tens of MiB for a system with 100k profiles) every later large response comes from a
  // thread's heap arena and stays resident after it is freed. A fixed threshold keeps blocks of 1 MiB and
  // more in their own mappings, returned to the kernel on free.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);

  StoreTuning tuning;
  tuning.sync = o.durability == "strict";
  tuning.min_free_bytes = o.min_free_mb << 20;
  auto app = OpenApp(o.store, tuning, fail, [&](const std::string& what) { log.Warn(what); });
  if (!app) return 1;

  const char* infra = std::getenv("JIM_INFRASTRUCTURE_API_KEY");
  if (infra && *infra) {
    if (auto st = app->core.keys.EnsureInfrastructureKey(infra); !st) {
      fail(st.error().message);
      return 2;
    }
  }
  // The API cannot remove the infrastructure key; unsetting (or changing) the variable does, here.
  if (auto st = app->core.keys.RetireOtherInfrastructureKeys(infra ? infra : ""); !st) {
    fail("cannot retire the previous infrastructure key: " + st.error().message);
    return 1;
  }
  const rlim_t open_files = RaiseOpenFileLimit();
  http::ServerConfig config = o.server;
  config.version = JIM_EDGE_VERSION;
  http::ApiServer server(config, app->services, log);
  auto port = server.Bind();
  if (!port) {
    fail(port.error().message);
    return 1;
  }
  // Only once the port is ours: a failed start leaves no key behind and says one sentence. The key is
  // created inside a transaction that checks that no key exists, so of several nodes starting on one empty
  // PostgreSQL database exactly one creates it, and only that one writes the file.
  auto initial = app->core.keys.EnsureInitialKey();
  if (!initial.ok()) {
    fail("cannot create the initial API key: " + initial.error().message);
    return 1;
  }
  if (*initial) {
    std::string path = (std::filesystem::path(o.store.data_dir) / "initial-api-key").string();
    std::error_code ec;
    std::filesystem::create_directories(o.store.data_dir, ec);  // with PostgreSQL nothing else creates it
    if (!WriteInitialKeyFile(path, **initial)) {
      fail("cannot write the initial API key file " + path);
      return 1;
    }
    log.Info("created the initial administrator API key", {{"file", path}});
  }

  std::string address = (config.tls_cert.empty() ? "http://" : "https://") + config.host + ":" + std::to_string(*port);
  std::string durability = o.store.postgresql() ? "the database's (a 2xx means COMMIT returned; see synchronous_commit)"
                           : tuning.sync        ? "strict (fsync before every acknowledged write)"
                                         : "relaxed (NO fsync: benchmarks only, acknowledged writes can be lost)";
  const auto started = [&] {
    log.Info("jim-edge started", {{"version", JIM_EDGE_VERSION},
                                  {"address", address},
                                  {"store", DescribeStore(o.store)},
                                  {"data_dir", o.store.data_dir},
                                  {"durability", durability},
                                  {"threads", std::to_string(config.threads)},
                                  {"open_files", std::to_string(open_files)}});
    log.Flush();
  };
  // This thread runs the event loop. Between its rounds (every 100 ms) it flushes the log and looks for
  // a stop signal without waiting: no thread of its own for either (the logger was made with
  // Flushing::kByOwner, and the stop signals are blocked in every thread, so they stay pending here).
  const auto between_rounds = [&] {
    log.Flush();
    const timespec no_wait{0, 0};
    const int sig = sigtimedwait(&stop_signals, nullptr, &no_wait);
    if (sig == SIGTERM || sig == SIGINT) {
      log.Info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      log.Flush();
      // Bounded: whatever still runs after 9 s is cut off; every acknowledged write is already on disk.
      std::thread([&log] {
        std::this_thread::sleep_for(std::chrono::seconds(9));
        log.Warn("shutdown took longer than 9 s; exiting now", {});
        log.Flush();
        std::_Exit(0);
      }).detach();
      return false;
    }
    return true;
  };
  if (!server.Run(between_rounds, started)) {
    fail("cannot start the connection loop");
    return 1;
  }
  app->Close();
  log.Info("stopped", {});
  log.Flush();
  return 0;
}

}  // namespace jim::cmd
