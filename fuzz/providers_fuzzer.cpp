// Fuzz target: a providers file (resources/providers.json or the one --providers names). Whatever
// the bytes, ProviderCatalog::parse either loads them or throws a tern::Error of category BadInput
// whose message starts with the file's name and a line number (DESIGN §3: a clear error naming
// the file, the line and the field, never a crash).
//
// A run ends with abort() when: anything but tern::Error escapes; the category is not BadInput;
// the message does not start with "fuzz.json line "; a loaded catalog has a provider without id.
#include "tern/accounts/provider_catalog.hpp"
#include "tern/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto catalog = tern::accounts::ProviderCatalog::parse(text, "fuzz.json");
        for (const auto& provider : catalog.providers())
            if (provider.id.empty()) {
                std::fprintf(stderr, "a provider without id was loaded\n");
                std::abort();
            }
    } catch (const tern::Error& e) {
        if (e.category() != tern::ErrorCategory::BadInput || e.message().rfind("fuzz.json line ", 0) != 0) {
            std::fprintf(stderr, "unexpected refusal [%d]: %s\n", static_cast<int>(e.category()), e.message().c_str());
            std::abort();
        }
    }
    return 0;
}
