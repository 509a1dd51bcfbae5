// Runs the fuzz entry point over every file under the directories (or files) given, so the fuzz
// corpus and the test messages are replayed in every test run without clang or libFuzzer.
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
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path root(argv[i]);
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(root)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
        } else if (std::filesystem::is_regular_file(root)) {
            files.push_back(root);
        } else {
            std::fprintf(stderr, "mime_fuzz_replay: %s: not found\n", argv[i]);
            return 1;
        }
        for (const auto& f : files) {
            replay(f);
            ++count;
        }
    }
    std::printf("mime_fuzz_replay: %zu inputs replayed\n", count);
    return count > 0 ? 0 : 1;
}
