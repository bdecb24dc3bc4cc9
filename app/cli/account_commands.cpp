// tern-cli account ...
#include "commands.hpp"

#include "tern/accounts/account_repository.hpp"

#include <iomanip>
#include <iostream>

namespace tern::cli {

int account_list(const CliContext& ctx, const CommandArgs&) {
    auto profile = ctx.open_profile();
    const auto accounts = accounts::AccountRepository(profile.db()).list();
    if (ctx.json) {
        auto out = nlohmann::json::array();
        for (const auto& a : accounts)
            out.push_back({{"email", a.email},
                           {"display_name", a.display_name},
                           {"provider", a.provider},
                           {"mode", std::string(to_string(a.mode))}});
        print_json(out);
        return exit_ok;
    }
    if (accounts.empty()) {
        std::cout << "No accounts in the profile " << profile.dir().string()
                  << ". Add one with: tern-cli account add EMAIL\n";
        return exit_ok;
    }
    for (const auto& a : accounts)
        std::cout << std::left << std::setw(40) << a.email << ' ' << std::setw(12) << a.provider << ' '
                  << to_string(a.mode) << '\n';
    return exit_ok;
}

}  // namespace tern::cli
