#include "tests/integration/harness/small_disk.hpp"

#include "tests/integration/harness/test_server.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace settle::integration {

bool small_disk::available() { return ::geteuid() == 0; }

small_disk::small_disk(std::size_t mebibytes) : path_(make_temporary_directory()) {
  auto options = "size=" + std::to_string(mebibytes) + "m,mode=0755";
  if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    std::filesystem::remove_all(path_);
    throw std::runtime_error("cannot mount a tmpfs on " + path_);
  }
}

small_disk::~small_disk() {
  ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void small_disk::fill() {
  int file = ::open((path_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (file < 0) {
    throw std::runtime_error("cannot create the filler file in " + path_);
  }
  std::vector<char> block(64 * 1024, 'x');
  std::size_t size = block.size();
  while (size > 0) { // smaller and smaller writes take the last bytes too
    if (::write(file, block.data(), size) <= 0) {
      size /= 2;
    }
  }
  ::close(file);
}

void small_disk::release() { std::filesystem::remove(path_ + "/filler"); }

} // namespace settle::integration
