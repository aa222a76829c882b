// Tests the names of the records' enumerations, which the API sends as they are spelled here.
#include "domain/records.hpp"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("to_string names every transfer kind as the API spells it", "[records]") {
  CHECK(std::string{settle::to_string(settle::transfer_kind::deposit)} == "deposit");
  CHECK(std::string{settle::to_string(settle::transfer_kind::withdrawal)} == "withdrawal");
  CHECK(std::string{settle::to_string(settle::transfer_kind::transfer)} == "transfer");
  CHECK(std::string{settle::to_string(settle::transfer_kind::capture)} == "capture");
  CHECK(std::string{settle::to_string(settle::transfer_kind::refund)} == "refund");
}

TEST_CASE("to_string names every account status as the API spells it", "[records]") {
  CHECK(std::string{settle::to_string(settle::account_status::open)} == "open");
  CHECK(std::string{settle::to_string(settle::account_status::closed)} == "closed");
}

TEST_CASE("the system tenant cannot be mistaken for an ordinary tenant name", "[records]") {
  CHECK(settle::system_tenant.value == "_system");
}
