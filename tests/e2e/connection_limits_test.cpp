// The connection layer against the real binary (issue 14): slow and idle clients hold no thread, the
// open-file limit is raised and logged, and TLS keeps pipelining.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

int ThreadCount(pid_t pid) {
  int n = 0;
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (!dir) return -1;
  while (dirent* e = ::readdir(dir))
    if (e->d_name[0] != '.') ++n;
  ::closedir(dir);
  return n;
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(ConnectionLimitsE2E, SlowAndIdleClientsHoldNoThreadAndNewClientsAreServed) {
  // Four workers and no room to grow: before jim-edge owned its connections, each slow or idle client held
  // a worker, so five of them starved everyone else.
  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.args = {"--threads", "4", "--max-threads", "4", "--head-timeout", "60"}}));
  EXPECT_TRUE(server.WaitForLog("open_files=")) << server.Log();
  const int threads_before = ThreadCount(server.pid());
  ASSERT_GT(threads_before, 0);

  std::vector<int> fds;
  for (int i = 0; i < 200; ++i) {
    int slow = Connect(server.port());
    ASSERT_GE(slow, 0);
    // A head that has started and will not end.
    ASSERT_EQ(::send(slow, "GET /api/v1/health HTTP/1.1\r\nHo", 32, MSG_NOSIGNAL), 32);
    fds.push_back(slow);
    int idle = Connect(server.port());
    ASSERT_GE(idle, 0);
    fds.push_back(idle);
  }
  // A keep-alive connection that has been served and now idles.
  const std::string served = RawExchange(server.port(), "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n", 300ms);
  EXPECT_NE(served.find("HTTP/1.1 200"), std::string::npos) << served;

  for (int i = 0; i < 20; ++i) {
    auto health = Curl({"--max-time", "3", server.base_url() + "/api/v1/health"});
    ASSERT_TRUE(HasStatus(health, 200)) << "request " << i << " with 400 slow and idle clients open";
  }
  // Slack of 2 for threads the store may start lazily; a thread per client would be 400 more.
  EXPECT_LE(ThreadCount(server.pid()), threads_before + 2) << "slow and idle clients made the server start threads";
  for (int fd : fds) ::close(fd);
}

TEST(ConnectionLimitsE2E, TlsKeepsPipelinedRequestsInOrder) {
  TempDir tmp;
  const std::string cert = tmp / "cert.pem", pkey = tmp / "key.pem";
  RunResult gen = e2e::Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost", "-days", "1", "-keyout", pkey, "-out", cert});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.args = {"--tls-cert", cert, "--tls-key", pkey},
                            .url_host = "localhost",
                            .curl_args = {"--cacert", cert}}));
  // Three requests in one write; the last asks to close, so s_client ends when the server has answered.
  std::string requests;
  for (int i = 1; i <= 3; ++i)
    requests += "GET /api/v1/health HTTP/1.1\\r\\nHost: localhost\\r\\nX-Request-Id: tls-" + std::to_string(i) +
                (i == 3 ? "\\r\\nConnection: close" : "") + "\\r\\n\\r\\n";
  RunResult r = e2e::Run({"/bin/sh", "-c",
                          "printf '" + requests + "' | openssl s_client -quiet -ign_eof -connect 127.0.0.1:" +
                              std::to_string(server.port()) + " 2>/dev/null"},
                         {}, 15s);
  size_t pos = 0;
  for (int i = 1; i <= 3; ++i) {
    size_t at = r.out.find("X-Request-Id: tls-" + std::to_string(i), pos);
    ASSERT_NE(at, std::string::npos) << "response " << i << " missing or out of order:\n" << r.out;
    pos = at;
  }
  size_t oks = 0;
  for (size_t p = r.out.find("HTTP/1.1 200"); p != std::string::npos; p = r.out.find("HTTP/1.1 200", p + 1)) ++oks;
  EXPECT_EQ(oks, 3u) << r.out;
}

}  // namespace
}  // namespace jim::e2e
