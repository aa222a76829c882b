// What a failing test prints of the servers it used: the part of each server's log written
// since the test started, so that a failure shows the server side of the story.
#pragma once

#include <string>

namespace settle::integration {

// Called by the Catch2 listener in main.cpp.
void note_test_started();
void note_assertion_failed();
void note_test_ended(bool failed);

// Whether the running test has failed so far (a failed check, or an exception unwinding).
bool current_test_failed();

// A server's log file is followed from its start until the server object goes away.
void follow_server_log(const std::string& path);
void stop_following_server_log(const std::string& path);

// The last `max_lines` lines of a file, for error messages.
std::string tail_of_file(const std::string& path, std::size_t max_lines);

}  // namespace settle::integration
