// The snapshot trees of the object kinds with a configuration history, built from the entities (pure).
// The write path builds single nodes (one run profile, one partition) for its deltas; the checkpoint and
// the tests build whole trees. Both must agree: the unit tests fold deltas and compare with these.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_tree.h"
#include "core/entities.h"

namespace jim::core {

inline constexpr std::string_view kRunProfilesKey = "runProfiles";
inline constexpr std::string_view kRunProfilesLabel = "Run Profiles";
inline constexpr std::string_view kPartitionsKey = "partitions";
inline constexpr std::string_view kPartitionsLabel = "Partitions";

const char* ConfigObjectTypeName(ConfigObjectType t);

// `partition_name`: the name of the partition the profile targets, when it exists (the display value).
ConfigNode RunProfileNode(const RunProfile& p, const std::optional<std::string>& partition_name);
ConfigNode PartitionNode(const Partition& p);
// The root with the system's own settings only (no collections): a system update's delta.
ConfigNode ConnectedSystemSettings(const ConnectedSystem& cs, const std::optional<std::string>& connector_name);
ConfigNode ConnectedSystemTree(const ConnectedSystem& cs, const std::optional<std::string>& connector_name,
                               const std::vector<RunProfile>& profiles, const std::vector<Partition>& partitions);
// EncodeTree(ConnectedSystemTree(...)) without building the tree: what a checkpoint stores. Its field list
// mirrors RunProfileNode, PartitionNode and ConnectedSystemSettings (unit-tested to decode to the same
// tree); a change to one is a change to both.
std::string EncodeConnectedSystemTree(const ConnectedSystem& cs, const std::optional<std::string>& connector_name,
                                      const std::vector<RunProfile>& profiles,
                                      const std::vector<Partition>& partitions);
ConfigNode ConnectorDefinitionTree(const ConnectorDefinition& d);
// No secret enters it: neither the key nor its digest (nor its prefix).
ConfigNode ApiKeyTree(const ApiKey& k);

// An empty delta (a delete records the object's last state: nothing changed in it).
ConfigNode EmptyDelta();

}  // namespace jim::core
