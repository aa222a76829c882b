// Tests id generation, the id shape check, the strong id types and the stable shard hash.
#include "domain/ids.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

namespace {

constexpr std::string_view base62_alphabet =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::size_t id_part_length = settle::id_time_characters + settle::id_random_characters;

// FNV-1a over 64 bits, written out here so that shard_of is checked against the
// published algorithm rather than against itself.
std::uint64_t reference_fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char character : text) {
    hash = hash ^ static_cast<std::uint8_t>(character);
    hash = hash * 0x100000001b3ull;
  }
  return hash;
}

bool is_base62(std::string_view text) {
  return text.find_first_not_of(base62_alphabet) == std::string_view::npos;
}

} // namespace

TEST_CASE("generate_id starts with the prefix and adds 22 base-62 characters", "[ids]") {
  REQUIRE(id_part_length == 22);
  for (std::string_view prefix : {"usr_", "acc_", "trf_", "ord_", "ent_"}) {
    INFO("prefix " << prefix);
    const std::string id = settle::generate_id(prefix);
    INFO("id " << id);
    CHECK(id.size() == prefix.size() + id_part_length);
    CHECK(std::string_view{id}.substr(0, prefix.size()) == prefix);
    CHECK(is_base62(std::string_view{id}.substr(prefix.size())));
    CHECK(id.size() <= settle::maximum_id_length);
    CHECK(settle::looks_like_id(id, prefix));
  }
}

TEST_CASE("generate_id with an empty prefix gives only the 22 characters", "[ids]") {
  const std::string id = settle::generate_id("");
  CHECK(id.size() == id_part_length);
  CHECK(is_base62(id));
}

TEST_CASE("generate_id gives 10000 distinct ids", "[ids]") {
  constexpr std::size_t id_count = 10'000;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < id_count; ++i) {
    seen.insert(settle::generate_id("trf_"));
  }
  CHECK(seen.size() == id_count);
}

TEST_CASE("generate_id uses the whole alphabet at every position of the random part",
          "[ids]") {
  // With 10000 ids each position should show all 62 characters; a position fed by too
  // few random bits (or a shrunken alphabet) shows far fewer.
  constexpr std::size_t id_count = 10'000;
  std::vector<std::set<char>> characters_at(settle::id_random_characters);
  std::set<char> all_characters;
  for (std::size_t i = 0; i < id_count; ++i) {
    const std::string id = settle::generate_id("");
    REQUIRE(id.size() == id_part_length);
    for (std::size_t position = 0; position < settle::id_random_characters; ++position) {
      char character = id[settle::id_time_characters + position];
      characters_at[position].insert(character);
      all_characters.insert(character);
    }
  }
  CHECK(all_characters.size() == base62_alphabet.size());
  for (std::size_t position = 0; position < settle::id_random_characters; ++position) {
    INFO("position " << position);
    CHECK(characters_at[position].size() >= 55);
  }
}

namespace {

// The time part in base 62, as the ids carry it.
std::uint64_t decode_time_part(std::string_view id) {
  std::uint64_t milliseconds = 0;
  for (char character : id.substr(0, settle::id_time_characters)) {
    milliseconds = milliseconds * 62 + base62_alphabet.find(character);
  }
  return milliseconds;
}

std::uint64_t now_milliseconds() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
}

} // namespace

TEST_CASE("generate_id starts with the creation time, so ids sort by age", "[ids]") {
  auto before = now_milliseconds();
  const std::string first = settle::generate_id("trf_");
  std::this_thread::sleep_for(std::chrono::milliseconds{2});
  const std::string second = settle::generate_id("trf_");
  auto after = now_milliseconds();

  auto first_time = decode_time_part(std::string_view{first}.substr(4));
  auto second_time = decode_time_part(std::string_view{second}.substr(4));
  CHECK(first_time >= before);
  CHECK(second_time <= after);
  CHECK(second_time >= first_time + 2);
  // Byte order (how the database's "C" collation and std::string compare) is time order.
  CHECK(first < second);
}

TEST_CASE("looks_like_id accepts the prefix followed by 1 to 60 id characters", "[ids]") {
  CHECK(settle::looks_like_id("acc_1", "acc_"));
  CHECK(settle::looks_like_id("acc_abcXYZ019_", "acc_"));
  CHECK(settle::looks_like_id("acc_world_USD", "acc_"));
  CHECK(settle::looks_like_id("acc_" + std::string(60, 'z'), "acc_"));
}

TEST_CASE("looks_like_id refuses text with nothing after the prefix or longer than 64",
          "[ids]") {
  CHECK_FALSE(settle::looks_like_id("", "acc_"));
  CHECK_FALSE(settle::looks_like_id("acc_", "acc_"));
  CHECK_FALSE(settle::looks_like_id("acc", "acc_"));
  CHECK_FALSE(settle::looks_like_id("acc_" + std::string(61, 'z'), "acc_"));
}

TEST_CASE("looks_like_id refuses another prefix, case included", "[ids]") {
  CHECK_FALSE(settle::looks_like_id("usr_abc", "acc_"));
  CHECK_FALSE(settle::looks_like_id("ACC_abc", "acc_"));
  CHECK_FALSE(settle::looks_like_id("xacc_abc", "acc_"));
  CHECK_FALSE(settle::looks_like_id("acc-abc", "acc_"));
  CHECK_FALSE(settle::looks_like_id(settle::generate_id("usr_"), "acc_"));
}

TEST_CASE("looks_like_id refuses characters outside [A-Za-z0-9_] after the prefix", "[ids]") {
  for (std::string_view bad : {"-", " ", ".", "/", "%", "\t", "\xc3\xa9", "\n"}) {
    INFO("character " << bad);
    CHECK_FALSE(settle::looks_like_id("acc_abc" + std::string{bad}, "acc_"));
    CHECK_FALSE(settle::looks_like_id("acc_" + std::string{bad} + "abc", "acc_"));
  }
  CHECK_FALSE(settle::looks_like_id(std::string{"acc_ab\0c", 8}, "acc_"));
}

TEST_CASE("strong ids compare and hash by their value", "[ids]") {
  const settle::account_id first{"acc_a"};
  const settle::account_id same_as_first{"acc_a"};
  const settle::account_id second{"acc_b"};

  CHECK(first == same_as_first);
  CHECK_FALSE(first != same_as_first);
  CHECK(first != second);
  CHECK_FALSE(first == second);
  CHECK(first < second);
  CHECK_FALSE(second < first);
  CHECK_FALSE(first < same_as_first);

  const std::hash<settle::account_id> hasher;
  CHECK(hasher(first) == hasher(same_as_first));
  CHECK(hasher(first) == std::hash<std::string>{}("acc_a"));

  std::unordered_set<settle::account_id> accounts{first, same_as_first, second};
  CHECK(accounts.size() == 2);
}

TEST_CASE("strong ids of different kinds are different types", "[ids]") {
  STATIC_REQUIRE_FALSE(std::is_same_v<settle::user_id, settle::account_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<settle::user_id, settle::account_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<settle::transfer_id, settle::entry_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<settle::order_id, settle::transfer_id>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::string, settle::user_id>);
}

TEST_CASE("the reference FNV-1a matches the published test vectors", "[ids]") {
  // Vectors from the FNV reference (Fowler, Noll, Vo): the offset basis for "", then
  // the hashes of "a" and "foobar".
  CHECK(reference_fnv1a_64("") == 0xcbf29ce484222325ull);
  CHECK(reference_fnv1a_64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(reference_fnv1a_64("foobar") == 0x85944171f73967e8ull);
}

TEST_CASE("shard_of gives the FNV-1a 64 hash modulo the shard count", "[ids]") {
  // Fixed values: a change of hash would move every stored entity to another shard.
  CHECK(settle::shard_of("", 64) == 37);
  CHECK(settle::shard_of("a", 64) == 12);
  CHECK(settle::shard_of("a", 7) == 5);
  CHECK(settle::shard_of("foobar", 64) == 40);
  CHECK(settle::shard_of("foobar", 1024) == 1000);
  CHECK(settle::shard_of("acc_world_USD", 64) == 62);
  CHECK(settle::shard_of("acc_world_USD", 7) == 1);
  CHECK(settle::shard_of("usr_0000000000000000000000", 64) == 58);

  for (std::uint32_t shard_count : {1u, 2u, 7u, 64u, 1000u, 65'536u, 4'294'967'295u}) {
    for (int i = 0; i < 100; ++i) {
      const std::string id = settle::generate_id("acc_");
      INFO("id " << id << ", shard count " << shard_count);
      CHECK(settle::shard_of(id, shard_count) == reference_fnv1a_64(id) % shard_count);
    }
  }
}

TEST_CASE("shard_of is stable for the same id", "[ids]") {
  const std::string id = settle::generate_id("usr_");
  const std::uint32_t first = settle::shard_of(id, 64);
  for (int i = 0; i < 100; ++i) {
    CHECK(settle::shard_of(id, 64) == first);
  }
  CHECK(settle::shard_of(std::string{id}, 64) == first);
}

TEST_CASE("shard_of with one shard always answers shard 0", "[ids]") {
  for (int i = 0; i < 100; ++i) {
    CHECK(settle::shard_of(settle::generate_id("ord_"), 1) == 0);
  }
}

TEST_CASE("shard_of spreads generated ids evenly across 64 shards", "[ids]") {
  constexpr std::uint32_t shard_count = 64;
  constexpr int id_count = 64'000; // 1000 per shard on average
  std::vector<int> ids_on_shard(shard_count, 0);
  int out_of_range = 0;
  for (int i = 0; i < id_count; ++i) {
    const std::uint32_t shard = settle::shard_of(settle::generate_id("acc_"), shard_count);
    if (shard < shard_count) {
      ++ids_on_shard[shard];
    } else {
      ++out_of_range;
    }
  }
  REQUIRE(out_of_range == 0);
  for (std::uint32_t shard = 0; shard < shard_count; ++shard) {
    INFO("shard " << shard);
    // The binomial standard deviation is about 31; 800..1200 is over six of them.
    CHECK(ids_on_shard[shard] >= 800);
    CHECK(ids_on_shard[shard] <= 1200);
  }
}
