// What the fuzz targets share: a throwaway profile (a real tern.db with the real schema) made
// once per process under /dev/shm or the temp dir and removed at exit, and the checks that end a
// run with abort() so that libFuzzer (or the replay driver) reports the input.
#pragma once

#include "tern/core/database.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>
#include <unistd.h>

namespace tern::fuzz {

[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
    std::fprintf(stderr, "tern fuzz: %.*s%s%.*s\n", static_cast<int>(what.size()), what.data(),
                 detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

[[noreturn]] inline void fail(std::string_view what, const Error& e) {
    fail(what, std::string(to_string(e.category())) + ": " + e.message() + " (" + e.detail() + ")");
}

class FuzzProfile {
public:
    FuzzProfile() : dir_(make_dir()), profile_(Profile::open(dir_)) {
        // A throwaway database: no fsync on every transaction.
        profile_.db().exec("PRAGMA synchronous = OFF");
        dirs().push_back(dir_);  // before atexit: the list must outlive remove_dirs
        std::atexit(remove_dirs);
    }
    Database& db() { return profile_.db(); }

    std::int64_t add_account(const std::string& email) {
        auto st = db().prepare(
            "INSERT INTO accounts(email, provider, mode, created_at) VALUES (?1, 'custom', 'password', 1)");
        st.bind(1, email).run();
        return db().last_insert_rowid();
    }

    // The full-text index agrees with its content table, and the database file is sound.
    void check_integrity() {
        try {
            db().exec("INSERT INTO message_index(message_index, rank) VALUES('integrity-check', 1)");
        } catch (const Error& e) {
            fail("FTS5 integrity-check failed", e);
        }
        std::string quick;
        try {
            quick = db().query_text("PRAGMA quick_check");
        } catch (const Error& e) {
            fail("PRAGMA quick_check failed", e);
        }
        if (quick != "ok") fail("PRAGMA quick_check", quick);
    }

private:
    static std::filesystem::path make_dir() {
        std::error_code ec;
        std::filesystem::path base = "/dev/shm";
        if (!std::filesystem::is_directory(base, ec) || access(base.c_str(), W_OK) != 0)
            base = std::filesystem::temp_directory_path();
        std::string templ = (base / "tern-fuzz-XXXXXX").string();
        if (!mkdtemp(templ.data())) fail("cannot make a temporary profile folder", templ);
        return templ;
    }
    static std::vector<std::filesystem::path>& dirs() {
        static std::vector<std::filesystem::path> all;
        return all;
    }
    static void remove_dirs() {
        for (const auto& d : dirs()) {
            std::error_code ec;
            std::filesystem::remove_all(d, ec);
        }
    }

    std::filesystem::path dir_;
    Profile profile_;
};

}  // namespace tern::fuzz
