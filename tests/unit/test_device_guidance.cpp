#include "tern/accounts/device_guidance.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace tern::accounts;

TEST_CASE("every device error of DESIGN §5 has a meaning and steps", "[devices]") {
    std::set<std::string> codes;
    for (const auto& advice : device_error_table()) {
        INFO(advice.code);
        CHECK(codes.insert(advice.code).second);
        CHECK(advice.meaning.size() > 20);
        CHECK_FALSE(advice.steps.empty());
    }
    for (const char* code : {"360", "361", "370", "5.7.139", "5.7.30", "5.7.3", "AADSTS65001", "AADSTS50173",
                             "AADSTS700082", "AADSTS53003", "AADSTS50076", "AADSTS700016"})
        CHECK(codes.count(code) == 1);
}

TEST_CASE("advice is found for a code however it is written, and only for a whole code", "[devices]") {
    CHECK(advice_for("360")->code == "360");
    CHECK(advice_for("Error 361")->code == "361");
    CHECK(advice_for("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled")->code == "5.7.139");
    CHECK(advice_for("550 5.7.30 Basic authentication is not supported for Client Submission")->code == "5.7.30");
    CHECK(advice_for("5.7.3 STOREDRV.Submission.Exception:SendAsDeniedException")->code == "5.7.3");
    CHECK(advice_for("aadsts65001: The user or administrator has not consented")->code == "AADSTS65001");
    CHECK(advice_for("65001")->code == "AADSTS65001");
    CHECK_FALSE(advice_for("13600"));
    CHECK_FALSE(advice_for("5.7.1399"));
    CHECK_FALSE(advice_for("nothing to see"));
    CHECK_FALSE(advice_for(""));
}

TEST_CASE("the admin checklist covers what the manuals ask", "[devices]") {
    std::set<std::string> ids;
    for (const auto& item : admin_checklist()) {
        CHECK(ids.insert(item.id).second);
        CHECK_FALSE(item.title.empty());
        CHECK_FALSE(item.how.empty());
    }
    for (const char* id : {"smtp-auth", "firmware", "web-config", "certificate", "clock"}) CHECK(ids.count(id) == 1);
}
