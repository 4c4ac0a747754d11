// The http tier's harness: the real ApiServer in-process on 127.0.0.1 port 0 over a real RocksCatalog
// in a unique mkdtemp dir, with the core service set that cmd/app.h builds, plus a keep-alive
// httplib::Client, a simdjson-based JSON checker and a raw-socket helper for what httplib::Client
// cannot send (chunked bodies, POST without Content-Length).
//
// Every response that goes through TestServer::Send is checked for the things API.md promises on
// EVERY response (security headers, X-Request-Id echo, JSON content type, the error envelope on
// 4xx/5xx, camelCase property names), so each test checks them without saying so.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "core/service_set.h"
#include "http/api_server.h"
#include "http/context.h"
#include "http/logger.h"
#include "store/pg_catalog.h"
#include "store/rocks_catalog.h"
#include "store/system_ports.h"
#include "tests/support/temp_dir.h"

namespace jim::http::testing {

class TempDir : public jim::testing::TempDir {
 public:
  TempDir() : jim::testing::TempDir("jim-http-test") {}
};

// A parsed JSON document; getters record a test failure (and return a default) when the pointer is
// missing or has another type, so a test reads like a list of field expectations.
class Json {
 public:
  Json() = default;
  explicit Json(const std::string& text) : parser_(std::make_shared<simdjson::dom::parser>()) {
    auto err = parser_->parse(text).get(root_);
    ok_ = err == simdjson::SUCCESS;
  }
  bool ok() const { return ok_; }
  simdjson::dom::element root() const { return root_; }

  std::optional<simdjson::dom::element> Find(std::string_view pointer) const {
    if (!ok_) return std::nullopt;
    simdjson::dom::element e;
    if (pointer.empty()) return root_;
    if (root_.at_pointer(pointer).get(e) != simdjson::SUCCESS) return std::nullopt;
    return e;
  }
  bool Has(std::string_view pointer) const { return Find(pointer).has_value(); }
  bool IsNull(std::string_view pointer) const {
    auto e = Find(pointer);
    if (!e) ADD_FAILURE() << "missing " << pointer;
    return e && e->is_null();
  }
  std::string Str(std::string_view pointer) const {
    std::string_view s;
    auto e = Find(pointer);
    if (!e || e->get_string().get(s) != simdjson::SUCCESS) {
      ADD_FAILURE() << "no string at " << pointer;
      return {};
    }
    return std::string(s);
  }
  int64_t Int(std::string_view pointer) const {
    int64_t v = 0;
    auto e = Find(pointer);
    if (!e || e->get_int64().get(v) != simdjson::SUCCESS) {
      ADD_FAILURE() << "no integer at " << pointer;
      return -999999;
    }
    return v;
  }
  bool Bool(std::string_view pointer) const {
    bool v = false;
    auto e = Find(pointer);
    if (!e || e->get_bool().get(v) != simdjson::SUCCESS) {
      ADD_FAILURE() << "no boolean at " << pointer;
      return false;
    }
    return v;
  }
  // Number of elements of the array (or members of the object) at `pointer`; -1 when neither.
  int64_t Size(std::string_view pointer = "") const {
    auto e = Find(pointer);
    if (!e) return -1;
    simdjson::dom::array a;
    if (e->get_array().get(a) == simdjson::SUCCESS) return static_cast<int64_t>(a.size());
    simdjson::dom::object o;
    if (e->get_object().get(o) == simdjson::SUCCESS) return static_cast<int64_t>(o.size());
    return -1;
  }
  // Member names of the object at `pointer`, ignoring order (JSON objects are unordered).
  std::set<std::string> KeySet(std::string_view pointer = "") const {
    auto keys = Keys(pointer);
    return {keys.begin(), keys.end()};
  }
  // Member names of the object at `pointer`, in document order.
  std::vector<std::string> Keys(std::string_view pointer = "") const {
    std::vector<std::string> out;
    auto e = Find(pointer);
    simdjson::dom::object o;
    if (!e || e->get_object().get(o) != simdjson::SUCCESS) {
      ADD_FAILURE() << "no object at " << pointer;
      return out;
    }
    for (auto field : o) out.emplace_back(field.key);
    return out;
  }

 private:
  std::shared_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
  bool ok_ = false;
};

inline bool IsIsoMillisZ(std::string_view s) {
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
  return std::regex_match(s.begin(), s.end(), re);
}
inline bool IsCamelCase(std::string_view s) {
  static const std::regex re(R"(^[a-z][A-Za-z0-9]*$)");
  return std::regex_match(s.begin(), s.end(), re);
}
// API keys get random (version 4) ids, activities time-ordered (version 7) ones.
inline bool IsUuidText(std::string_view s) {
  static const std::regex re(R"(^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$)");
  return std::regex_match(s.begin(), s.end(), re);
}

// Property names of every object in `e` are camelCase; the members of validationErrors are field names
// chosen by the request (checked by the tests that send them), so only their values are descended into.
inline void ExpectCamelCaseKeys(simdjson::dom::element e, const std::string& where = "$") {
  simdjson::dom::object o;
  simdjson::dom::array a;
  if (e.get_object().get(o) == simdjson::SUCCESS) {
    for (auto field : o) {
      std::string name(field.key);
      EXPECT_TRUE(IsCamelCase(name)) << "property '" << name << "' at " << where << " is not camelCase";
      if (name == "validationErrors") continue;
      ExpectCamelCaseKeys(field.value, where + "." + name);
    }
  } else if (e.get_array().get(a) == simdjson::SUCCESS) {
    for (auto item : a) ExpectCamelCaseKeys(item, where + "[]");
  }
}

struct Response {
  int status = 0;  // 0 = no answer (connection error)
  httplib::Headers headers;
  std::string body;
  Json json;

  std::string Header(const char* name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool HasHeader(const char* name) const { return headers.find(name) != headers.end(); }
};

// The error envelope of API.md section 1: exactly code, message, details (null), validationErrors
// (null or object of string arrays) and timestamp (ISO-8601 Z, ms), in that order.
inline void ExpectEnvelopeShape(const Response& r) {
  ASSERT_TRUE(r.json.ok()) << "error body is not JSON: " << r.body;
  EXPECT_EQ(r.json.Keys(), (std::vector<std::string>{"code", "message", "details", "validationErrors", "timestamp"}))
      << r.body;
  EXPECT_FALSE(r.json.Str("/code").empty());
  EXPECT_FALSE(r.json.Str("/message").empty());
  EXPECT_TRUE(r.json.IsNull("/details"));
  auto ve = r.json.Find("/validationErrors");
  ASSERT_TRUE(ve.has_value());
  if (!ve->is_null()) {
    simdjson::dom::object o;
    ASSERT_EQ(ve->get_object().get(o), simdjson::SUCCESS) << "validationErrors is neither null nor an object";
    EXPECT_GT(o.size(), 0u) << "an empty validationErrors object should be null";
    for (auto field : o) {
      simdjson::dom::array msgs;
      ASSERT_EQ(field.value.get_array().get(msgs), simdjson::SUCCESS) << field.key;
      EXPECT_GT(msgs.size(), 0u) << field.key;
      for (auto m : msgs) EXPECT_TRUE(m.is_string()) << field.key;
    }
  }
  EXPECT_TRUE(IsIsoMillisZ(r.json.Str("/timestamp"))) << r.body;
}

// Status, envelope shape and code in one line.
#define EXPECT_ERROR(response, http_status, error_code)                  \
  do {                                                                   \
    const ::jim::http::testing::Response& r_ = (response);               \
    EXPECT_EQ(r_.status, (http_status)) << r_.body;                      \
    ::jim::http::testing::ExpectEnvelopeShape(r_);                       \
    if (r_.json.ok()) {                                                  \
      EXPECT_EQ(r_.json.Str("/code"), (error_code));                     \
    }                                                                    \
  } while (0)

// Whether validationErrors names `field`.
inline bool NamesField(const Response& r, const std::string& field) {
  return r.json.ok() && r.json.Find("/validationErrors/" + field).has_value();
}

// Parses what RawExchange returned (one response; the body is what follows the blank line, cut at
// Content-Length when there is one).
inline Response ParseRawResponse(const std::string& raw) {
  Response out;
  auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return out;
  out.status = std::atoi(raw.c_str() + 9);
  size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      out.headers.emplace(line.substr(0, colon), line.substr(v));
    }
    pos = eol + 2;
  }
  out.body = raw.substr(end + 4);
  if (out.HasHeader("Content-Length"))
    out.body.resize(std::min(out.body.size(), static_cast<size_t>(std::stoul(out.Header("Content-Length")))));
  if (out.Header("Content-Type").rfind("application/json", 0) == 0) out.json = Json(out.body);
  return out;
}

struct TestServerOptions {
  size_t max_body_bytes = 8192;
  bool rate_limit = true;
  // Generous by default so that table-driven tests never trip them; the rate-limit tests go small.
  int rate_limit_per_key = 1'000'000;
  int rate_limit_per_ip = 1'000'000;
  // NOTE: relaxed durability (no fsync per group) keeps the tier fast; crash durability is the store
  // tier's and the e2e tier's business, not the wire's.
  bool sync = false;
  std::string public_url;        // --public-url
  int head_timeout_seconds = 10;  // --head-timeout
  size_t max_head_bytes = 32 * 1024;
  size_t max_buffered_body_bytes = 256u << 20;  // --max-buffered-body-bytes
  // The RocksDB Env the store runs on (the durability proofs watch its WAL syncs); null = the default.
  std::shared_ptr<rocksdb::Env> env;
};

// One running server over one fresh data dir, with these keys:
//   infra    JIM_INFRASTRUCTURE_API_KEY-style key (Administrator, exempt from rate limits)
//   admin    a normal Administrator key (the one most requests use)
//   reader   a valid key without the Administrator role
//   disabled an Administrator key that is disabled
//   expired  an Administrator key whose expiry is in the past
class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {}) : options_(options) {
    if (OnPostgres()) {
      OpenPostgres();
    } else {
      store::StoreOptions so;
      so.data_dir = dir_.path() + "/data";
      so.sync = options_.sync;
      so.env = options_.env;
      so.min_free_bytes = 0;  // must not depend on the free space of the machine
      auto opened = store::RocksCatalog::Open(so);
      if (!opened) throw std::runtime_error("cannot open the catalog: " + opened.error().message);
      catalog_ = std::move(opened).value();
      store_ = catalog_.get();
    }
    // The same service set cmd/app.h builds (without its metering decorator).
    core_ = std::make_unique<core::ServiceSet>(*store_, clock_, entropy_);
    services_ = std::make_unique<Services>(Services::Over(*core_));
    if (!core_->definitions.SeedBuiltIns()) throw std::runtime_error("cannot seed the built-ins");
    MakeKeys();

    ServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 8;
    config.max_body_bytes = options_.max_body_bytes;
    config.max_buffered_body_bytes = options_.max_buffered_body_bytes;
    config.rate_limit = options_.rate_limit;
    config.rate_limit_per_key = options_.rate_limit_per_key;
    config.rate_limit_per_ip = options_.rate_limit_per_ip;
    config.access_log = false;
    config.version = "0.1.0-test";
    config.public_url = options_.public_url;
    config.head_timeout_seconds = options_.head_timeout_seconds;
    config.max_head_bytes = options_.max_head_bytes;
    server_ = std::make_unique<ApiServer>(config, *services_, log_);
    auto bound = server_->Bind();
    if (!bound) throw std::runtime_error("cannot bind: " + bound.error().message);
    port_ = *bound;
    thread_ = std::thread([this] { server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_tcp_nodelay(true);
    client_->set_keep_alive(true);
    client_->set_connection_timeout(5, 0);
    client_->set_read_timeout(10, 0);
    // Wait until the accept loop runs, so that Stop() in the destructor always finds it running.
    for (int i = 0; i < 500; ++i) {
      auto r = client_->Get("/api/v1/health/live");
      if (r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("the server did not come up");
  }

  ~TestServer() {
    client_.reset();
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    if (catalog_) catalog_->Close();
    if (pg_) {
      pg_.reset();
      try {
        AdminSql("DROP SCHEMA IF EXISTS " + pg_schema_ + " CASCADE");
      } catch (...) {
        // The throwaway cluster goes at the end of the run anyway.
      }
    }
  }

  // The whole tier runs a second time on PostgreSQL (tests/http/CMakeLists.txt: JIM_TEST_HTTP_STORE=postgresql
  // over the cluster of JIM_TEST_DATABASE_URL), each server on a fresh schema of its own.
  static bool OnPostgres() {
    const char* which = std::getenv("JIM_TEST_HTTP_STORE");
    return which && std::string_view(which) == "postgresql";
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The embedded store (tests of RocksDB-only behaviour; the PostgreSQL run filters them out).
  store::RocksCatalog& catalog() {
    if (!catalog_) throw std::runtime_error("this test needs the embedded store");
    return *catalog_;
  }
  ApiServer& server() { return *server_; }
  core::ApiKeyService& keys() { return core_->keys; }

  // Plaintext keys and their ids.
  std::string infra_key, admin_key, reader_key, disabled_key, expired_key;
  std::string infra_id, admin_id, reader_id, disabled_id, expired_id;

  // Sends one request with httplib::Client (keep-alive, Content-Length always set) and checks the
  // every-response guarantees. `key` empty = no X-Api-Key header. A body is sent for POST/PUT/PATCH
  // with `content_type` (empty = no Content-Type header).
  Response Send(const std::string& method, const std::string& path, const std::string& body,
                const std::string& key, httplib::Headers extra = {},
                const std::string& content_type = "application/json; charset=utf-8") {
    SCOPED_TRACE(method + " " + path);
    httplib::Headers headers = std::move(extra);
    if (!key.empty()) headers.emplace("X-Api-Key", key);
    const std::string request_id = "req-" + std::to_string(++request_counter_);
    if (headers.find("X-Request-Id") == headers.end()) headers.emplace("X-Request-Id", request_id);
    httplib::Result res = [&] {
      if (method == "GET") return client_->Get(path.c_str(), headers);
      if (method == "DELETE") return client_->Delete(path.c_str(), headers);
      if (method == "POST") return client_->Post(path.c_str(), headers, body, content_type.c_str());
      if (method == "PUT") return client_->Put(path.c_str(), headers, body, content_type.c_str());
      if (method == "PATCH") return client_->Patch(path.c_str(), headers, body, content_type.c_str());
      if (method == "OPTIONS") return client_->Options(path.c_str(), headers);
      ADD_FAILURE() << "unsupported method " << method;
      return client_->Head(path.c_str(), headers);
    }();
    Response out;
    if (!res) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(res.error());
      return out;
    }
    out.status = res->status;
    out.headers = res->headers;
    out.body = res->body;
    if (!out.body.empty() && out.Header("Content-Type").rfind("application/json", 0) == 0) out.json = Json(out.body);
    CheckEveryResponse(out, path, headers.find("X-Request-Id")->second);
    return out;
  }

  Response Get(const std::string& path, const std::string& key) { return Send("GET", path, "", key); }
  Response Get(const std::string& path) { return Get(path, admin_key); }
  Response Post(const std::string& path, const std::string& body, httplib::Headers extra = {}) {
    return Send("POST", path, body, admin_key, std::move(extra));
  }
  Response Put(const std::string& path, const std::string& body, httplib::Headers extra = {}) {
    return Send("PUT", path, body, admin_key, std::move(extra));
  }
  Response Delete(const std::string& path, httplib::Headers extra = {}) {
    return Send("DELETE", path, "", admin_key, std::move(extra));
  }

  // Setup helpers over the wire; each asserts its own success and returns the new id.
  int64_t CreateSystem(const std::string& name, int64_t connector_id) {
    auto r = Post(kSystems, R"({"name":")" + name + R"(","connectorDefinitionId":)" + std::to_string(connector_id) + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.ok() ? r.json.Int("/id") : -1;
  }
  int64_t CreatePartition(int64_t cs, const std::string& name, bool selected = true) {
    auto r = Post(PartitionsPath(cs),
                  R"({"name":")" + name + R"(","selected":)" + (selected ? "true" : "false") + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.ok() ? r.json.Int("/id") : -1;
  }
  int64_t CreateProfile(int64_t cs, const std::string& body) {
    auto r = Post(ProfilesPath(cs), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.ok() ? r.json.Int("/id") : -1;
  }

  static inline const std::string kSystems = "/api/v1/synchronisation/connected-systems";
  static inline const std::string kConnectors = "/api/v1/synchronisation/connector-definitions";
  static std::string SystemPath(int64_t cs) { return kSystems + "/" + std::to_string(cs); }
  static std::string ProfilesPath(int64_t cs) { return SystemPath(cs) + "/run-profiles"; }
  static std::string ProfilePath(int64_t cs, int64_t rp) { return ProfilesPath(cs) + "/" + std::to_string(rp); }
  static std::string PartitionsPath(int64_t cs) { return SystemPath(cs) + "/partitions"; }
  static std::string PartitionPath(int64_t cs, int64_t p) { return PartitionsPath(cs) + "/" + std::to_string(p); }

  // A raw HTTP/1.1 exchange on a fresh connection: `request` is sent as is and everything the server
  // writes until it closes (or 5 s pass) is returned.
  std::string RawExchange(const std::string& request) const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      size_t sent = 0;
      while (sent < request.size()) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      // NOTE: stop at the end of the first response: cpp-httplib 0.11.4 keeps the connection open until
      // its keep-alive timeout even after answering "Connection: close".
      char buf[4096];
      for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
        auto end = out.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        size_t length = 0;
        Response head = ParseRawResponse(out.substr(0, end + 4));
        if (head.HasHeader("Content-Length")) length = std::stoul(head.Header("Content-Length"));
        if (out.size() >= end + 4 + length) break;
      }
    }
    ::close(fd);
    return out;
  }

 private:
  void CheckEveryResponse(const Response& r, const std::string& path, const std::string& request_id) {
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.Header("Content-Security-Policy"), "default-src 'none'");
    EXPECT_EQ(r.Header("X-Request-Id"), request_id);
    if (r.status == 204) {
      EXPECT_TRUE(r.body.empty());
      return;
    }
    const bool metrics = path.rfind("/metrics", 0) == 0 && r.status == 200;
    if (metrics) return;
    EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8") << r.body;
    ASSERT_TRUE(r.json.ok()) << "not JSON: " << r.body;
    // The OpenAPI document's own names (paths, header names, components) follow OpenAPI, not our wire.
    if (path.find("/api/openapi/") == std::string::npos) ExpectCamelCaseKeys(r.json.root());
    // health/ready's 503 is a status document, not an error; every other error is the envelope.
    const bool ready = path.find("/health/ready") != std::string::npos;
    if (r.status >= 400 && !ready) ExpectEnvelopeShape(r);
  }

  void MakeKeys() {
    auto make = [&](const char* name, std::vector<int64_t> roles, std::string& plaintext, std::string& id) {
      core::CreateApiKeyInput in;
      in.name = name;
      in.role_ids = std::move(roles);
      auto r = core_->keys.Create(core::kSystemActor, in);
      if (!r) throw std::runtime_error("cannot create key " + std::string(name) + ": " + r.error().message);
      plaintext = r->plaintext;
      id = r->key.id;
    };
    auto update = [&](const std::string& id, const char* name, bool enabled, std::optional<core::Millis> expires) {
      core::UpdateApiKeyInput in;
      in.name = name;
      in.role_ids = std::vector<int64_t>{core::kAdministratorRoleId};
      in.is_enabled = enabled;
      in.expires_at = expires;
      auto r = core_->keys.Update(core::kSystemActor, id, in);
      if (!r) throw std::runtime_error("cannot update key " + std::string(name) + ": " + r.error().message);
    };
    infra_key = core::GenerateApiKey(entropy_);
    if (!core_->keys.EnsureInfrastructureKey(infra_key)) throw std::runtime_error("cannot create the infrastructure key");
    for (const auto& k : store_->ListApiKeys().value())
      if (k.infrastructure) infra_id = k.id;
    make("Admin Key", {core::kAdministratorRoleId}, admin_key, admin_id);
    make("Reader Key", {}, reader_key, reader_id);
    make("Disabled Key", {core::kAdministratorRoleId}, disabled_key, disabled_id);
    update(disabled_id, "Disabled Key", false, std::nullopt);
    make("Expired Key", {core::kAdministratorRoleId}, expired_key, expired_id);
    // Create refuses a past expiry; the full-replacement update sets one.
    update(expired_id, "Expired Key", true, clock_.NowMillis() - 60'000);
  }

  TestServerOptions options_;
  TempDir dir_;
  void OpenPostgres() {
    static std::atomic<int> counter{0};
    pg_schema_ = "http_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    AdminSql("DROP SCHEMA IF EXISTS " + pg_schema_ + " CASCADE; CREATE SCHEMA " + pg_schema_);
    store::PgOptions po;
    po.url = DatabaseUrl();
    po.schema = pg_schema_;
    auto opened = store::PgCatalog::Open(po);
    if (!opened) throw std::runtime_error("cannot open the PostgreSQL catalog: " + opened.error().message);
    pg_ = std::move(opened).value();
    store_ = pg_.get();
  }
  static std::string DatabaseUrl() {
    const char* url = std::getenv("JIM_TEST_DATABASE_URL");
    if (!url || !*url) throw std::runtime_error("JIM_TEST_HTTP_STORE=postgresql needs JIM_TEST_DATABASE_URL");
    return url;
  }
  static void AdminSql(const std::string& sql) {
    store::pg::Conn conn({"dbname"}, {DatabaseUrl()});
    conn.ExecScript(sql);
  }

  std::unique_ptr<store::RocksCatalog> catalog_;
  std::unique_ptr<store::PgCatalog> pg_;
  std::string pg_schema_;
  core::Catalog* store_ = nullptr;  // the one of the two in use
  store::SystemClock clock_;
  store::OsEntropy entropy_;
  std::unique_ptr<core::ServiceSet> core_;
  std::unique_ptr<Services> services_;
  Logger log_{LogFormat::kText, 2};
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  int request_counter_ = 0;
};

// The usual gtest fixture: a fresh server (fresh ids) per test.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { srv_ = std::make_unique<TestServer>(Options()); }
  void TearDown() override { srv_.reset(); }
  virtual TestServerOptions Options() { return {}; }
  TestServer& srv() { return *srv_; }

  std::unique_ptr<TestServer> srv_;
};

}  // namespace jim::http::testing
