// A folder of its own for one test, removed with everything in it when the test ends.
#pragma once

#include <string>

namespace settle::testing {

class temporary_directory {
public:
  temporary_directory();
  ~temporary_directory();
  temporary_directory(const temporary_directory&) = delete;
  temporary_directory& operator=(const temporary_directory&) = delete;

  const std::string& path() const { return path_; }

  // The path of `name` inside the folder.
  std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

} // namespace settle::testing
