#include "tern/core/error.hpp"
#include "tern/core/redaction.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

using namespace tern;

TEST_CASE("every category has a distinct name that reads back", "[error]") {
    const ErrorCategory all[] = {ErrorCategory::Network,       ErrorCategory::TlsCertificate,
                                 ErrorCategory::TlsHandshake,  ErrorCategory::Timeout,
                                 ErrorCategory::AuthRejected,  ErrorCategory::TokenExpired,
                                 ErrorCategory::TokenRevoked,  ErrorCategory::ConsentRequired, ErrorCategory::AppRejected,
                                 ErrorCategory::PolicyBlocked, ErrorCategory::ServerError,
                                 ErrorCategory::Protocol,      ErrorCategory::BadInput,
                                 ErrorCategory::Storage,       ErrorCategory::Cancelled,
                                 ErrorCategory::NotFound,      ErrorCategory::Unsupported,
                                 ErrorCategory::Internal};
    std::set<std::string> names;
    for (auto c : all) {
        auto name = std::string(to_string(c));
        CHECK(names.insert(name).second);
        CHECK(category_from_string(name) == c);
        CHECK_FALSE(default_message(c).empty());
    }
    CHECK(to_string(ErrorCategory::TlsCertificate) == "tls-certificate");
    CHECK(to_string(ErrorCategory::AuthRejected) == "auth-rejected");
    CHECK_FALSE(category_from_string("no-such-category").has_value());
}

TEST_CASE("an error keeps category, message, detail and protocol context", "[error]") {
    Error e(ErrorCategory::PolicyBlocked, "SMTP AUTH is disabled for this mailbox.", "smtp 535",
            {"AUTH XOAUTH2", "535 5.7.139 Authentication unsuccessful", "535 5.7.139"});
    CHECK(e.category() == ErrorCategory::PolicyBlocked);
    CHECK(std::string(e.what()) == "SMTP AUTH is disabled for this mailbox.");
    CHECK(e.context().status == "535 5.7.139");
    const auto line = e.log_line();
    CHECK(line.find("[policy-blocked]") == 0);
    CHECK(line.find("535 5.7.139 Authentication unsuccessful") != std::string::npos);
}

TEST_CASE("an empty message falls back to the category's wording", "[error]") {
    Error e(ErrorCategory::Timeout, "");
    CHECK(e.message() == default_message(ErrorCategory::Timeout));
}

TEST_CASE("the log line of an error never carries a secret from its detail", "[error][secrets]") {
    Error e(ErrorCategory::AuthRejected, "Sign-in refused.", "Authorization: Bearer abc.def.ghi",
            {"a1 LOGIN alice \"hunter2hunter2\"", "a1 NO", ""});
    const auto line = e.log_line();
    CHECK(line.find("abc.def.ghi") == std::string::npos);
    CHECK(line.find("hunter2hunter2") == std::string::npos);
}

TEST_CASE("to_error turns anything thrown into an Error", "[error]") {
    auto catch_it = [](auto&& thrower) {
        try {
            thrower();
        } catch (...) {
            return to_error(std::current_exception());
        }
        FAIL("nothing thrown");
        return Error(ErrorCategory::Internal, {});
    };
    CHECK(catch_it([] { throw Error(ErrorCategory::Network, "down"); }).category() == ErrorCategory::Network);
    auto runtime = catch_it([] { throw std::runtime_error("boom"); });
    CHECK(runtime.category() == ErrorCategory::Internal);
    CHECK(runtime.detail() == "boom");
    CHECK(catch_it([] { throw std::bad_alloc(); }).message().find("memory") != std::string::npos);
    CHECK(catch_it([] { throw 42; }).category() == ErrorCategory::Internal);
}
