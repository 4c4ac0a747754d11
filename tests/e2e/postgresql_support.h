// What the e2e tests of the PostgreSQL backend share: the cluster of scripts/test.sh
// (JIM_TEST_DATABASE_URL; the tests skip, saying so, without it), a fresh database per test, and a private
// cluster for tests that stop or restart the server.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "tests/e2e/harness.h"

namespace jim::e2e {

inline std::string TestDatabaseUrl() {
  const char* url = std::getenv("JIM_TEST_DATABASE_URL");
  return url ? url : "";
}

#define SKIP_WITHOUT_POSTGRESQL()                                                                            \
  if (TestDatabaseUrl().empty())                                                                             \
  GTEST_SKIP() << "JIM_TEST_DATABASE_URL is not set: the PostgreSQL backend is NOT tested (scripts/test.sh " \
                  "starts a throwaway cluster and sets it)"

// The URL of `url` with its database replaced by `database` (the URL ends in /<database>).
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

// A fresh, empty database on the cluster of `url`, dropped at scope exit.
class Database {
 public:
  explicit Database(std::string admin_url) : admin_url_(std::move(admin_url)) {
    static std::atomic<int> counter{0};
    name_ = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    auto r = Run({"psql", "-qAt", admin_url_, "-c", "CREATE DATABASE " + name_});
    if (r.exit_code != 0) ADD_FAILURE() << "CREATE DATABASE failed: " << r.err;
  }
  ~Database() { Run({"psql", "-qAt", admin_url_, "-c", "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"}); }
  std::string url() const { return WithDatabase(admin_url_, name_); }
  std::string Query(const std::string& sql) const { return Run({"psql", "-qAt", url(), "-c", sql}).out; }

 private:
  std::string admin_url_, name_;
};

inline ServerOptions OnPostgres(const std::string& url) {
  return {.args = {"--store", "postgresql", "--database-url", url}};
}

// A cluster of this test's own, stopped and deleted at scope exit.
class PrivateCluster {
 public:
  PrivateCluster() {
    auto r = Run({"bash", std::string(JIM_SOURCE_DIR) + "/scripts/pg_cluster.sh", "start"}, {}, 60s);
    if (r.exit_code != 0) {
      ADD_FAILURE() << "cannot start a PostgreSQL cluster: " << r.err;
      return;
    }
    for (const auto& line : SplitLines(r.out)) {
      if (line.starts_with("export JIM_PG_CLUSTER_DIR=")) dir_ = line.substr(26);
      if (line.starts_with("export JIM_TEST_DATABASE_URL=")) url_ = line.substr(29);
    }
  }
  ~PrivateCluster() {
    if (!dir_.empty()) Run({"bash", std::string(JIM_SOURCE_DIR) + "/scripts/pg_cluster.sh", "stop", dir_}, {}, 60s);
  }
  // pg_cluster.sh pause|resume|restart DIR
  bool Control(const std::string& what) {
    return Run({"bash", std::string(JIM_SOURCE_DIR) + "/scripts/pg_cluster.sh", what, dir_}, {}, 60s).exit_code == 0;
  }
  const std::string& url() const { return url_; }

 private:
  std::string dir_, url_;
};

}  // namespace jim::e2e
