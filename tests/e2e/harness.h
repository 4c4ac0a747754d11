// The e2e harness: the real jim-edge binary as a child process, driven with the real curl binary (and raw
// sockets where curl cannot send the malformed thing). Every process is started with posix_spawn, its
// stdout/stderr go to files in the test's temp dir, and it is stopped by its PID. When a test fails, its
// temp dir is kept and every server log is printed, so the failure can be read without a rerun.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jim::e2e {

using namespace std::chrono_literals;
using Env = std::map<std::string, std::string>;

// Path of the jim-edge binary under test (compiled in by CMake).
const std::string& Binary();

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
std::vector<std::string> SplitLines(const std::string& text);
bool Contains(const std::string& haystack, const std::string& needle);

// A unique directory under $TMPDIR; removed at scope exit unless the current test has failed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process started with posix_spawn. The inherited environment is stripped of JIM_* variables so
// the caller's shell cannot change a test; `env` adds variables. The destructor SIGKILLs and reaps the
// child if it is still running.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const Env& env, const std::string& stdout_path,
          const std::string& stderr_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  bool Running();
  void Signal(int sig);
  // The exit code (128 + signal when killed by one), or nullopt if still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed by one
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`) and captures its output.
RunResult Run(const std::vector<std::string>& argv, const Env& env = {}, std::chrono::milliseconds timeout = 20s);
// `jim-edge <args...>`
RunResult RunJim(const std::vector<std::string>& args, const Env& env = {}, std::chrono::milliseconds timeout = 20s);

struct HttpResponse {
  int status = 0;                              // 0 when curl got no response
  int curl_exit = -1;                          // curl's own exit code (0 on any HTTP response)
  std::string curl_err;                        // curl's stderr
  std::map<std::string, std::string> headers;  // names lower-cased; the final response's headers
  std::string body;
  std::string Header(const std::string& name) const;
};

// Runs `curl -s -S -o BODY -D HEADERS -w %{http_code} --max-time 10 <args...>` with argv (no shell).
HttpResponse Curl(const std::vector<std::string>& args);
// Authenticated JSON calls (the key is omitted when empty); `extra` goes before the URL.
HttpResponse Get(const std::string& url, const std::string& key, const std::vector<std::string>& extra = {});
HttpResponse PostJson(const std::string& url, const std::string& key, const std::string& body,
                      const std::vector<std::string>& extra = {});
HttpResponse Delete(const std::string& url, const std::string& key, const std::vector<std::string>& extra = {});

// Runs a curl command line through /bin/sh exactly as a user would type it (with `env` visible to the
// shell, e.g. BASE and KEY), appending only the options that capture status, headers and body.
HttpResponse CurlShell(const std::string& command_line, const Env& env);

// Sends raw bytes to 127.0.0.1:port and returns everything read until the peer closes or `timeout`.
std::string RawExchange(int port, const std::string& request, std::chrono::milliseconds timeout);

// A well-formed API key (jim_ak_ + 64 hex) from the OS CSPRNG.
std::string NewApiKey();
std::string Sha256Hex(const std::string& data);

struct ServerOptions {
  std::vector<std::string> args;  // after `serve --host 127.0.0.1 --port 0 --data-dir D`
  Env env;
  std::string url_host = "127.0.0.1";  // host used in base_url (TLS needs the certificate's name)
  std::vector<std::string> curl_args;  // extra curl options for the health probe (e.g. --cacert)
};

// One jim-edge server on a data dir. Each Start() spawns a new process with its own log files
// (server-N.stdout / server-N.stderr in `log_dir`); the destructor kills a running one and, if the test
// has failed, prints every log it produced.
class Server {
 public:
  Server(std::string data_dir, std::string log_dir);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Spawns the server, reads its port from the "jim-edge started ... address=..." line and waits until
  // GET /api/v1/health answers 200.
  ::testing::AssertionResult Start(const ServerOptions& options = {});
  // Sends `sig` and waits for the exit code (nullopt: still running after `timeout`).
  std::optional<int> Stop(int sig = SIGTERM, std::chrono::milliseconds timeout = 10s);
  bool Running();
  pid_t pid() const;

  int port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string stderr_path() const;
  std::string Log() const;  // stderr of the current (or last) process
  // Waits until the current log contains `needle` (the logger flushes info lines every 200 ms).
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout = 3s) const;

 private:
  std::string data_dir_;
  std::string log_dir_;
  int starts_ = 0;
  std::unique_ptr<Process> process_;
  std::vector<std::string> logs_;
  int port_ = 0;
  std::string base_url_;
};

// JSON checks over simdjson's DOM API (the parser owns the document; keep it alive while using `root`).
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  std::string error;
  explicit Json(const std::string& text);
  std::optional<int64_t> Int(std::string_view key) const;
  std::optional<std::string> Str(std::string_view key) const;
  std::optional<bool> Bool(std::string_view key) const;
  bool IsNull(std::string_view key) const;
  size_t ArraySize() const;  // 0 when the root is not an array
};

// Fails with the response (status, headers, body) in the message.
::testing::AssertionResult HasStatus(const HttpResponse& r, int status);
// The JSON error envelope of API.md section 1 with `code`, plus the headers every response carries.
::testing::AssertionResult IsEnvelope(const HttpResponse& r, int status, const std::string& code);
::testing::AssertionResult HasSecurityHeaders(const HttpResponse& r);

}  // namespace jim::e2e
