// The wire side of the create path: parse + validate of the body, and writing a run profile as JSON.
#include <benchmark/benchmark.h>

#include <string>

#include "http/json_writer.h"
#include "http/request_parsers.h"
#include "http/serializers.h"

namespace {

using namespace jim;

const std::string kCreateBody =
    R"({"name":"Full import of the HR directory","runType":"FullImport","pageSize":500,)"
    R"("filePath":"/data/hr/export.csv","verifyImportContentHashes":true})";

void BM_ParseCreateRunProfile(benchmark::State& state) {
  std::string body;
  for (auto _ : state) {
    body = kCreateBody;  // the parser may pad the body in place, as it does with a request's body
    core::CreateRunProfileInput in;
    core::FieldErrors errors = http::ParseCreateRunProfile(body, in);
    benchmark::DoNotOptimize(errors);
    benchmark::DoNotOptimize(in);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCreateBody.size()));
}
BENCHMARK(BM_ParseCreateRunProfile);

void BM_ParseCreateRunProfileInvalid(benchmark::State& state) {
  const std::string bad = R"({"name":"","runType":"Sideways","pageSize":"500","bogus":1})";
  std::string body;
  for (auto _ : state) {
    body = bad;
    core::CreateRunProfileInput in;
    core::FieldErrors errors = http::ParseCreateRunProfile(body, in);
    benchmark::DoNotOptimize(errors);
    benchmark::DoNotOptimize(in);
  }
}
BENCHMARK(BM_ParseCreateRunProfileInvalid);

core::RunProfileView SampleView() {
  core::RunProfileView v;
  v.profile.id = 123456;
  v.profile.connected_system_id = 42;
  v.profile.name = "Full import of the HR directory";
  v.profile.run_type = core::RunType::kFullImport;
  v.profile.page_size = 500;
  v.profile.partition_id = 7;
  v.profile.file_path = "/data/hr/export.csv";
  v.profile.verify_import_content_hashes = true;
  v.partition_name = "OU=People,DC=example,DC=org";
  return v;
}

void BM_WriteRunProfile(benchmark::State& state) {
  const core::RunProfileView v = SampleView();
  std::string out;
  for (auto _ : state) {
    out = http::RenderOne(v, http::WriteRunProfile);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_WriteRunProfile);

// A list response: the array of N profiles.
void BM_WriteRunProfileArray(benchmark::State& state) {
  std::vector<core::RunProfileView> views(static_cast<size_t>(state.range(0)), SampleView());
  for (auto _ : state) {
    std::string out = http::RenderArray(views, http::WriteRunProfile);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WriteRunProfileArray)->Arg(10)->Arg(1000);

}  // namespace
