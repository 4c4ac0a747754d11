// jim_baseline_server: the yardstick of bench/load --baseline. A bare cpp-httplib server that answers
// every POST with a fixed 201 and every GET with a fixed 200, configured exactly like jim-edge's
// http::ApiServer: the same thread pool size, tcp_nodelay, keep-alive cap and timeouts, default headers
// and the re-listen with a 4096 backlog (cpp-httplib 0.11.4 listens with 5). No parsing, no store.
//
// With --durable DIR it is the naive durable server instead (issue 16's second yardstick): every POST
// parses its body with simdjson, does one RocksDB Get (the "does the parent exist" read) and one Put with
// sync=true, each on its own request thread, so RocksDB's own write group is what shares the fsyncs.
// GETs stay the fixed 200: only the write path differs.
//
//   jim_baseline_server [--port N] [--host H] [--threads N] [--durable DIR]
//   --port 0 picks a free port, printed
#include <httplib.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace {

// The same subclass trick as http/api_server.cpp's TunedServer.
class TunedServer : public httplib::Server {
 public:
  bool SetBacklog(int backlog) { return ::listen(this->svr_sock_, backlog) == 0; }
};

// About the size of a created run profile's JSON, so both servers move the same bytes.
const char* const kCreated =
    R"({"id":1,"name":"Full import","connectedSystemId":1,"runType":"FullImport","pageSize":500,)"
    R"("partitionId":null,"partitionName":null,"targetsDeselectedPartition":false,"filePath":null,)"
    R"("verifyImportContentHashes":false})";

// The naive durable create: parse, one Get, one synced Put, then the same fixed 201.
class DurableCreates {
 public:
  bool Open(const std::string& dir) {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir, &db);
    if (!s.ok()) {
      std::fprintf(stderr, "jim_baseline_server: cannot open %s: %s\n", dir.c_str(), s.ToString().c_str());
      return false;
    }
    db_.reset(db);
    return db_->Put(rocksdb::WriteOptions(), kParentKey, "1").ok();
  }

  void Create(const httplib::Request& req, httplib::Response& res) {
    // simdjson's parser is not thread-safe; one per request thread, reused.
    thread_local simdjson::ondemand::parser parser;
    simdjson::padded_string body(req.body);
    simdjson::ondemand::document doc;
    std::string_view name, run_type;
    if (parser.iterate(body).get(doc) != simdjson::SUCCESS || doc["name"].get_string().get(name) != simdjson::SUCCESS ||
        doc["runType"].get_string().get(run_type) != simdjson::SUCCESS) {
      res.status = 400;
      res.set_content(R"({"code":"VALIDATION_ERROR"})", "application/json; charset=utf-8");
      return;
    }
    std::string parent;
    if (!db_->Get(rocksdb::ReadOptions(), kParentKey, &parent).ok()) {
      res.status = 404;
      res.set_content(R"({"code":"NOT_FOUND"})", "application/json; charset=utf-8");
      return;
    }
    char key[32];
    std::snprintf(key, sizeof key, "rp/%020llu", static_cast<unsigned long long>(++next_id_));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (!db_->Put(wo, key, req.body).ok()) {
      res.status = 503;
      res.set_content(R"({"code":"SERVICE_UNAVAILABLE"})", "application/json; charset=utf-8");
      return;
    }
    res.status = 201;
    res.set_content(kCreated, "application/json; charset=utf-8");
  }

 private:
  static constexpr const char* kParentKey = "cs/1";
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> next_id_{0};
};

TunedServer* g_server = nullptr;
void OnSignal(int) {
  if (g_server) g_server->stop();
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", durable_dir;
  int port = 0, threads = 64;  // jim-edge's --threads default
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--port")) port = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--host")) host = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--durable")) durable_dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: jim_baseline_server [--port N] [--host H] [--threads N] [--durable DIR]\n");
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);

  TunedServer s;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads < 1 ? 1 : threads)); };
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(1'000'000);
  s.set_keep_alive_timeout(5);
  s.set_read_timeout(5, 0);
  s.set_write_timeout(5, 0);
  s.set_payload_max_length(1 << 20);
  s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                         {"X-Frame-Options", "DENY"},
                         {"Content-Security-Policy", "default-src 'none'"},
                         {"Cache-Control", "no-store"}});
  DurableCreates durable;
  if (!durable_dir.empty()) {
    if (!durable.Open(durable_dir)) return 1;
    s.Post(".*", [&durable](const httplib::Request& req, httplib::Response& res) { durable.Create(req, res); });
  } else {
    s.Post(".*", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content(kCreated, "application/json; charset=utf-8");
    });
  }
  s.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(kCreated, "application/json; charset=utf-8");
  });

  int bound = port;
  if (port == 0) {
    bound = s.bind_to_any_port(host);
  } else if (!s.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    std::fprintf(stderr, "jim_baseline_server: cannot listen on %s:%d\n", host.c_str(), port);
    return 1;
  }
  if (!s.SetBacklog(4096)) std::fprintf(stderr, "jim_baseline_server: could not raise the listen backlog\n");
  std::printf("jim_baseline_server listening on http://%s:%d threads=%d mode=%s\n", host.c_str(), bound, threads,
              durable_dir.empty() ? "fixed" : "durable");
  std::fflush(stdout);
  g_server = &s;
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  return s.listen_after_bind() ? 0 : 1;
}
