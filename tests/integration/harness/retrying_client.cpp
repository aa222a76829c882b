// What is retried is exactly what the contract says may be retried: a 503 changed nothing,
// an answer that never came may or may not have committed (the Idempotency-Key makes the
// retry safe either way), and a key in use means the first attempt is still running.
#include "tests/integration/harness/retrying_client.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <thread>

namespace settle::integration {

namespace {

enum class attempt_result { definitive, unavailable, key_in_use };

std::string error_code_of(const http_response& response) {
  boost::json::error_code error;
  const auto body = boost::json::parse(response.body, error);
  if (error || !body.is_object()) {
    return "";
  }
  const auto* inner = body.as_object().if_contains("error");
  if (!inner || !inner->is_object()) {
    return "";
  }
  const auto* code = inner->as_object().if_contains("code");
  return code && code->is_string() ? std::string(code->as_string()) : "";
}

attempt_result classify(const http_response& response) {
  if (response.status == 503 || response.status == 502 || response.status == 504) {
    return attempt_result::unavailable;
  }
  if (response.status == 409 && error_code_of(response) == "idempotency_key_in_use") {
    return attempt_result::key_in_use;
  }
  return attempt_result::definitive;
}

// Retry-After in whole seconds, as the server sends it; none when absent or not a number.
std::optional<std::chrono::milliseconds> retry_after(const http_response& response) {
  const auto header = response.header("Retry-After");
  if (!header || header->empty() || header->find_first_not_of("0123456789") != std::string::npos ||
      header->size() > 6) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::stoi(*header));
}

// The start of a body on one line: a front's error page is HTML over several lines.
std::string excerpt(const std::string& body) {
  auto text = body.substr(0, 160);
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

void note_contract_violation(const http_response& response, retried_answer& answer) {
  if (response.status != 503) {
    return;
  }
  if (error_code_of(response) != "unavailable" || !retry_after(response)) {
    answer.contract_violations.push_back(
        "503 without code unavailable and a Retry-After in seconds: " + excerpt(response.body));
  }
}

} // namespace

retrying_client::retrying_client(const std::vector<std::uint16_t>& ports, const std::string& key,
                                 retry_policy policy)
    : policy_(policy) {
  for (const auto port : ports) {
    clients_.push_back(std::make_unique<api_client>(port, key, policy_.attempt_timeout));
  }
}

retried_answer retrying_client::post(std::size_t first, const std::string& target,
                                     const boost::json::value& body,
                                     const std::string& idempotency_key) {
  return send(first, "POST", target, boost::json::serialize(body),
              {{"Content-Type", "application/json"}, {"Idempotency-Key", idempotency_key}});
}

retried_answer retrying_client::get(std::size_t first, const std::string& target) {
  return send(first, "GET", target, "", {});
}

retried_answer retrying_client::send(std::size_t first, const std::string& method,
                                     const std::string& target, const std::string& body,
                                     const header_list& headers) {
  retried_answer answer;
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t attempt = 0;; ++attempt) {
    auto& client = *clients_[(first + attempt) % clients_.size()];
    ++answer.attempts;
    auto pause = std::chrono::milliseconds(20);
    try {
      auto response = client.send(method, target, body, headers);
      note_contract_violation(response, answer);
      switch (classify(response)) {
      case attempt_result::definitive:
        answer.elapsed = std::chrono::steady_clock::now() - started;
        answer.response = std::move(response);
        return answer;
      case attempt_result::unavailable:
        ++answer.unavailable_answers;
        pause = std::min(retry_after(response).value_or(pause), policy_.longest_pause);
        break;
      case attempt_result::key_in_use:
        ++answer.keys_in_use;
        pause = std::chrono::milliseconds(200);
        break;
      }
      answer.last_failure = std::to_string(response.status) + " " + excerpt(response.body);
    } catch (const http_connect_error& error) {
      ++answer.refused_connections;
      answer.last_failure = error.what();
    } catch (const http_error& error) {
      ++answer.lost_answers;
      answer.last_failure = error.what();
    }
    answer.elapsed = std::chrono::steady_clock::now() - started;
    if (answer.elapsed + pause >= policy_.give_up_after) {
      return answer;
    }
    std::this_thread::sleep_for(pause);
  }
}

} // namespace settle::integration
