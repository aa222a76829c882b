// A small file system of a test's own (a tmpfs of a few MiB, mounted on a temporary
// folder) that the test can fill to the last byte and free again: the disk-full fault of
// the SQLite file. Mounting needs root; available() says whether this process may.
#pragma once

#include <cstddef>
#include <string>

namespace settle::integration {

class small_disk {
 public:
  static bool available();

  explicit small_disk(std::size_t mebibytes);
  // Unmounts it (lazily, should a file still be open) and removes the folder.
  ~small_disk();
  small_disk(const small_disk&) = delete;
  small_disk& operator=(const small_disk&) = delete;

  const std::string& path() const { return path_; }

  // Writes a filler file until the disk is full; release() deletes it.
  void fill();
  void release();

 private:
  std::string path_;
};

} // namespace settle::integration
