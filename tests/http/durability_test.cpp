// Proof that 2xx means on disk, watched at the WAL: the real server over real RocksDB whose file
// system counts (and can hold, or fail) every sync of the write-ahead log.
//   - strict: at least one WAL sync returned between a write being sent and its 2xx being read;
//   - relaxed: writes are answered without any WAL sync;
//   - a create's response stays inside the process while its group's sync is held, leaves after it
//     returns, and a failed sync answers every request of the group 503 (none 201).
#include <poll.h>

#include <functional>
#include <thread>

#include "tests/http/test_server.h"
#include "tests/http/wal_sync_gate.h"

namespace jim::http::testing {
namespace {

TestServerOptions OverGate(const std::shared_ptr<WalSyncGate>& gate, bool sync) {
  TestServerOptions o;
  o.sync = sync;
  o.env = WalSyncGate::EnvOver(gate);
  return o;
}

// One of each kind of write the API acknowledges, sent one at a time; `check` sees the WAL syncs that
// returned while the request was out (the client sends nothing else meanwhile).
void ForEachWrite(TestServer& srv, const WalSyncGate& gate,
                  const std::function<void(const std::string&, int, uint64_t)>& check) {
  auto watched = [&](const std::string& what, auto send) {
    const uint64_t before = gate.SyncsReturned();
    Response r = send();
    check(what, r.status, gate.SyncsReturned() - before);
    return r;
  };
  Response cs = watched("create system", [&] {
    return srv.Post(TestServer::kSystems, R"({"name":"HR","connectorDefinitionId":1})");
  });
  ASSERT_EQ(cs.status, 201) << cs.body;
  const int64_t cs_id = cs.json.Int("/id");
  for (int i = 0; i < 3; ++i) {
    Response rp = watched("create run profile", [&] {
      return srv.Post(TestServer::ProfilesPath(cs_id),
                      R"({"name":"Full )" + std::to_string(i) + R"(","runType":"FullImport"})");
    });
    ASSERT_EQ(rp.status, 201) << rp.body;
  }
  Response rp = srv.Get(TestServer::ProfilesPath(cs_id));
  ASSERT_EQ(rp.status, 200);
  const int64_t rp_id = rp.json.Int("/0/id");
  watched("update run profile", [&] {
    return srv.Put(TestServer::ProfilePath(cs_id, rp_id), R"({"name":"Renamed"})");
  });
  watched("delete run profile", [&] { return srv.Delete(TestServer::ProfilePath(cs_id, rp_id)); });
}

TEST(Durability, StrictAnswersEveryWriteOnlyAfterAWalSyncReturned) {
  auto gate = std::make_shared<WalSyncGate>();
  TestServer srv(OverGate(gate, /*sync=*/true));
  int writes = 0;
  ForEachWrite(srv, *gate, [&](const std::string& what, int status, uint64_t syncs) {
    SCOPED_TRACE(what);
    EXPECT_GE(status, 200);
    EXPECT_LT(status, 300);
    EXPECT_GE(syncs, 1u) << "a write was acknowledged without a WAL sync returning first";
    ++writes;
  });
  EXPECT_EQ(writes, 6);
}

TEST(Durability, RelaxedAnswersWritesWithoutWaitingForAWalSync) {
  auto gate = std::make_shared<WalSyncGate>();
  TestServer srv(OverGate(gate, /*sync=*/false));
  int writes = 0;
  ForEachWrite(srv, *gate, [&](const std::string& what, int status, uint64_t syncs) {
    SCOPED_TRACE(what);
    EXPECT_GE(status, 200);
    EXPECT_LT(status, 300);
    EXPECT_EQ(syncs, 0u) << "relaxed durability synced the WAL for a write";
    ++writes;
  });
  EXPECT_EQ(writes, 6);
}

// A client on its own connection that sends one request and reads its response with raw syscalls, so
// the test can ask "has any byte arrived yet?" without blocking.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool Send(const std::string& request) {
    size_t sent = 0;
    while (connected_ && sent < request.size()) {
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return connected_;
  }
  // Whether any response byte is readable within `bound` (a bound on a negative answer, not an order).
  bool Readable(std::chrono::milliseconds bound) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(bound.count())) > 0;
  }
  // Reads one whole response (headers and Content-Length body), at most 20 s.
  Response Receive() {
    std::string raw;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Readable(std::chrono::milliseconds(200))) continue;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<size_t>(n));
      auto end = raw.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      Response head = ParseRawResponse(raw.substr(0, end + 4));
      size_t length = head.HasHeader("Content-Length") ? std::stoul(head.Header("Content-Length")) : 0;
      if (raw.size() >= end + 4 + length) break;
    }
    return ParseRawResponse(raw);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string CreateProfileRequest(const TestServer& srv, int64_t cs, const std::string& name) {
  const std::string body = R"({"name":")" + name + R"(","runType":"FullImport"})";
  return "POST " + TestServer::ProfilesPath(cs) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + srv.admin_key +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Waits until `n` transactions queue for the next group (the current one is held at the gate).
bool WaitQueued(store::RocksCatalog& catalog, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (catalog.QueueDepth() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

constexpr auto kNoBytesBound = std::chrono::milliseconds(150);

TEST(Durability, ResponsesWaitForTheirGroupsWalSyncAndAFailedSyncAnswersTheWholeGroup503) {
  auto gate = std::make_shared<WalSyncGate>();
  TestServer srv(OverGate(gate, /*sync=*/true));
  const int64_t cs = srv.CreateSystem("HR", 1);
  ASSERT_GT(cs, 0);

  // Group 1: one create, its WAL sync held.
  gate->Arm();
  RawClient first(srv.port());
  ASSERT_TRUE(first.Send(CreateProfileRequest(srv, cs, "first")));
  ASSERT_TRUE(gate->WaitEntered(1)) << "the create never reached its WAL sync";
  EXPECT_FALSE(first.Readable(kNoBytesBound)) << "response bytes left before the group's WAL sync returned";

  // Group 2: three creates that arrive while group 1 is being written queue up together behind it.
  std::vector<std::unique_ptr<RawClient>> group;
  for (int i = 0; i < 3; ++i) {
    group.push_back(std::make_unique<RawClient>(srv.port()));
    ASSERT_TRUE(group.back()->Send(CreateProfileRequest(srv, cs, "queued " + std::to_string(i))));
  }
  ASSERT_TRUE(WaitQueued(srv.catalog(), 3)) << "the three creates did not queue behind the held group";
  EXPECT_FALSE(first.Readable(kNoBytesBound));

  gate->Release(/*fail=*/false);
  Response r1 = first.Receive();
  EXPECT_EQ(r1.status, 201) << r1.body;

  // Group 2's sync is held in its turn; nobody in it hears anything, then the sync fails.
  ASSERT_TRUE(gate->WaitEntered(2)) << "the queued creates never reached their WAL sync";
  for (auto& c : group) EXPECT_FALSE(c->Readable(kNoBytesBound)) << "a response left before its sync returned";
  const uint64_t failures_before = srv.catalog().Stats().write_failures;
  gate->Release(/*fail=*/true, /*disarm=*/true);
  for (auto& c : group) {
    Response r = c->Receive();
    EXPECT_ERROR(r, 503, "SERVICE_UNAVAILABLE");
  }
  // One failed group write answered all three: they were one group.
  EXPECT_EQ(srv.catalog().Stats().write_failures, failures_before + 1);

  // The store heals by itself; the next create is acknowledged (and synced) again.
  const uint64_t before = gate->SyncsReturned();
  Response after;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    after = srv.Post(TestServer::ProfilesPath(cs), R"({"name":"after","runType":"FullImport"})");
    if (after.status != 503) break;
    // Polling a condition (the store reopened RocksDB), not ordering threads.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(after.status, 201) << after.body;
  EXPECT_GT(gate->SyncsReturned(), before);
}

// Issue 16: a create whose errors need no store is not queued behind the committer, so it never waits
// for another group's fsync; the contract's order (404 system before 400, a used Idempotency-Key's 409)
// still holds. Every answer below arrives while another create's WAL sync is held at the gate.
TEST(Durability, CreatesRefusedWithoutTheStoreAreAnsweredWhileAGroupsSyncIsHeld) {
  auto gate = std::make_shared<WalSyncGate>();
  TestServer srv(OverGate(gate, /*sync=*/true));
  const int64_t cs = srv.CreateSystem("HR", 1);
  ASSERT_GT(cs, 0);
  Response keyed = srv.Post(TestServer::ProfilesPath(cs), R"({"name":"keyed","runType":"FullImport"})",
                            {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(keyed.status, 201) << keyed.body;

  gate->Arm();
  RawClient held(srv.port());
  ASSERT_TRUE(held.Send(CreateProfileRequest(srv, cs, "held")));
  ASSERT_TRUE(gate->WaitEntered(1));

  const std::string path = TestServer::ProfilesPath(cs);
  Response blank = srv.Post(path, R"({"name":"","runType":"FullImport"})");
  EXPECT_ERROR(blank, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(blank, "name")) << blank.body;
  Response page = srv.Post(path, R"({"name":"p","runType":"FullImport","pageSize":0})");
  EXPECT_ERROR(page, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(page, "pageSize")) << page.body;
  Response typed = srv.Post(path, R"({"name":"t","runType":"Bogus"})");
  EXPECT_ERROR(typed, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(typed, "runType")) << typed.body;
  EXPECT_ERROR(srv.Post(path, R"({"name":)"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv.Post(TestServer::ProfilesPath(cs + 1000), R"({"name":""})"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv.Post(TestServer::ProfilesPath(cs + 1000), R"({"name":)"), 404, "NOT_FOUND");
  // The key was used with another (valid) body: 409 outranks the field errors, as before.
  EXPECT_ERROR(srv.Post(path, R"({"name":""})", {{"Idempotency-Key", "k-1"}}), 409, "CONFLICT");

  EXPECT_EQ(srv.catalog().QueueDepth(), 0u) << "a refused create was queued for the committer";
  EXPECT_FALSE(held.Readable(std::chrono::milliseconds(0))) << "the held create was answered before its sync";
  gate->Release(/*fail=*/false, /*disarm=*/true);
  EXPECT_EQ(held.Receive().status, 201);
}

}  // namespace
}  // namespace jim::http::testing
