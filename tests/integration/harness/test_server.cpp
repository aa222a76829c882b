// The test server's folder holds the keys file, the log and (for SQLite) the database.
#include "tests/integration/harness/test_server.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace settle::integration {

std::string settled_binary() {
  const char* binary = std::getenv("SETTLED_BINARY");
  if (!binary || !*binary) {
    throw std::runtime_error("SETTLED_BINARY must name the settled executable (CTest sets it)");
  }
  if (!std::filesystem::exists(binary)) {
    throw std::runtime_error(std::string("SETTLED_BINARY names no file: ") + binary);
  }
  return binary;
}

std::string make_temporary_directory() {
  auto pattern = (std::filesystem::temp_directory_path() / "settle-integration-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  return pattern;
}

std::string write_keys_file(const std::string& directory) {
  const auto path = directory + "/keys";
  std::ofstream file(path);
  file << admin_key << " operations admin\n"
       << acme_key << " acme tenant\n"
       << globex_key << " globex tenant\n"
       << acme_upper_key << " ACME tenant\n";
  if (!file) {
    throw std::runtime_error("cannot write " + path);
  }
  return path;
}

namespace {

// Storage named by the caller, who made it and removes it.
class borrowed_storage : public test_storage {
 public:
  explicit borrowed_storage(std::string url) : url_(std::move(url)) {}
  std::string url() const override { return url_; }

 private:
  std::string url_;
};

// Arguments every server of the suite gets (SETTLE_TEST_SETTLED_ARGUMENTS, separated by
// spaces), before the test's own: CTest runs the PostgreSQL suite with two commit lanes.
std::vector<std::string> suite_arguments() {
  std::vector<std::string> arguments;
  const char* text = std::getenv("SETTLE_TEST_SETTLED_ARGUMENTS");
  std::istringstream words{text != nullptr ? text : ""};
  for (std::string word; words >> word;) {
    arguments.push_back(word);
  }
  return arguments;
}

} // namespace

test_server::test_server(std::vector<std::string> extra_arguments)
    : test_server(std::move(extra_arguments), std::string{}) {}

test_server::test_server(std::vector<std::string> extra_arguments, std::string storage_url)
    : directory_(make_temporary_directory()) {
  try {
    storage_ = storage_url.empty() ? make_test_storage(directory_)
                                   : std::make_unique<borrowed_storage>(std::move(storage_url));
    process_options options;
    options.binary = settled_binary();
    options.storage_url = storage_->url();
    options.keys_file = write_keys_file(directory_);
    options.log_path = directory_ + "/settled.log";
    options.extra_arguments = suite_arguments();
    options.extra_arguments.insert(options.extra_arguments.end(), extra_arguments.begin(),
                                   extra_arguments.end());
    process_ = std::make_unique<settled_process>(options);
  } catch (...) {
    storage_.reset();
    std::filesystem::remove_all(directory_);
    throw;
  }
}

test_server::~test_server() {
  clients_.clear();
  process_.reset();
  storage_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::unique_ptr<api_client> test_server::new_client(const std::string& key) const {
  return std::make_unique<api_client>(port(), key);
}

void test_server::start() {
  process_->start();
  for (auto& [key, client] : clients_) {
    client->retarget(port());
  }
}

api_client& test_server::client_for(const std::string& key) {
  auto& client = clients_[key];
  if (!client) {
    client = new_client(key);
  }
  return *client;
}

std::string environment_problem() {
  try {
    settled_binary();
    if (storage_kind_from_environment() == "postgresql" && !std::getenv("SETTLE_TEST_POSTGRES_DSN")) {
      return "SETTLE_TEST_STORAGE=postgresql needs SETTLE_TEST_POSTGRES_DSN "
             "(run under scripts/with-postgres.sh, as `make test` does)";
    }
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

test_server& shared_server() {
  static std::unique_ptr<test_server> server;
  if (server && !server->process().running()) {
    std::cerr << "test harness: the shared settled is gone ("
              << "see the log above); starting a new one for the remaining tests\n";
    server.reset();
  }
  if (!server) {
    server = std::make_unique<test_server>();
  }
  return *server;
}

}  // namespace settle::integration
