#include <gtest/gtest.h>

#include "store/codec.h"
#include "store/key_schema.h"

namespace jim::store {
namespace {

template <class T>
T RoundTrip(const T& in) {
  std::string bytes;
  codec::Encode(in, &bytes);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), codec::kFormatV1);
  T out;
  EXPECT_TRUE(codec::Decode(bytes, &out));
  return out;
}

TEST(Codec, EveryEntityRoundTrips) {
  core::ConnectorDefinition cd{7, "JIM LDAP Connector", "ldap", true, 1, 2, {}};
  cd.capabilities.full_import = cd.capabilities.password_policy_discovery = cd.capabilities.export_ = true;
  EXPECT_EQ(RoundTrip(cd), cd);

  core::ConnectedSystem cs{9, "HR", "the HR system", 3, -5, 1'700'000'000'000};
  EXPECT_EQ(RoundTrip(cs), cs);

  core::Partition pt{11, 9, "OU=People", std::string("ext-1"), false};
  EXPECT_EQ(RoundTrip(pt), pt);
  pt.external_id.reset();
  EXPECT_EQ(RoundTrip(pt), pt);

  core::RunProfile rp;
  rp.id = 1LL << 40;
  rp.connected_system_id = 9;
  rp.name = "Full import \xE2\x9C\x93";
  rp.run_type = core::RunType::kExport;
  rp.page_size = 10000;
  rp.partition_id = 11;
  rp.file_path = "";
  rp.verify_import_content_hashes = true;
  rp.revision = 42;
  EXPECT_EQ(RoundTrip(rp), rp);

  core::ApiKey ak;
  ak.id = "7a1c0f6e-0000-4000-8000-000000000001";
  ak.name = "ops";
  ak.digest_hex = std::string(64, 'a');
  ak.key_prefix = "jim_ak_01234";
  ak.expires_at = 5;
  ak.role_ids = {1, 2};
  ak.infrastructure = true;
  EXPECT_EQ(RoundTrip(ak), ak);

  core::Activity act;
  act.id = "u";
  act.target_type = core::TargetType::kPartition;
  act.operation = core::OperationType::kDelete;
  act.target_context = "ctx";
  act.connected_system_id = 3;
  act.run_profile_id = 4;
  EXPECT_EQ(RoundTrip(act), act);

  core::IdempotencyRecord idem{"k", "h", 201, "{\"id\":1}", "http://x/1", 99, std::nullopt};
  EXPECT_EQ(RoundTrip(idem), idem);

  core::IdempotencyRecord kept{"k", "h", 0, "", "", 99, std::nullopt};
  kept.profile = core::RunProfileView{};
  kept.profile->profile.id = 12;
  kept.profile->profile.connected_system_id = 3;
  kept.profile->profile.name = "Full Import";
  kept.profile->profile.partition_id = 4;
  kept.profile->partition_name = "OU=People";
  kept.profile->targets_deselected_partition = true;
  EXPECT_EQ(RoundTrip(kept), kept);
}

TEST(Codec, AnIdempotencyRecordOfTheFirstEncodingStillDecodes) {
  // The first encoding ended after `created`; the current one appends the profile's presence flag.
  core::IdempotencyRecord old{"k", "h", 201, "{\"id\":1}", "/api/v1/x/1", 99, std::nullopt};
  std::string bytes;
  codec::Encode(old, &bytes);
  ASSERT_EQ(bytes.back(), 0);  // "no profile"
  bytes.pop_back();
  core::IdempotencyRecord out;
  ASSERT_TRUE(codec::Decode(bytes, &out));
  EXPECT_EQ(out, old);
  EXPECT_FALSE(out.profile);

  core::IdempotencyRecord kept{"k", "h", 0, "", "", 99, std::nullopt};
  kept.profile = core::RunProfileView{};
  kept.profile->profile.name = "x";
  codec::Encode(kept, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    core::IdempotencyRecord partial;
    // Only the cut right after `created` is a valid (first-encoding) record.
    const bool valid = codec::Decode(bytes.substr(0, n), &partial);
    if (valid) {
      EXPECT_FALSE(partial.profile) << n;
    }
  }
  EXPECT_FALSE(codec::Decode(bytes + "x", &out));
}

TEST(Codec, RejectsUnknownVersionTruncationAndTrailingBytes) {
  core::ConnectedSystem cs{9, "HR", "the HR system", 3, 1, 2};
  std::string bytes;
  codec::Encode(cs, &bytes);
  core::ConnectedSystem out;

  std::string v2 = bytes;
  v2[0] = 2;
  EXPECT_FALSE(codec::Decode(v2, &out));
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(codec::Decode(bytes.substr(0, n), &out)) << n;
  EXPECT_FALSE(codec::Decode(bytes + "x", &out));
  EXPECT_TRUE(codec::Decode(bytes, &out));
}

TEST(Codec, RejectsOutOfRangeEnums) {
  core::RunProfile rp;
  rp.name = "n";
  std::string bytes;
  codec::Encode(rp, &bytes);
  // id, cs, name length, 'n', then the run type byte.
  const size_t type_at = 1 + 1 + 1 + 1 + 1;
  ASSERT_EQ(static_cast<uint8_t>(bytes[type_at]), 1);
  core::RunProfile out;
  bytes[type_at] = 0;
  EXPECT_FALSE(codec::Decode(bytes, &out));
  bytes[type_at] = 6;
  EXPECT_FALSE(codec::Decode(bytes, &out));
}

TEST(Codec, ConfigVersionRoundTripsAndActivitiesGainTheirVersionCompatibly) {
  core::ConfigVersion v;
  v.object_type = core::ConfigObjectType::kApiKey;
  v.object_key = "7a1c0f6e-0000-4000-8000-000000000001";
  v.version = 33;
  v.activity_id = "a";
  v.operation = core::OperationType::kDelete;
  v.when = 1'700'000'000'000;
  v.initiated_by_type = "ApiKey";
  v.reason = "why";
  v.summary = "API key deleted";
  v.is_checkpoint = false;
  v.checkpoint_version = 21;
  v.checkpoint_bytes = 9000;
  v.delta_bytes = 4321;
  v.payload = std::string("\x01\x00\xff", 3);
  EXPECT_EQ(RoundTrip(v), v);
  {
    // The cvh/ head: the version and the totals the next writer spaces checkpoints by.
    const core::ConfigHead head = core::HeadOf(v);
    std::string head_bytes;
    codec::Encode(head, &head_bytes);
    core::ConfigHead head_out;
    ASSERT_TRUE(codec::Decode(head_bytes, &head_out));
    EXPECT_EQ(head_out, head);
    EXPECT_FALSE(codec::Decode(head_bytes.substr(0, head_bytes.size() - 1), &head_out));
  }
  std::string bytes;
  codec::Encode(v, &bytes);
  core::ConfigVersion out;
  EXPECT_FALSE(codec::Decode(bytes.substr(0, bytes.size() - 1), &out));
  EXPECT_FALSE(codec::Decode(bytes + "x", &out));

  // An activity written before configuration versions existed (with and without a reason) decodes as it
  // was; one with a version keeps the older bytes as its prefix.
  core::Activity a;
  a.id = "x";
  a.target_type = core::TargetType::kConnectedSystem;
  std::string old_bytes;
  codec::Encode(a, &old_bytes);
  a.configuration_change_version = 4;
  std::string with_version;
  codec::Encode(a, &with_version);
  EXPECT_EQ(with_version.substr(0, old_bytes.size()), old_bytes);
  EXPECT_EQ(RoundTrip(a), a);
  a.change_reason = "r";
  EXPECT_EQ(RoundTrip(a), a);
  a.configuration_change_version.reset();
  EXPECT_EQ(RoundTrip(a), a);
}

TEST(Codec, IntAndText) {
  std::string b;
  codec::EncodeInt(-3, &b);
  int64_t v = 0;
  ASSERT_TRUE(codec::DecodeInt(b, &v));
  EXPECT_EQ(v, -3);
  EXPECT_FALSE(codec::DecodeInt(b.substr(0, 8), &v));
  codec::EncodeText("uuid", &b);
  std::string t;
  ASSERT_TRUE(codec::DecodeText(b, &t));
  EXPECT_EQ(t, "uuid");
}

TEST(KeySchema, BigEndianKeysSortByIdAndBoundsStayInPrefix) {
  EXPECT_LT(keys::RunProfileKey(1, 255).view(), keys::RunProfileKey(1, 256).view());
  EXPECT_LT(keys::RunProfileKey(1, 1LL << 40).view(), keys::RunProfileKey(2, 1).view());
  const std::string upper = keys::PrefixUpperBound(keys::RunProfilePrefix(1).view());
  EXPECT_LT(keys::RunProfileKey(1, INT64_MAX).view(), upper);
  EXPECT_GE(keys::RunProfileKey(2, 0).view(), upper);
  EXPECT_EQ(keys::PrefixUpperBound("a\xff"), "b");
  EXPECT_EQ(keys::PrefixUpperBound("act/"), "act0");
  EXPECT_LT(std::string("act0"), std::string(keys::kActivityId));  // actx/ is outside act/'s bound
  EXPECT_LE(keys::CounterKey(keys::CounterKind::kActivitiesPerSystemType, 1, 2).size(), 15u);
}

}  // namespace
}  // namespace jim::store
