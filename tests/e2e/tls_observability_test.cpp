// Issue 6's native TLS with a certificate made by `openssl req` in the test, GET /metrics, JSON logs, and
// the access log (what it must contain, and the key it must never contain).
#include <filesystem>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

const std::string kSystems = "/api/v1/synchronisation/connected-systems";

TEST(TlsE2E, HttpsWithASelfSignedCertificateAndNothingBelowTls12) {
  TempDir tmp;
  const std::string cert = tmp / "cert.pem", pkey = tmp / "key.pem";
  RunResult gen = e2e::Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost", "-days", "1", "-keyout", pkey, "-out", cert});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const std::string key = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.args = {"--tls-cert", cert, "--tls-key", pkey},
                            .env = {{"JIM_INFRASTRUCTURE_API_KEY", key}},
                            .url_host = "localhost",
                            .curl_args = {"--cacert", cert}}));
  const std::string base = server.base_url();
  ASSERT_TRUE(base.starts_with("https://localhost:")) << base;
  EXPECT_TRUE(server.WaitForLog("address=https://")) << server.Log();

  auto health = Get(base + "/api/v1/health", "", {"--cacert", cert});
  ASSERT_TRUE(HasStatus(health, 200));
  EXPECT_TRUE(HasSecurityHeaders(health));

  ASSERT_TRUE(HasStatus(
      PostJson(base + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})", {"--cacert", cert}), 201));
  // The seed's first command, with https:// in $BASE.
  auto seed = CurlShell(
      "curl --cacert \"$CERT\" -X POST $BASE/api/v1/synchronisation/connected-systems/1/run-profiles -H \"X-Api-Key: "
      "$KEY\" -H \"Content-Type: application/json\" -d '{\"name\": \"Delta Import\", \"runType\": \"DeltaImport\"}'",
      {{"BASE", base}, {"KEY", key}, {"CERT", cert}});
  ASSERT_TRUE(HasStatus(seed, 201));
  EXPECT_EQ(seed.Header("location"), base + kSystems + "/1/run-profiles/1");
  EXPECT_TRUE(seed.Header("location").starts_with("https://")) << seed.Header("location");

  // Without the CA the certificate is not trusted; plain HTTP on the TLS port gets no HTTP response.
  EXPECT_NE(Get(base + "/api/v1/health", "").curl_exit, 0);
  EXPECT_EQ(Get("http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/health", "").status / 100, 0)
      << "plain HTTP must not be answered on the TLS port";

  // TLS 1.2 is accepted; TLS 1.1 and below are refused by the server. SECLEVEL=0 lets OpenSSL 3's client
  // offer TLS 1.1 at all, so the failure is the server's refusal and not the client's own policy.
  EXPECT_TRUE(HasStatus(Get(base + "/api/v1/health", "", {"--cacert", cert, "--tlsv1.2", "--tls-max", "1.2"}), 200));
  auto old =
      Get(base + "/api/v1/health", "", {"--cacert", cert, "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"});
  EXPECT_EQ(old.status, 0) << "a TLS 1.1 client was served";
  EXPECT_EQ(old.curl_exit, 35) << old.curl_err;  // CURLE_SSL_CONNECT_ERROR

  // The container health probe works against a TLS server too.
  RunResult probe = RunJim({"healthcheck", "--url", base});
  EXPECT_EQ(probe.exit_code, 0) << probe.err;
  ASSERT_EQ(server.Stop(), 0);
}

TEST(TlsE2E, UnreadableCertificateFailsWithOneSentence) {
  TempDir tmp;
  WriteFile(tmp / "cert.pem", "not a certificate");
  WriteFile(tmp / "key.pem", "not a key");
  RunResult r = RunJim({"serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", tmp / "data", "--tls-cert",
                        tmp / "cert.pem", "--tls-key", tmp / "key.pem"},
                       {}, 5s);
  EXPECT_FALSE(r.timed_out) << "served with a bogus certificate";
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "jim-edge: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "TLS")) << r.err;
}

TEST(MetricsE2E, PrometheusTextWithRouteLabelsAndProfileGauge) {
  TempDir tmp;
  const std::string key = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = {{"JIM_INFRASTRUCTURE_API_KEY", key}}}));
  const std::string base = server.base_url();
  ASSERT_TRUE(HasStatus(PostJson(base + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})"), 201));
  for (const char* name : {"A", "B"})
    ASSERT_TRUE(HasStatus(PostJson(base + kSystems + "/1/run-profiles", key,
                                   std::string(R"({"name":")") + name + R"(","runType":"FullImport"})"),
                          201));
  ASSERT_TRUE(HasStatus(Get(base + kSystems + "/1/run-profiles", key), 200));
  ASSERT_TRUE(HasStatus(Get(base + kSystems + "/1/run-profiles/99", key), 404));

  auto metrics = Get(base + "/metrics", "");
  ASSERT_TRUE(HasStatus(metrics, 200));
  EXPECT_TRUE(metrics.Header("content-type").starts_with("text/plain")) << metrics.Header("content-type");
  const std::string& text = metrics.body;
  const std::string route = "route=\"/api/v1/synchronisation/connected-systems/{int}/run-profiles\"";
  EXPECT_TRUE(Contains(text, "# TYPE jim_http_requests_total counter")) << text;
  EXPECT_TRUE(Contains(text, "jim_http_requests_total{" + route + ",method=\"POST\",status=\"201\"} 2")) << text;
  EXPECT_TRUE(Contains(text, "jim_http_requests_total{" + route + ",method=\"GET\",status=\"200\"} 1")) << text;
  EXPECT_TRUE(Contains(text, "jim_http_request_duration_seconds_bucket{" + route)) << text;
  EXPECT_TRUE(Contains(text, "\njim_run_profiles 2\n")) << text;
  EXPECT_TRUE(Contains(text, "\njim_connected_systems 1\n")) << text;
  // Ids never become labels (the route template does).
  EXPECT_FALSE(Contains(text, "run-profiles/99")) << text;
  // Every sample line is `name{labels} value` or `name value`.
  for (const auto& line : SplitLines(text)) {
    if (line.empty() || line.starts_with("#")) continue;
    EXPECT_TRUE(line.starts_with("jim_")) << line;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
  ASSERT_EQ(server.Stop(), 0);

  ASSERT_TRUE(server.Start({.args = {"--metrics", "off"}, .env = {{"JIM_INFRASTRUCTURE_API_KEY", key}}}));
  EXPECT_TRUE(IsEnvelope(Get(server.base_url() + "/metrics", ""), 404, "NOT_FOUND"));
  ASSERT_EQ(server.Stop(), 0);
}

TEST(LogsE2E, JsonLogFormatWritesOneObjectPerLine) {
  TempDir tmp;
  const std::string key = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.args = {"--log-format", "json"}, .env = {{"JIM_INFRASTRUCTURE_API_KEY", key}}}));
  const std::string base = server.base_url();
  ASSERT_TRUE(HasStatus(
      PostJson(base + kSystems, key, R"({"name":"Quote \" and \\ and \u00e9","connectorDefinitionId":1})"), 201));
  ASSERT_TRUE(HasStatus(Get(base + "/api/v1/nope", ""), 404));
  ASSERT_TRUE(HasStatus(Get(base + kSystems, NewApiKey(), {"-H", "X-Request-Id: json-log-check"}), 401));
  ASSERT_EQ(server.Stop(), 0);

  const auto lines = SplitLines(server.Log());
  ASSERT_GE(lines.size(), 5u) << server.Log();
  bool started = false, stopped = false, request = false;
  for (const auto& line : lines) {
    Json j(line);
    ASSERT_TRUE(j.ok && j.root.is_object()) << "not a JSON object: " << line;
    EXPECT_TRUE(j.Str("time").has_value()) << line;
    EXPECT_TRUE(j.Str("level").has_value()) << line;
    auto msg = j.Str("msg");
    ASSERT_TRUE(msg.has_value()) << line;
    started = started || *msg == "jim-edge started";
    stopped = stopped || *msg == "stopped";
    if (*msg == "request" && j.Str("request_id") == "json-log-check") {
      request = true;
      EXPECT_EQ(j.Str("status"), "401") << line;
      EXPECT_EQ(j.Str("method"), "GET") << line;
    }
  }
  EXPECT_TRUE(started && stopped && request) << server.Log();
}

// With --log-format json a failed start writes only JSON log lines too: its one sentence is an error's msg.
TEST(LogsE2E, AFailedStartWithJsonLogsSaysWhyInAJsonLine) {
  TempDir tmp;
  Server first(tmp / "data", tmp.path());
  ASSERT_TRUE(first.Start());
  const std::string busy_port = std::to_string(first.port());
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--port", busy_port, "--data-dir", tmp / "other"}, busy_port},        // the port is in use
           {{"--port", "0", "--data-dir", tmp / "data"}, "lock"},                  // the data dir is locked
           {{"--port", "0", "--threads", "0", "--data-dir", tmp / "x"}, "threads"},  // refused option
           {{"--port", "eighty", "--data-dir", tmp / "x"}, "eighty"},              // CLI11: not a number
           {{"--port", "0", "--no-such-flag", "--data-dir", tmp / "x"}, "--no-such-flag"},  // CLI11: unknown
       }) {
    std::vector<std::string> argv{"serve", "--host", "127.0.0.1", "--log-format", "json"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    RunResult r = RunJim(argv, {}, 5s);
    EXPECT_FALSE(r.timed_out) << c.says;
    EXPECT_NE(r.exit_code, 0) << c.says;
    bool said = false;
    for (const auto& line : SplitLines(r.err)) {
      if (line.empty()) continue;
      Json j(line);
      ASSERT_TRUE(j.ok && j.root.is_object()) << "not a JSON object: " << line;
      if (j.Str("level") == "error" && j.Str("msg").value_or("").find(c.says) != std::string::npos) said = true;
    }
    EXPECT_TRUE(said) << c.says << ":\n" << r.err;
  }
  EXPECT_TRUE(HasStatus(Get(first.base_url() + "/api/v1/health/ready", ""), 200));
}

TEST(LogsE2E, AccessLogHasMethodRouteStatusLatencyAndRequestIdButNoKey) {
  TempDir tmp;
  const std::string key = NewApiKey();
  const std::string wrong_key = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = {{"JIM_INFRASTRUCTURE_API_KEY", key}}}));
  const std::string base = server.base_url();
  ASSERT_TRUE(HasStatus(PostJson(base + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})",
                                 {"-H", "X-Request-Id: access-create"}),
                        201));
  ASSERT_TRUE(HasStatus(Get(base + kSystems + "/1", key, {"-H", "X-Request-Id: access-get"}), 200));
  ASSERT_TRUE(HasStatus(Get(base + kSystems, wrong_key, {"-H", "X-Request-Id: access-denied"}), 401));
  // A key created over the API is shown once in the response and never logged.
  auto created = PostJson(base + "/api/v1/apikeys", key, R"({"name":"ops","roleIds":[1]})");
  ASSERT_TRUE(HasStatus(created, 201));
  const std::string api_created_key = Json(created.body).Str("key").value_or("");
  ASSERT_FALSE(api_created_key.empty()) << created.body;
  ASSERT_TRUE(HasStatus(Get(base + "/api/v1/userinfo", api_created_key), 200));
  ASSERT_EQ(server.Stop(), 0);

  const std::string log = server.Log();
  auto line_for = [&](const std::string& request_id) {
    for (const auto& line : SplitLines(log))
      if (Contains(line, " request ") && Contains(line, "request_id=" + request_id)) return line;
    return std::string();
  };
  const std::string create_line = line_for("access-create");
  EXPECT_TRUE(Contains(create_line, "method=POST")) << create_line;
  EXPECT_TRUE(Contains(create_line, "route=" + kSystems + " ")) << create_line;
  EXPECT_TRUE(Contains(create_line, "status=201")) << create_line;
  EXPECT_TRUE(Contains(create_line, "latency_ms=")) << create_line;
  const std::string get_line = line_for("access-get");
  EXPECT_TRUE(Contains(get_line, "method=GET")) << get_line;
  EXPECT_TRUE(Contains(get_line, "route=" + kSystems + "/{int} ")) << "the route template, not the path: " << get_line;
  EXPECT_TRUE(Contains(get_line, "status=200")) << get_line;
  EXPECT_TRUE(Contains(line_for("access-denied"), "status=401")) << log;

  // Neither any key nor its digest, anywhere in the server's output.
  const std::string everything =
      log + ReadFile(server.stderr_path().substr(0, server.stderr_path().size() - 6) + "stdout");
  for (const std::string& k : {key, wrong_key, api_created_key}) {
    EXPECT_FALSE(Contains(everything, k)) << "a key reached the log";
    EXPECT_FALSE(Contains(everything, k.substr(7, 32))) << "part of a key reached the log";
    EXPECT_FALSE(Contains(everything, Sha256Hex(k))) << "a key digest reached the log";
  }
}

TEST(LogsE2E, AccessLogOffWritesNoRequestLines) {
  TempDir tmp;
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.args = {"--access-log", "off"}}));
  ASSERT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/health", ""), 200));
  ASSERT_EQ(server.Stop(), 0);
  EXPECT_FALSE(Contains(server.Log(), " request ")) << server.Log();
  EXPECT_TRUE(Contains(server.Log(), "stopped")) << server.Log();
}

}  // namespace
}  // namespace jim::e2e
