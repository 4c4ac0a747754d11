// The PostgreSQL backend's read cache without a database (store/pg_read_cache.h): the version read is a
// function the test controls, so the orders that matter (a request arriving while a read is in flight, a
// load overlapping a write) are forced with latches and promises, not timing. Its use against a real
// cluster, two nodes on one database, is in tests/contract/pg_catalog_test.cpp.
#include "store/pg_read_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace jim::store::pg {
namespace {

// A database whose version the test sets; each read can be held until the test lets it answer.
struct FakeVersion {
  std::atomic<int64_t> version{1};
  std::atomic<int64_t> keys{1};
  std::atomic<int> reads{0};
  Versions operator()() {
    ++reads;
    return {version.load(), keys.load()};
  }
};

// A database whose first version read is held until the test lets it answer; read n answers `answer(n)`.
struct FirstReadHeld {
  explicit FirstReadHeld(std::function<int64_t(int)> answer) : answer(std::move(answer)) {}
  Versions operator()() {
    const int n = ++reads;
    if (n == 1) {
      entered.set_value();
      let_answer.get_future().wait();
    }
    return {answer(n), 1};
  }
  std::function<int64_t(int)> answer;
  std::promise<void> entered, let_answer;
  std::atomic<int> reads{0};
};

// What PgCatalog::RunProfileListVersion makes of a validation: the version, or 0 when it failed.
uint64_t RunProfileListVersionLike(ReadCache& cache) {
  auto version = cache.Validate();
  return version.ok() ? static_cast<uint64_t>(version->catalog) : 0;
}

TEST(PgReadCache, OneRequestReadsTheVersionOnceWhateverItReadsAndAgainAfterItsOwnWrite) {
  FakeVersion db;
  ReadCache cache([&] { return db(); });
  ReadCache::Table<int, std::string> table(cache);
  int loads = 0;
  auto load = [&] {
    ++loads;
    return std::string("v") + std::to_string(db.version.load());
  };
  {
    auto scope = cache.BeginRequest();
    EXPECT_EQ(table.Get(1, load).value(), "v1");
    EXPECT_EQ(table.Get(1, load).value(), "v1");
    EXPECT_EQ(table.Get(2, load).value(), "v1");
    EXPECT_EQ(db.reads, 1) << "one version read for the whole request";
    EXPECT_EQ(loads, 2) << "key 1 the second time from memory";
    db.version = 2;  // this request's own write (the store calls AfterWrite when Transact returns)
    cache.AfterWrite();
    EXPECT_EQ(table.Get(1, load).value(), "v2") << "a request reads its own write";
    EXPECT_EQ(db.reads, 2);
  }
  {
    auto scope = cache.BeginRequest();
    EXPECT_EQ(table.Get(1, load).value(), "v2");
    EXPECT_EQ(db.reads, 3) << "every request validates";
    EXPECT_EQ(loads, 3) << "unchanged version: from memory";
  }
  // Without a scope every read validates on its own.
  EXPECT_EQ(table.Get(1, load).value(), "v2");
  EXPECT_EQ(table.Get(1, load).value(), "v2");
  EXPECT_EQ(db.reads, 5);
  EXPECT_EQ(loads, 3);
}

// The rule that makes it linearisable: a read already in flight when a request arrives may have been answered
// before a write the request must see; the request waits for the next read.
TEST(PgReadCache, ARequestArrivingWhileAReadIsInFlightWaitsForTheNextRead) {
  FirstReadHeld db([](int n) { return n; });  // the version the database has when read n answers
  ReadCache cache([&] { return db(); });
  std::promise<int64_t> early_seen;
  std::thread early([&] {
    auto scope = cache.BeginRequest();
    early_seen.set_value(cache.Validate().value().catalog);
  });
  db.entered.get_future().wait();  // read 1 is in flight (its answer may predate what comes next)
  std::promise<int64_t> late_seen;
  std::thread late([&] {
    auto scope = cache.BeginRequest();  // arrives now: read 1 started before it
    late_seen.set_value(cache.Validate().value().catalog);
  });
  db.let_answer.set_value();
  early.join();
  late.join();
  EXPECT_EQ(early_seen.get_future().get(), 1);
  EXPECT_EQ(late_seen.get_future().get(), 2) << "served by the read that was in flight when it arrived";
  EXPECT_EQ(db.reads, 2);
}

// Group commit for reads: every request that arrives while one read is in flight shares ONE next read,
// whatever order the threads run in (each one's ticket is read 2, and read 2 answers them all).
TEST(PgReadCache, RequestsArrivingDuringOneReadShareOneNextRead) {
  constexpr int kRequests = 16;
  FirstReadHeld db([](int) { return 7; });
  ReadCache cache([&] { return db(); });
  std::thread first([&] { (void)cache.Validate(); });
  db.entered.get_future().wait();
  std::latch arrived(kRequests + 1);
  std::vector<std::thread> requests;
  for (int i = 0; i < kRequests; ++i) {
    requests.emplace_back([&] {
      auto scope = cache.BeginRequest();
      arrived.count_down();
      EXPECT_EQ(cache.Validate().value().catalog, 7);
      EXPECT_EQ(cache.Validate().value().catalog, 7);  // the scope remembers: no read of its own
    });
  }
  arrived.arrive_and_wait();  // every request arrived while read 1 was in flight
  db.let_answer.set_value();
  first.join();
  for (auto& t : requests) t.join();
  EXPECT_EQ(db.reads, 2) << "one read for " << kRequests << " requests";
  EXPECT_EQ(cache.VersionReads(), 2u);
}

TEST(PgReadCache, AMovedVersionDropsWhatWasKeptAndALoadThatOverlappedAWriteIsNotKept) {
  FakeVersion db;
  ReadCache cache([&] { return db(); });
  ReadCache::Table<int, std::string> table(cache);
  std::string row = "old";
  int loads = 0;
  EXPECT_EQ(table.Get(1, [&] { return ++loads, row; }).value(), "old");
  row = "new";
  db.version = 2;
  EXPECT_EQ(table.Get(1, [&] { return ++loads, row; }).value(), "new") << "the version moved: read again";
  EXPECT_EQ(loads, 2);
  // A load that read the row before a write, while another request validated the write's version: what it
  // read is answered (it started after its request arrived) but not kept under the newer version.
  EXPECT_EQ(table.Get(2,
                      [&] {
                        ++loads;
                        const std::string before = row;
                        row = "newer";
                        db.version = 3;
                        std::thread([&] { (void)cache.Validate(); }).join();  // another request sees version 3
                        return before;
                      })
                .value(),
            "new");
  EXPECT_EQ(table.Get(2, [&] { return ++loads, row; }).value(), "newer") << "the overlapping load was not kept";
  EXPECT_EQ(loads, 4);
}

// Each part is dropped by its own version only: a write that changes no key (the catalog version moves) keeps
// the keys, a change of a key (both move, as a write group raises the catalog version too) drops them, and a
// key load that overlapped a change of keys is answered but not kept.
TEST(PgReadCache, EachPartIsDroppedByItsOwnVersionOnly) {
  FakeVersion db;
  ReadCache cache([&] { return db(); });
  ReadCache::Table<int, std::string> catalog(cache);
  ReadCache::Table<int, std::string> keys(cache, nullptr, nullptr, Part::kKeys);
  int catalog_loads = 0, key_loads = 0;
  auto load_catalog = [&] { return ++catalog_loads, std::string("c"); };
  auto load_key = [&] { return ++key_loads, std::string("k"); };
  (void)catalog.Get(1, load_catalog);
  (void)keys.Get(1, load_key);
  db.version = 2;  // a create: no key changed
  (void)catalog.Get(1, load_catalog);
  (void)keys.Get(1, load_key);
  EXPECT_EQ(catalog_loads, 2) << "the catalog moved: read again";
  EXPECT_EQ(key_loads, 1) << "the keys did not: from memory";
  db.version = 3;  // a revoke: both move
  db.keys = 2;
  (void)keys.Get(1, load_key);
  (void)catalog.Get(1, load_catalog);
  EXPECT_EQ(key_loads, 2);
  EXPECT_EQ(catalog_loads, 3);
  db.keys = 3;
  (void)catalog.Get(1, load_catalog);  // only the keys moved: the catalog stays
  EXPECT_EQ(catalog_loads, 3);
  EXPECT_EQ(keys.Get(2,
                     [&] {
                       ++key_loads;
                       db.keys = 4;  // a key changes while this one is read
                       std::thread([&] { (void)cache.Validate(); }).join();
                       return std::string("before");
                     })
                .value(),
            "before");
  EXPECT_EQ(keys.Get(2, load_key).value(), "k") << "the overlapping key load was not kept";
  EXPECT_EQ(key_loads, 4);
  EXPECT_EQ(catalog.Get(1, load_catalog).value(), "c");
  EXPECT_EQ(catalog_loads, 3) << "the catalog did not move";
}

TEST(PgReadCache, AFailedReadFailsEveryRequestWaitingForItAndTheNextRequestReadsAgain) {
  std::atomic<bool> down{true};
  std::atomic<int> reads{0};
  ReadCache cache([&]() -> core::Result<Versions> {
    ++reads;
    if (down) return core::CannotReachStore("connection refused");
    return Versions{1, 1};
  });
  {
    auto scope = cache.BeginRequest();
    auto failed = cache.Validate();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, core::ErrorCode::kUnavailable);
    EXPECT_EQ(failed.error().detail, "connection refused");
  }
  down = false;
  auto scope = cache.BeginRequest();
  EXPECT_EQ(cache.Validate().value().catalog, 1);
  EXPECT_EQ(reads, 2);
}

// The database goes away after a value was kept: the request gets the version read's error, not the kept value
// (another node may have changed it), and the load is not even tried. Back at the same version, memory serves.
TEST(PgReadCache, AFailedVersionReadAnswersItsErrorNotWhatWasKept) {
  std::atomic<bool> down{false};
  ReadCache cache([&]() -> core::Result<Versions> {
    if (down) return core::CannotReachStore("server closed the connection");
    return Versions{1, 1};
  });
  ReadCache::Table<int, std::string> table(cache);
  int loads = 0;
  auto load = [&] { return ++loads, std::string("kept"); };
  EXPECT_EQ(table.Get(1, load).value(), "kept");
  down = true;
  {
    auto scope = cache.BeginRequest();
    auto r = table.Get(1, load);
    ASSERT_FALSE(r.ok()) << "served " << r.value() << " without a version read";
    EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
    EXPECT_EQ(RunProfileListVersionLike(cache), 0) << "no number to keep a rendering under";
  }
  EXPECT_EQ(loads, 1);
  down = false;
  auto scope = cache.BeginRequest();
  EXPECT_EQ(table.Get(1, load).value(), "kept");
  EXPECT_EQ(loads, 1) << "the same version: from memory";
}

// A load that failed (the version read worked, the row read did not) is answered and never kept: the next
// request loads again instead of being served the error, or nothing, from memory.
TEST(PgReadCache, AFailedLoadIsAnsweredAndNotKept) {
  ReadCache cache([]() -> core::Result<Versions> { return Versions{1, 1}; });
  ReadCache::Table<int, std::optional<std::string>> table(cache);
  int loads = 0;
  auto failing = [&]() -> core::Result<std::optional<std::string>> {
    ++loads;
    return core::CannotReachStore("statement timeout");
  };
  auto working = [&]() -> core::Result<std::optional<std::string>> {
    ++loads;
    return std::optional<std::string>("row");
  };
  EXPECT_FALSE(table.Get(1, failing).ok());
  EXPECT_EQ(table.Get(1, working).value(), "row") << "the failure was not kept";
  EXPECT_EQ(table.Get(1, failing).value(), "row") << "the value was";
  EXPECT_EQ(loads, 2);
}

// Whatever the version read throws becomes an error for every waiter, and the gate stays usable (a throw that
// escaped would leave the next request waiting for a read nobody finishes).
TEST(PgReadCache, AVersionReadThatThrowsIsAnErrorAndTheGateStaysUsable) {
  std::atomic<int> reads{0};
  ReadCache cache([&]() -> core::Result<Versions> {
    if (++reads == 1) throw std::runtime_error("bad row");
    return Versions{4, 1};
  });
  auto thrown = cache.Validate();
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, core::ErrorCode::kInternal);
  EXPECT_EQ(thrown.error().detail, "bad row");
  EXPECT_EQ(cache.Validate().value().catalog, 4);
}

TEST(PgReadCache, KeptItemsAreBoundedAndValuesAKeepRuleRefusesAreNotKept) {
  FakeVersion db;
  ReadCache cache([&] { return db(); }, /*max_items=*/3);
  ReadCache::Table<int, std::vector<int>> lists(cache, [](const std::vector<int>& v) { return v.size() + 1; });
  ReadCache::Table<int, std::optional<int>> found(cache, nullptr,
                                                  [](const std::optional<int>& v) { return v.has_value(); });
  int loads = 0;
  auto scope = cache.BeginRequest();
  (void)lists.Get(1, [&] { return ++loads, std::vector<int>{1, 2, 3}; });  // 4 items: more than the bound
  (void)lists.Get(1, [&] { return ++loads, std::vector<int>{1, 2, 3}; });
  EXPECT_EQ(loads, 2) << "never kept";
  (void)found.Get(1, [&] { return ++loads, std::optional<int>(); });
  (void)found.Get(1, [&] { return ++loads, std::optional<int>(); });
  EXPECT_EQ(loads, 4) << "absent values refused by the keep rule";
  (void)found.Get(2, [&] { return ++loads, std::optional<int>(2); });
  (void)found.Get(2, [&] { return ++loads, std::optional<int>(2); });
  EXPECT_EQ(loads, 5);
}

}  // namespace
}  // namespace jim::store::pg
