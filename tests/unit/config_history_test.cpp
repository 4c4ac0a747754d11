// The configuration history's delta storage: folding the stored deltas onto their checkpoint must give
// exactly the snapshot built from the entities, for random sequences of the changes that make versions.
#include <algorithm>
#include <random>

#include "core/config_history.h"
#include "core/config_snapshots.h"
#include "core/config_tree.h"
#include "tests/unit/service_fixture.h"

namespace jim::testing {
namespace {

using core::ConfigNode;
using core::ConfigObjectType;
using core::RunType;

class ConfigHistoryTest : public ServiceTest {
 protected:
  core::ConfigHistoryService& history = services.history;

  // The snapshot of the system as its entities are now (what a checkpoint would hold).
  ConfigNode Expected(core::Id cs) {
    auto system = catalog.GetConnectedSystem(cs).value();
    EXPECT_TRUE(system);
    auto def = catalog.GetConnectorDefinition(system->connector_id).value();
    return core::ConnectedSystemTree(*system, def->name, catalog.ListRunProfiles(cs).value(), catalog.ListPartitions(cs).value());
  }
  core::ConfigObjectRef Ref(core::Id cs) { return {ConfigObjectType::kConnectedSystem, std::to_string(cs)}; }
  int64_t Latest(core::Id cs) {
    return catalog.ListConfigVersions(ConfigObjectType::kConnectedSystem, std::to_string(cs), 0, 1).value().total;
  }
};

TEST(ConfigTreeTest, EncodingRoundTripsAndRefusesDamage) {
  core::RunProfile p;
  p.id = 42;
  p.name = "Full Import \xc3\xa9";
  p.file_path = "/data/x.csv";
  p.partition_id = 7;
  core::ConnectedSystem cs{3, "LDAP", "desc", 1, 0, 0};
  core::Partition pt{7, 3, "Users", std::string("ou=users"), false};
  ConfigNode tree = core::ConnectedSystemTree(cs, std::string("JIM LDAP Connector"), {p}, {pt});
  tree.children[0].is_secret = true;
  tree.children[0].item_guid_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const std::string bytes = core::EncodeTree(tree);
  ConfigNode back;
  ASSERT_TRUE(core::DecodeTree(bytes, &back));
  EXPECT_EQ(back, tree);
  for (size_t cut = 0; cut < bytes.size(); ++cut) EXPECT_FALSE(core::DecodeTree(bytes.substr(0, cut), &back)) << cut;
  EXPECT_FALSE(core::DecodeTree(bytes + "x", &back));
  std::string wrong_version = bytes;
  wrong_version[0] = 2;
  EXPECT_FALSE(core::DecodeTree(wrong_version, &back));
}

TEST(ConfigTreeTest, MakeDeltaThenApplyGivesTheAfterTree) {
  core::ConnectedSystem cs{3, "LDAP", "", 1, 0, 0};
  std::vector<core::RunProfile> before_profiles, after_profiles;
  for (int i = 1; i <= 5; ++i) {
    core::RunProfile p;
    p.id = i;
    p.name = "P" + std::to_string(i);
    before_profiles.push_back(p);
  }
  after_profiles = {before_profiles[0], before_profiles[2], before_profiles[4]};
  after_profiles[1].page_size = 500;
  core::RunProfile added;
  added.id = 9;
  added.name = "New";
  after_profiles.push_back(added);
  ConfigNode before = core::ConnectedSystemTree(cs, std::nullopt, before_profiles, {});
  cs.description = "now described";
  ConfigNode after = core::ConnectedSystemTree(cs, std::nullopt, after_profiles, {});
  ConfigNode delta = core::MakeDelta(before, after);
  // Only what changed: 2 removals, 1 replacement, 1 addition; not the two unchanged profiles.
  const ConfigNode* rps = nullptr;
  for (const auto& c : delta.children)
    if (c.key == "runProfiles") rps = &c;
  ASSERT_TRUE(rps);
  EXPECT_EQ(rps->children.size(), 4u);
  ConfigNode folded = before;
  core::ApplyDelta(folded, delta);
  EXPECT_EQ(folded, after);
  // The diff counts the description added, one page size modified, two profiles removed, one added.
  core::DiffCounts counts;
  core::DiffNode diff = core::DiffTrees(&before, after, &counts);
  EXPECT_EQ(counts.added, 2);
  EXPECT_EQ(counts.removed, 2);
  EXPECT_EQ(counts.modified, 1);
  EXPECT_EQ(diff.change_type, core::ChangeType::kModified);
}

TEST(ConfigTreeTest, SecretsNeverShowTheirValuesInADiff) {
  ConfigNode before = core::EmptyDelta(), after = core::EmptyDelta();
  auto secret = *core::Scalar("password", "Password", "hash-1");
  secret.is_secret = true;
  before.children.push_back(secret);
  secret.value = secret.display_value = "hash-2";
  after.children.push_back(secret);
  core::DiffCounts counts;
  core::DiffNode diff = core::DiffTrees(&before, after, &counts);
  ASSERT_EQ(diff.children.size(), 1u);
  EXPECT_EQ(diff.children[0].change_type, core::ChangeType::kModified);
  EXPECT_FALSE(diff.children[0].old_value);
  EXPECT_FALSE(diff.children[0].new_value);
  EXPECT_EQ(counts.modified, 1);
}

// The point of the design: versions fold to the snapshot the entities give, across checkpoints, for every
// kind of change that makes a version, in random order. Every version is checked again at the end.
// Long runs, some into a system that starts with many profiles, cross several checkpoints at different sizes.
TEST_F(ConfigHistoryTest, FoldedDeltasEqualTheSnapshotOfTheEntities) {
  struct Run {
    uint32_t seed;
    int prefill;  // profiles created first (a version each)
    int steps;
  };
  for (auto [seed, prefill, steps] : std::vector<Run>{{1, 0, 150}, {2, 0, 150}, {3, 0, 600}, {4, 150, 500}}) {
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    const core::Id cs = NewSystem("System " + std::to_string(seed), 1);
    std::vector<ConfigNode> expected{Expected(cs)};
    for (int i = 0; i < prefill; ++i) {
      ASSERT_TRUE(profiles.Create(admin, cs, Profile("Pre" + std::to_string(i), RunType::kFullImport)).ok());
      expected.push_back(Expected(cs));
    }
    int partition_names = 0;
    for (int step = 0; step < steps; ++step) {
      auto profile_list = catalog.ListRunProfiles(cs).value();
      auto partition_list = catalog.ListPartitions(cs).value();
      const size_t op = pick(10);
      bool changed = true;
      if (op <= 2 || profile_list.empty()) {
        auto in = Profile("P" + std::to_string(step), pick(2) ? RunType::kFullImport : RunType::kExport);
        if (!partition_list.empty() && pick(2)) in.partition_id = partition_list[pick(partition_list.size())].id;
        if (pick(3) == 0) in.file_path = "/f/" + std::to_string(step);
        ASSERT_TRUE(profiles.Create(admin, cs, in).ok());
      } else if (op == 3) {
        core::UpdateRunProfileInput in;
        in.page_size = 1 + static_cast<int64_t>(pick(1000));
        if (pick(2)) in.name = "Renamed " + std::to_string(step);
        if (pick(3) == 0) in.file_path = "";
        if (!partition_list.empty() && pick(2)) in.partition_id = partition_list[pick(partition_list.size())].id;
        ASSERT_TRUE(profiles.Update(admin, cs, profile_list[pick(profile_list.size())].id, in).ok());
      } else if (op == 4) {
        ASSERT_TRUE(profiles.Delete(admin, cs, profile_list[pick(profile_list.size())].id, std::nullopt, "tidy").ok());
      } else if (op == 5) {
        core::CreatePartitionInput in;
        in.name = "Part " + std::to_string(++partition_names);
        if (pick(2)) in.external_id = "ou=" + std::to_string(partition_names);
        ASSERT_TRUE(systems.CreatePartition(admin, cs, in).ok());
      } else if (op == 6 && !partition_list.empty()) {
        core::UpdatePartitionInput in;
        in.selected = pick(2) == 0;
        ASSERT_TRUE(systems.UpdatePartition(admin, cs, partition_list[pick(partition_list.size())].id, in).ok());
      } else if (op == 7 && !partition_list.empty()) {
        ASSERT_TRUE(systems.DeletePartition(admin, cs, partition_list[pick(partition_list.size())].id).ok());
      } else if (op == 8) {
        core::UpdateConnectedSystemInput in;
        in.description = pick(3) == 0 ? "" : "Description " + std::to_string(step);
        if (pick(4) == 0) in.name = "System " + std::to_string(seed) + " r" + std::to_string(step);
        in.change_reason = "because";
        ASSERT_TRUE(systems.Update(admin, cs, in).ok());
      } else if (op == 9) {
        // A set apply: keep some, change some, add some; pruning deletes the rest. One version.
        core::RunProfileSetInput set;
        for (const auto& p : profile_list) {
          if (pick(3) == 0) continue;
          auto item = Profile(p.name, p.run_type);
          item.page_size = pick(2) ? p.page_size : 1 + static_cast<int64_t>(pick(500));
          for (const auto& pt : partition_list)
            if (p.partition_id == pt.id) item.partition_id = pt.id;  // a gone partition cannot be named
          item.file_path = p.file_path;
          bool dup = false;
          for (const auto& x : set.run_profiles) dup = dup || x.name == item.name;
          if (!dup) set.run_profiles.push_back(item);
        }
        set.run_profiles.push_back(Profile("Set " + std::to_string(step), RunType::kDeltaSynchronisation));
        set.count = set.run_profiles.size();
        const int64_t before = Latest(cs);
        auto plan = services.profile_sets.Apply(admin, cs, set, {});
        ASSERT_TRUE(plan.ok()) << plan.error().message << (plan.ok() || plan.error().fields.empty() ? "" : plan.error().fields[0].field + ": " + plan.error().fields[0].message);
        EXPECT_EQ(Latest(cs), before + 1);
      } else {
        changed = false;
      }
      if (!changed) continue;
      expected.push_back(Expected(cs));
      {
        // The checkpoint encoder writes exactly the tree the builders make.
        auto system = catalog.GetConnectedSystem(cs).value();
        ConfigNode streamed;
        ASSERT_TRUE(core::DecodeTree(core::EncodeConnectedSystemTree(*system, std::string("JIM LDAP Connector"),
                                                                     catalog.ListRunProfiles(cs).value(),
                                                                     catalog.ListPartitions(cs).value()),
                                     &streamed));
        ASSERT_EQ(streamed, expected.back()) << "step " << step;
      }
      ASSERT_EQ(Latest(cs), static_cast<int64_t>(expected.size())) << "step " << step;
      auto got = history.Get(Ref(cs), Latest(cs));
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got->snapshot, expected.back()) << "seed " << seed << " step " << step << " op " << op;
    }
    ASSERT_GT(expected.size(), 100u);
    for (size_t v = 1; v <= expected.size(); ++v) {
      auto got = history.Get(Ref(cs), static_cast<int64_t>(v));
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(got->snapshot, expected[v - 1]) << "version " << v;
    }
    // The records follow the byte rule: each names its checkpoint and carries the running totals.
    const auto all = catalog.ConfigVersionRange(ConfigObjectType::kConnectedSystem, std::to_string(cs), 1,
                                                static_cast<int64_t>(expected.size())).value();
    ASSERT_EQ(all.size(), expected.size());
    int checkpoints = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      const auto& r = all[i];
      SCOPED_TRACE("seed " + std::to_string(seed) + " version " + std::to_string(r.version));
      if (i == 0) {
        EXPECT_TRUE(r.is_checkpoint);
      }
      if (r.is_checkpoint) {
        ++checkpoints;
        EXPECT_EQ(r.checkpoint_version, r.version);
        EXPECT_EQ(r.checkpoint_bytes, static_cast<int64_t>(r.payload.size()));
        EXPECT_EQ(r.delta_bytes, 0);
      } else {
        EXPECT_EQ(r.checkpoint_version, all[i - 1].checkpoint_version);
        EXPECT_EQ(r.delta_bytes, all[i - 1].delta_bytes + static_cast<int64_t>(r.payload.size()));
        EXPECT_LT(r.delta_bytes, std::max(r.checkpoint_bytes, core::kCheckpointFloorBytes));  // the read bound
      }
    }
    EXPECT_GE(checkpoints, 3) << "seed " << seed;
    // Compare folds both ends the same way, also across checkpoint windows and backwards.
    for (auto [from, to] : std::vector<std::pair<int64_t, int64_t>>{{1, 100}, {40, 45}, {90, 3}}) {
      auto cmp = history.Compare(Ref(cs), std::to_string(from), std::to_string(to));
      ASSERT_TRUE(cmp.ok());
      core::DiffCounts counts;
      core::DiffTrees(&expected[from - 1], expected[to - 1], &counts);
      EXPECT_EQ(cmp->counts.added, counts.added);
      EXPECT_EQ(cmp->counts.removed, counts.removed);
      EXPECT_EQ(cmp->counts.modified, counts.modified);
    }
  }
}

TEST_F(ConfigHistoryTest, AVersionStoresOnlyItsDelta) {
  const core::Id cs = NewSystem("Big", 1);
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(profiles.Create(admin, cs, Profile("P" + std::to_string(i), RunType::kExport)).ok());
  auto page = catalog.ListConfigVersions(ConfigObjectType::kConnectedSystem, std::to_string(cs), 0, 401).value();
  ASSERT_EQ(page.total, 401);
  ASSERT_EQ(page.items.size(), 401u);
  size_t largest_delta = 0, checkpoint = 0;
  int64_t delta_bytes = 0, checkpoint_bytes_but_newest = 0;
  for (const auto& r : page.items) {  // newest first
    if (r.is_checkpoint) {
      if (checkpoint) checkpoint_bytes_but_newest += static_cast<int64_t>(r.payload.size());
      checkpoint = std::max(checkpoint, r.payload.size());
    } else {
      largest_delta = std::max(largest_delta, r.payload.size());
      delta_bytes += static_cast<int64_t>(r.payload.size());
    }
  }
  EXPECT_LT(largest_delta, 300u);             // one run-profile node
  EXPECT_GT(checkpoint, 25 * largest_delta);  // a late checkpoint holds hundreds of profiles
  // Each checkpoint is paid for by at least its predecessor's size in deltas: the whole system is read
  // and written O(delta bytes) in total, not once per N versions.
  EXPECT_LE(checkpoint_bytes_but_newest, delta_bytes);
}

TEST_F(ConfigHistoryTest, ActivitiesCarryTheVersionAndHistorySurvivesTheDelete) {
  const core::Id cs = NewSystem("Gone", 1);
  auto p = profiles.Create(admin, cs, Profile("Full", RunType::kFullImport));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(systems.Delete(admin, cs).ok());
  auto acts = catalog.ListActivities({cs, std::nullopt, 0, 10}).value();
  ASSERT_EQ(acts.items.size(), 3u);
  EXPECT_EQ(acts.items[0].configuration_change_version, 3);  // newest first: the delete
  EXPECT_EQ(acts.items[1].configuration_change_version, 2);
  EXPECT_EQ(acts.items[2].configuration_change_version, 1);
  auto last = history.Get(Ref(cs), 3);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->record.operation, core::OperationType::kDelete);
  EXPECT_EQ(core::ObjectNameOf(last->snapshot), "Gone");
  EXPECT_FALSE(last->counts.added + last->counts.removed + last->counts.modified);
  auto list = history.List(Ref(cs), {});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 3);
  EXPECT_EQ(list->items[0].version, 3);
  EXPECT_FALSE(history.Get(Ref(cs), 4).ok());
  EXPECT_EQ(history.Get(Ref(cs), 4).error().code, core::ErrorCode::kNotFound);
}

TEST_F(ConfigHistoryTest, ApiKeySnapshotsHoldNoSecret) {
  core::CreateApiKeyInput in;
  in.name = "ci";
  in.role_ids = std::vector<int64_t>{1};
  in.change_reason = "for the pipeline";
  auto created = keys.Create(admin, in);
  ASSERT_TRUE(created.ok());
  auto v1 = history.Get({ConfigObjectType::kApiKey, created->key.id}, 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->record.reason, "for the pipeline");
  const std::string bytes = core::EncodeTree(v1->snapshot);
  EXPECT_EQ(bytes.find(created->key.digest_hex), std::string::npos);
  EXPECT_EQ(bytes.find(created->plaintext.substr(7, 20)), std::string::npos);
  EXPECT_EQ(bytes.find(created->key.key_prefix), std::string::npos);
}

TEST_F(ConfigHistoryTest, ChangeReasonLongerThan2000IsRefused) {
  core::CreateConnectedSystemInput in;
  in.name = "X";
  in.connector_definition_id = 1;
  in.change_reason = std::string(2001, 'r');
  auto r = systems.Create(admin, in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "changeReason"));
  core::CreateApiKeyInput key;
  key.name = "k";
  key.role_ids = std::vector<int64_t>{1};
  key.change_reason = std::string(2001, 'r');
  auto k = keys.Create(admin, key);
  ASSERT_FALSE(k.ok());
  EXPECT_TRUE(HasField(k.error(), "changeReason"));
}

TEST_F(ConfigHistoryTest, BadCompareParametersAreFieldErrors) {
  const core::Id cs = NewSystem("C", 1);
  auto r = history.Compare(Ref(cs), std::nullopt, std::string("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "fromVersion"));
  EXPECT_TRUE(HasField(r.error(), "toVersion"));
  auto missing = history.Compare(Ref(cs), std::string("1"), std::string("2"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace jim::testing
