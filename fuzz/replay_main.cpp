// Runs a fuzz target's LLVMFuzzerTestOneInput once over every file given, or every file of the
// folders given (sorted by name, not recursive), without libFuzzer: the short smoke run of the
// normal test suite (built with any compiler), and a way to replay a crash file under gdb.
//   tern_fuzz_replay_<target> CORPUS_DIR|FILE...
// Fails when there is no input at all, or a file cannot be read; the target itself aborts on a
// finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 2;
    }
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            std::vector<fs::path> files;
            for (const auto& entry : fs::directory_iterator(arg, ec))
                if (entry.is_regular_file()) files.push_back(entry.path());
            if (ec) {
                std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
                return 1;
            }
            std::sort(files.begin(), files.end());
            inputs.insert(inputs.end(), files.begin(), files.end());
        } else if (fs::is_regular_file(arg, ec)) {
            inputs.push_back(arg);
        } else {
            std::fprintf(stderr, "replay: %s is no file or folder\n", arg.c_str());
            return 1;
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no input files\n");
        return 1;
    }
    std::size_t bytes = 0;
    for (const auto& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        // Exactly the file's size, so that AddressSanitizer sees any read past its end.
        const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.is_open() || in.bad()) {
            std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
            return 1;
        }
        // As libFuzzer: never a null pointer, even for an empty input.
        static const std::uint8_t empty = 0;
        LLVMFuzzerTestOneInput(data.empty() ? &empty : data.data(), data.size());
        bytes += data.size();
    }
    std::printf("replay: %zu inputs, %zu bytes, no finding\n", inputs.size(), bytes);
    return 0;
}
