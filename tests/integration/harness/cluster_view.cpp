// Parsing is strict about the fields the tests read and ignores any others, so that the
// server may add fields without breaking the tests.
#include "tests/integration/harness/cluster_view.hpp"

#include "tests/integration/harness/json_helpers.hpp"
#include "tests/integration/harness/ledger_helpers.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace settle::integration {

namespace {

const boost::json::array& array_field(const boost::json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (!found || !found->is_array()) {
    throw std::runtime_error("field \"" + std::string(key) + "\" is not an array in " +
                             boost::json::serialize(object));
  }
  return found->as_array();
}

std::vector<int> shards_of(const boost::json::object& node) {
  std::vector<int> shards;
  for (const auto& shard : array_field(node, "shards")) {
    if (!shard.is_int64()) {
      throw std::runtime_error("a shard is not an integer in " + boost::json::serialize(node));
    }
    shards.push_back(static_cast<int>(shard.as_int64()));
  }
  return shards;
}

std::vector<shard_lease> leases_of(const boost::json::object& node) {
  std::vector<shard_lease> leases;
  for (const auto& lease : array_field(node, "leases")) {
    if (!lease.is_object()) {
      throw std::runtime_error("a lease is not an object in " + boost::json::serialize(node));
    }
    leases.push_back({static_cast<int>(integer_field(lease.as_object(), "shard")),
                      integer_field(lease.as_object(), "epoch")});
  }
  return leases;
}

cluster_member member_from(const boost::json::value& value) {
  if (!value.is_object()) {
    throw std::runtime_error("a node is not an object: " + boost::json::serialize(value));
  }
  const auto& node = value.as_object();
  return {string_field(node, "id"), string_field(node, "address"), string_field(node, "state"),
          shards_of(node), leases_of(node)};
}

void check_member(const cluster_view& view, const std::string& id,
                  std::vector<std::string>& problems) {
  const auto* member = view.member(id);
  if (!member) {
    problems.push_back(id + " is not listed");
    return;
  }
  if (member->state != "up") {
    problems.push_back(id + " is " + member->state + ", not up");
  }
  if (member->shards.empty()) {
    problems.push_back(id + " owns no shard");
  }
  std::set<int> leased;
  for (const auto& lease : member->leases) {
    leased.insert(lease.shard);
  }
  if (leased != std::set<int>(member->shards.begin(), member->shards.end())) {
    problems.push_back(id + " holds leases for other shards than it lists as its own");
  }
}

} // namespace

std::optional<std::int64_t> cluster_member::epoch_of(int shard) const {
  for (const auto& lease : leases) {
    if (lease.shard == shard) {
      return lease.epoch;
    }
  }
  return std::nullopt;
}

const cluster_member* cluster_view::member(const std::string& id) const {
  const auto found =
      std::find_if(nodes.begin(), nodes.end(), [&](const auto& node) { return node.id == id; });
  return found == nodes.end() ? nullptr : &*found;
}

std::string cluster_view::describe() const {
  std::string text = "seen by " + node_id + ":";
  for (const auto& node : nodes) {
    text += " " + node.id + " " + node.state + " with " + std::to_string(node.shards.size()) +
            " shards;";
  }
  return text;
}

cluster_view parse_cluster_view(const boost::json::object& body) {
  cluster_view view;
  view.node_id = string_field(body, "node_id");
  view.shard_count = integer_field(body, "shard_count");
  for (const auto& node : array_field(body, "nodes")) {
    view.nodes.push_back(member_from(node));
  }
  return view;
}

cluster_view get_cluster_view(api_client& admin) {
  return parse_cluster_view(get_object(admin, "/v1/cluster"));
}

std::vector<std::string> ownership_problems(const cluster_view& view,
                                            const std::vector<std::string>& up) {
  std::vector<std::string> problems;
  if (view.shard_count != cluster_shard_count) {
    problems.push_back("shard_count is " + std::to_string(view.shard_count));
  }
  for (const auto& id : up) {
    check_member(view, id, problems);
  }
  std::map<int, std::string> owners;
  for (const auto& node : view.nodes) {
    for (const auto shard : node.shards) {
      const auto [previous, first] = owners.emplace(shard, node.id);
      if (!first) {
        problems.push_back("shard " + std::to_string(shard) + " is owned by " + previous->second +
                           " and " + node.id);
      }
      if (std::find(up.begin(), up.end(), node.id) == up.end()) {
        problems.push_back("shard " + std::to_string(shard) + " is owned by " + node.id +
                           ", which should be gone");
      }
    }
  }
  for (int shard = 0; shard < cluster_shard_count; ++shard) {
    if (!owners.count(shard)) {
      problems.push_back("shard " + std::to_string(shard) + " has no owner");
    }
  }
  return problems;
}

bool shards_evenly_spread(const cluster_view& view, const std::vector<std::string>& up) {
  std::vector<std::size_t> counts;
  for (const auto& id : up) {
    const auto* member = view.member(id);
    counts.push_back(member ? member->shards.size() : 0);
  }
  const auto [fewest, most] = std::minmax_element(counts.begin(), counts.end());
  return counts.empty() || *most - *fewest <= 1;
}

} // namespace settle::integration
