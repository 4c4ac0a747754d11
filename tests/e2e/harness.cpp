#include "tests/e2e/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

extern char** environ;

namespace jim::e2e {

namespace fs = std::filesystem;

const std::string& Binary() {
  static const std::string path = JIM_EDGE_BINARY;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

namespace {

bool CurrentTestFailed() {
  return ::testing::Test::HasFailure();
}

std::string TempRoot() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// Exit code, or 128 + signal, like a shell reports it.
int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> BuildEnv(const Env& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("JIM_")) continue;  // hermetic: the caller's JIM_* settings never leak in
    std::string key(kv.substr(0, kv.find('=')));
    if (extra.count(key)) continue;
    env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::atomic<int> g_counter{0};

std::string UniqueFile(const std::string& stem) {
  return TempRoot() + "/jim-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++) + "-" + stem;
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = TempRoot() + "/jim-e2e-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
    return;
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  if (CurrentTestFailed()) {
    std::cerr << "[e2e] kept the test's temp dir for inspection: " << path_ << "\n";
    return;
  }
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

Process::Process(const std::vector<std::string>& argv, const Env& env, const std::string& stdout_path,
                 const std::string& stderr_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = BuildEnv(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The child starts with no blocked signals and default dispositions, whatever gtest's thread has.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGCHLD, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int rc = ::posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "posix_spawn " << argv[0] << " failed: " << std::strerror(rc);
  }
}

Process::~Process() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool Process::Running() {
  return pid_ > 0 && !Wait(0ms).has_value();
}

void Process::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = DecodeStatus(status);
      return exit_code_;
    }
    if (r < 0 && errno != EINTR) {
      exit_code_ = -1;
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

RunResult Run(const std::vector<std::string>& argv, const Env& env, std::chrono::milliseconds timeout) {
  RunResult result;
  const std::string out = UniqueFile("out"), err = UniqueFile("err");
  {
    Process p(argv, env, out, err);
    auto code = p.Wait(timeout);
    if (!code) {
      result.timed_out = true;
      p.Signal(SIGKILL);
      code = p.Wait(5s);
    }
    result.exit_code = code.value_or(-1);
  }
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  return result;
}

RunResult RunJim(const std::vector<std::string>& args, const Env& env, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{Binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, env, timeout);
}

std::string HttpResponse::Header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// curl -D writes every response it saw (100 Continue, redirects); the last block is the final one.
void ParseHeaders(const std::string& text, HttpResponse& r) {
  std::map<std::string, std::string> current;
  for (const auto& line : SplitLines(text)) {
    if (line.starts_with("HTTP/")) {
      current.clear();
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    current[name] = value;
  }
  r.headers = std::move(current);
}

HttpResponse FinishCurl(const RunResult& run, const std::string& headers_path, const std::string& body_path) {
  HttpResponse r;
  r.curl_exit = run.exit_code;
  r.curl_err = run.err;
  std::string code = run.out;
  while (!code.empty() && (code.back() == '\n' || code.back() == ' ')) code.pop_back();
  if (auto nl = code.rfind('\n'); nl != std::string::npos) code = code.substr(nl + 1);
  r.status = std::atoi(code.c_str());
  ParseHeaders(ReadFile(headers_path), r);
  r.body = ReadFile(body_path);
  ::unlink(headers_path.c_str());
  ::unlink(body_path.c_str());
  return r;
}

}  // namespace

HttpResponse Curl(const std::vector<std::string>& args) {
  const std::string headers = UniqueFile("headers"), body = UniqueFile("body");
  std::vector<std::string> argv{"curl",  "-s", "-S",           "-o",         body, "-D",
                                headers, "-w", "%{http_code}", "--max-time", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  return FinishCurl(Run(argv, {}, 15s), headers, body);
}

namespace {
HttpResponse CurlWith(const std::string& method, const std::string& url, const std::string& key,
                      const std::vector<std::string>& extra, const std::string* body) {
  std::vector<std::string> args{"-X", method};
  if (!key.empty()) args.insert(args.end(), {"-H", "X-Api-Key: " + key});
  if (body) args.insert(args.end(), {"-H", "Content-Type: application/json", "--data-binary", *body});
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  return Curl(args);
}
}  // namespace

HttpResponse Get(const std::string& url, const std::string& key, const std::vector<std::string>& extra) {
  return CurlWith("GET", url, key, extra, nullptr);
}

HttpResponse PostJson(const std::string& url, const std::string& key, const std::string& body,
                      const std::vector<std::string>& extra) {
  return CurlWith("POST", url, key, extra, &body);
}

HttpResponse Delete(const std::string& url, const std::string& key, const std::vector<std::string>& extra) {
  return CurlWith("DELETE", url, key, extra, nullptr);
}

HttpResponse CurlShell(const std::string& command_line, const Env& env) {
  const std::string headers = UniqueFile("headers"), body = UniqueFile("body");
  std::string line = command_line + " -s -S --max-time 10 -o '" + body + "' -D '" + headers + "' -w '%{http_code}'";
  return FinishCurl(Run({"/bin/sh", "-c", line}, env, 15s), headers, body);
}

std::string RawExchange(int port, const std::string& request, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    size_t off = 0;
    while (off < request.size()) {
      ssize_t n = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    timeval tv{0, 50'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      received.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return received;
}

std::string NewApiKey() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) ADD_FAILURE() << "RAND_bytes failed";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "jim_ak_";
  for (unsigned char b : bytes) {
    key += kHex[b >> 4];
    key += kHex[b & 0xF];
  }
  return key;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

Server::Server(std::string data_dir, std::string log_dir)
    : data_dir_(std::move(data_dir)), log_dir_(std::move(log_dir)) {}

Server::~Server() {
  if (process_ && process_->Running()) {
    process_->Signal(SIGKILL);
    (void)process_->Wait(5s);
  }
  process_.reset();
  if (CurrentTestFailed()) {
    for (const auto& path : logs_) {
      std::cerr << "[e2e] ---- server log " << path << " ----\n" << ReadFile(path);
      std::string out = path.substr(0, path.size() - 6) + "stdout";
      std::string stdout_text = ReadFile(out);
      if (!stdout_text.empty()) std::cerr << "[e2e] ---- server stdout " << out << " ----\n" << stdout_text;
      std::cerr << "[e2e] ---- end of " << path << " ----\n";
    }
  }
}

std::string Server::stderr_path() const {
  return logs_.empty() ? std::string() : logs_.back();
}

std::string Server::Log() const {
  return logs_.empty() ? std::string() : ReadFile(logs_.back());
}

pid_t Server::pid() const {
  return process_ ? process_->pid() : -1;
}

bool Server::Running() {
  return process_ && process_->Running();
}

bool Server::WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (Contains(Log(), needle)) return true;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

::testing::AssertionResult Server::Start(const ServerOptions& options) {
  if (process_ && process_->Running()) return ::testing::AssertionFailure() << "server already running";
  ++starts_;
  const std::string stem = log_dir_ + "/server-" + std::to_string(starts_) + ".";
  logs_.push_back(stem + "stderr");
  std::vector<std::string> argv{Binary(), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir_};
  argv.insert(argv.end(), options.args.begin(), options.args.end());
  process_ = std::make_unique<Process>(argv, options.env, stem + "stdout", stem + "stderr");
  if (!process_->started()) return ::testing::AssertionFailure() << "could not spawn " << Binary();

  // 1. The started line names the bound address (we ask for port 0, so only the log knows the port).
  port_ = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (port_ == 0) {
    for (const auto& line : SplitLines(Log())) {
      if (!Contains(line, "jim-edge started")) continue;
      auto at = line.find("address");
      if (at == std::string::npos) continue;
      auto scheme = line.find("://", at);
      auto colon = line.find(':', scheme + 3);
      if (scheme == std::string::npos || colon == std::string::npos) continue;
      port_ = std::atoi(line.c_str() + colon + 1);
    }
    if (port_ != 0) break;
    if (auto code = process_->Wait(0ms))
      return ::testing::AssertionFailure()
             << "jim-edge exited with " << *code << " before starting; log " << logs_.back() << ":\n"
             << Log();
    if (std::chrono::steady_clock::now() > deadline)
      return ::testing::AssertionFailure() << "no 'jim-edge started' line within 10 s; log " << logs_.back() << ":\n"
                                           << Log();
    std::this_thread::sleep_for(10ms);
  }
  const bool tls = std::find(options.args.begin(), options.args.end(), "--tls-cert") != options.args.end();
  base_url_ = std::string(tls ? "https://" : "http://") + options.url_host + ":" + std::to_string(port_);

  // 2. Health answers 200.
  HttpResponse last;
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> args = options.curl_args;
    args.push_back(base_url_ + "/api/v1/health");
    last = Curl(args);
    if (last.status == 200) return ::testing::AssertionSuccess();
    if (auto code = process_->Wait(0ms))
      return ::testing::AssertionFailure() << "jim-edge exited with " << *code << "; log:\n" << Log();
    std::this_thread::sleep_for(20ms);
  }
  return ::testing::AssertionFailure() << "GET /api/v1/health never answered 200 (last status " << last.status
                                       << ", curl: " << last.curl_err << ")";
}

std::optional<int> Server::Stop(int sig, std::chrono::milliseconds timeout) {
  if (!process_) return std::nullopt;
  process_->Signal(sig);
  return process_->Wait(timeout);
}

Json::Json(const std::string& text) {
  auto result = parser.parse(text);
  if (result.error()) {
    error = simdjson::error_message(result.error());
    return;
  }
  root = result.value_unsafe();
  ok = true;
}

std::optional<int64_t> Json::Int(std::string_view key) const {
  if (!ok) return std::nullopt;
  int64_t v = 0;
  if (root[key].get_int64().get(v)) return std::nullopt;
  return v;
}

std::optional<std::string> Json::Str(std::string_view key) const {
  if (!ok) return std::nullopt;
  std::string_view v;
  if (root[key].get_string().get(v)) return std::nullopt;
  return std::string(v);
}

std::optional<bool> Json::Bool(std::string_view key) const {
  if (!ok) return std::nullopt;
  bool v = false;
  if (root[key].get_bool().get(v)) return std::nullopt;
  return v;
}

bool Json::IsNull(std::string_view key) const {
  if (!ok) return false;
  auto field = root[key];
  return !field.error() && field.value_unsafe().is_null();
}

size_t Json::ArraySize() const {
  if (!ok || !root.is_array()) return 0;
  return simdjson::dom::array(root).size();
}

namespace {
std::string Describe(const HttpResponse& r) {
  std::ostringstream s;
  s << "status " << r.status << " (curl exit " << r.curl_exit << (r.curl_err.empty() ? "" : ": " + r.curl_err) << ")\n";
  for (const auto& [k, v] : r.headers) s << "  " << k << ": " << v << "\n";
  s << "  body: " << r.body;
  return s.str();
}
}  // namespace

::testing::AssertionResult HasStatus(const HttpResponse& r, int status) {
  if (r.status == status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected HTTP " << status << ", got " << Describe(r);
}

::testing::AssertionResult HasSecurityHeaders(const HttpResponse& r) {
  const std::pair<const char*, const char*> expected[] = {{"x-content-type-options", "nosniff"},
                                                          {"x-frame-options", "DENY"},
                                                          {"content-security-policy", "default-src 'none'"}};
  for (const auto& [name, value] : expected)
    if (r.Header(name) != value)
      return ::testing::AssertionFailure() << "header " << name << " should be '" << value << "' in " << Describe(r);
  if (r.Header("x-request-id").empty()) return ::testing::AssertionFailure() << "no X-Request-Id in " << Describe(r);
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsEnvelope(const HttpResponse& r, int status, const std::string& code) {
  if (auto s = HasStatus(r, status); !s) return s;
  if (auto h = HasSecurityHeaders(r); !h) return h;
  if (!Contains(r.Header("content-type"), "application/json"))
    return ::testing::AssertionFailure() << "error body is not JSON: " << Describe(r);
  Json j(r.body);
  if (!j.ok || !j.root.is_object())
    return ::testing::AssertionFailure() << "body is not a JSON object: " << Describe(r);
  if (j.Str("code") != code) return ::testing::AssertionFailure() << "expected code " << code << " in " << Describe(r);
  auto message = j.Str("message");
  if (!message || message->empty()) return ::testing::AssertionFailure() << "no message in " << Describe(r);
  if (!j.Str("timestamp")) return ::testing::AssertionFailure() << "no timestamp in " << Describe(r);
  auto details = j.root["details"];
  auto validation = j.root["validationErrors"];
  if (details.error() || validation.error())
    return ::testing::AssertionFailure() << "details/validationErrors missing (must be present, maybe null) in "
                                         << Describe(r);
  return ::testing::AssertionSuccess();
}

}  // namespace jim::e2e
