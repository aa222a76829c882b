// Runs a fuzz target over the files of its corpus, without libFuzzer: how `make test`
// replays every input the fuzzers kept (and every crash they found, once fixed), with
// the project's own compiler. Arguments: files or folders of inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void replay(const std::filesystem::path& file) {
  std::ifstream stream{file, std::ios::binary};
  std::vector<char> bytes{std::istreambuf_iterator<char>{stream}, std::istreambuf_iterator<char>{}};
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

} // namespace

int main(int argc, char** argv) {
  std::size_t inputs = 0;
  for (int index = 1; index < argc; ++index) {
    std::filesystem::path given{argv[index]};
    if (std::filesystem::is_directory(given)) {
      for (const auto& entry : std::filesystem::directory_iterator{given}) {
        if (entry.is_regular_file()) {
          replay(entry.path());
          ++inputs;
        }
      }
    } else {
      replay(given);
      ++inputs;
    }
  }
  std::printf("replayed %zu inputs\n", inputs);
  return inputs == 0 ? 1 : 0; // an empty corpus is a mistake, not a pass
}
