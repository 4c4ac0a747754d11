// A deterministic mutation fuzz of the create and update run-profile bodies against the running
// server: every answer is a 2xx or a 4xx envelope (checked by TestServer::Send), never a 5xx, and the
// server stays up.
#include <gtest/gtest.h>

#include <random>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

const std::vector<std::string> kSeeds = {
    R"J({"name":"Full Import","runType":"FullImport","pageSize":500,"partitionId":1,"filePath":"/data/x.csv","verifyImportContentHashes":true})J",
    R"J({"name": "Delta Import", "runType": "DeltaImport"})J",
    R"J({"Name":"Import (Users Partition)","RUNTYPE":"deltaimport","pageSize":"500","partitionId":"1"})J",
    R"J({"name":"\u00e9\ud83d\ude00 \"quoted\" \\ \/ \b\f\n\r\t","runType":"Export","filePath":null})J",
};

const std::vector<std::string> kInsertions = {
    "\"", "{", "}", "[", "]", ",", ":", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", std::string(1, '\0'), "\x7f",
    "\xF0\x9F\x98\x80", "\xC3\x28", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xC0\xAF", "null", "true",
    "-", "0", "1e400", "-0", "99999999999999999999999999", "-9223372036854775809", "9223372036854775807",
    "18446744073709551616", "1.7976931348623157e309", "\"name\":\"dup\",", "\"NAME\":\"dup\",",
    "\"runType\":\"FullImport\",", "\"pageSize\":1e2,", "\"pageSize\":\"0x10\",", "\"partitionId\":-1,",
    "\"partitionId\":9223372036854775807,", "\"x\":{\"y\":[[[[[[[[[[]]]]]]]]]]},", " ", "\t", "\n", "/*", "*/",
    std::string(300, 'a'), std::string(600, '['),
};

std::string Mutate(std::mt19937& rng, std::string body) {
  const int rounds = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < rounds; ++i) {
    const size_t pos = body.empty() ? 0 : rng() % (body.size() + 1);
    switch (rng() % 7) {
      case 0:  // flip one bit
        if (!body.empty()) body[pos % body.size()] = static_cast<char>(body[pos % body.size()] ^ (1 << (rng() % 8)));
        break;
      case 1:  // truncate
        body.resize(pos);
        break;
      case 2:  // insert a token
      case 3:
        body.insert(pos, kInsertions[rng() % kInsertions.size()]);
        break;
      case 4:  // delete a span
        body.erase(pos, 1 + rng() % 8);
        break;
      case 5: {  // duplicate a span (duplicated keys, repeated members)
        const size_t len = 1 + rng() % 40;
        if (pos < body.size()) body.insert(pos, body.substr(pos, len));
        break;
      }
      case 6:  // replace a byte with a random one
        if (!body.empty()) body[pos % body.size()] = static_cast<char>(rng() & 0xFF);
        break;
    }
  }
  return body;
}

class FuzzTest : public ApiTest {
 protected:
  TestServerOptions Options() override {
    TestServerOptions o;
    o.max_body_bytes = 16384;
    return o;
  }
};

TEST_F(FuzzTest, MutatedBodiesAreAnswered2xxOr4xxNeverWith5xx) {
  ASSERT_EQ(srv().CreateSystem("LDAP", 1), 1);
  ASSERT_EQ(srv().CreatePartition(1, "Users"), 1);
  const int64_t target = srv().CreateProfile(1, R"({"name":"target","runType":"FullImport"})");
  std::mt19937 rng(20261128);
  std::map<int, int> by_status;
  int created = 0;
  const int kCreates = 2500, kUpdates = 500;
  for (int i = 0; i < kCreates + kUpdates; ++i) {
    const std::string body = Mutate(rng, kSeeds[rng() % kSeeds.size()]);
    const bool create = i < kCreates;
    auto r = create ? srv().Post(TestServer::ProfilesPath(1), body)
                    : srv().Put(TestServer::ProfilePath(1, target), body);
    ++by_status[r.status];
    const bool ok = (r.status >= 200 && r.status < 300) || (r.status >= 400 && r.status < 500);
    ASSERT_TRUE(ok) << "status " << r.status << " for mutant #" << i << ": " << ::testing::PrintToString(body) << "\n"
                    << r.body;
    if (create && r.status == 201) ++created;
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "mutant #" << i << ": " << ::testing::PrintToString(body);
      break;
    }
  }
  EXPECT_EQ(srv().Get("/api/v1/health", "").status, 200);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), created + 1);
  // The mix is meaningful: some mutants are still valid, most are refused.
  EXPECT_GT(by_status[201], 50) << ::testing::PrintToString(by_status);
  EXPECT_GT(by_status[400], 1000) << ::testing::PrintToString(by_status);
}

}  // namespace
}  // namespace jim::http::testing
