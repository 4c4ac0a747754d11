// jim_bench_set_apply: the latency of one PUT .../run-profiles carrying a whole set (1,000 profiles by
// default) against the real server over RocksDB with durable (fsynced) writes, on loopback.
//
// Per round, on a fresh connected system: a dry run of the set (plan only), the first apply (every
// profile created), an apply changing every profile's pageSize (every profile updated), a no-op apply
// (the exported document sent back), and an apply of an empty set (every profile deleted). Each line
// prints the median and the worst latency over the rounds; each apply is one transaction.
//
//   jim_bench_set_apply [--profiles N] [--rounds R] [--relaxed]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "bench_env.h"
#include "http/api_server.h"
#include "http/context.h"
#include "http/logger.h"

namespace {

using namespace jim;
using Clock = std::chrono::steady_clock;

std::string SetBody(int profiles, int page_size) {
  std::string body = R"({"runProfiles":[)";
  body.reserve(static_cast<size_t>(profiles) * 64 + 64);
  for (int i = 0; i < profiles; ++i) {
    if (i) body += ',';
    body += R"({"name":"Profile )" + std::to_string(i) + R"(","runType":")" +
            (i % 2 ? "DeltaImport" : "FullImport") + R"(","pageSize":)" + std::to_string(page_size) + "}";
  }
  body += R"(],"changeReason":"bench"})";
  return body;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int profiles = 1000, rounds = 5;
  bool sync = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--profiles") && i + 1 < argc) profiles = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--relaxed")) sync = false;
    else {
      std::fprintf(stderr, "usage: %s [--profiles N] [--rounds R] [--relaxed]\n", argv[0]);
      return 2;
    }
  }
  if (profiles < 1 || profiles > 10'000 || rounds < 1) {
    std::fprintf(stderr, "--profiles must be 1-10000 and --rounds at least 1\n");
    return 2;
  }

  int failures = 0;
  {
    bench::BenchEnv env(sync);
    store::SystemClock clock;
    store::OsEntropy entropy;
    core::ServiceSet set(env.catalog(), clock, entropy);
    http::Services services = http::Services::Over(set);
    auto key = set.keys.EnsureInitialKey();
    if (!key.ok() || !*key) {
      std::fprintf(stderr, "cannot create a key\n");
      return 1;
    }
    http::Logger log(http::LogFormat::kText, 2);
    http::ServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 4;
    config.rate_limit = false;
    config.access_log = false;
    config.max_body_bytes = 4u << 20;
    http::ApiServer server(config, services, log);
    auto port = server.Bind();
    if (!port) {
      std::fprintf(stderr, "cannot bind: %s\n", port.error().message.c_str());
      return 1;
    }
    std::thread serving([&] { server.Run(); });
    httplib::Client cli("127.0.0.1", *port);
    cli.set_keep_alive(true);
    cli.set_read_timeout(120, 0);
    const httplib::Headers headers{{"X-Api-Key", **key}};
    for (int i = 0; i < 500; ++i) {
      auto r = cli.Get("/api/v1/health/live");
      if (r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }

    const std::string first = SetBody(profiles, 100), changed = SetBody(profiles, 500);
    const std::string empty = R"({"runProfiles":[]})";
    std::map<std::string, std::vector<double>> ms;
    const std::vector<std::string> order{"dry run (1st)", "apply: create all", "apply: update all",
                                         "apply: no-op (export sent back)", "apply: delete all"};
    for (int round = 0; round < rounds; ++round) {
      const core::Id cs = env.CreateSystem("Set bench " + std::to_string(round));
      const std::string path = "/api/v1/synchronisation/connected-systems/" + std::to_string(cs) + "/run-profiles";
      auto timed = [&](const std::string& label, const std::string& target, const std::string& body) {
        const auto start = Clock::now();
        auto r = cli.Put(target.c_str(), headers, body, "application/json");
        const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!r || r->status != 200) {
          std::fprintf(stderr, "%s: %d %s\n", label.c_str(), r ? r->status : 0, r ? r->body.substr(0, 200).c_str() : "");
          ++failures;
        }
        ms[label].push_back(elapsed);
      };
      timed(order[0], path + "?dryRun=true", first);
      timed(order[1], path, first);
      timed(order[2], path, changed);
      auto exported = cli.Get((path + "?format=set").c_str(), headers);
      timed(order[3], path, exported ? exported->body : std::string());
      timed(order[4], path, empty);
    }
    server.Stop();
    serving.join();

    std::printf("PUT .../run-profiles with %d profiles (%.0f KiB body), %s durability, %d rounds\n", profiles,
                static_cast<double>(first.size()) / 1024.0, sync ? "fsync" : "relaxed", rounds);
    for (const auto& label : order) {
      const auto& v = ms[label];
      std::printf("  %-34s median %8.2f ms   max %8.2f ms\n", label.c_str(), Median(v),
                  *std::max_element(v.begin(), v.end()));
    }
  }
  return failures == 0 ? 0 : 1;
}
