#include "tern/accounts/device_guidance.hpp"

#include "tern/core/text.hpp"

namespace tern::accounts {

const std::vector<DeviceErrorAdvice>& device_error_table() {
    static const std::vector<DeviceErrorAdvice> table{
        {"360", "The device has no connection to the cloud or mail service.",
         {"Check the device's network settings: DNS server, default gateway and any proxy.",
          "Check that the device's clock is right (Web Config: date and time, or an NTP server): a wrong clock breaks "
          "every certificate check.",
          "Check that the SMTP server is smtp.office365.com (or smtp-mail.outlook.com), port 587, STARTTLS."}},
        {"361", "The device's connection to the cloud or mail service has expired: its sign-in is no longer valid.",
         {"Delete the token in the device's Web Config and press \"Get token\" again.",
          "Sign in at the link the device shows, with the code it shows, as the device's mailbox.",
          "If it keeps expiring, the mailbox sends too rarely: Tern can keep a relayed device's sign-in alive."}},
        {"370", "The device must sign in to the cloud service again.",
         {"Press \"Get token\" in the device's Web Config and complete the sign-in at the link it shows.",
          "If the organisation requires it, an administrator must consent for the whole organisation."}},
        {"5.7.139", "Exchange Online refused SMTP AUTH: it is turned off for the tenant or for this mailbox.",
         {"In the Microsoft 365 admin center: Users > the device's mailbox > Mail > Manage email apps > turn on "
          "Authenticated SMTP.",
          "If the whole tenant has it off: Set-TransportConfig -SmtpClientAuthenticationDisabled $false, or enable it "
          "for this mailbox only: Set-CASMailbox -Identity MAILBOX -SmtpClientAuthenticationDisabled $false.",
          "Wait up to an hour for the change to reach every server, then send a test scan."}},
        {"5.7.30", "Exchange Online no longer accepts a password (basic authentication) for SMTP from this device.",
         {"Switch the device to OAuth 2.0 in its Web Config (if its firmware offers it) and press \"Get token\".",
          "If it cannot do OAuth, add it to Tern as a relayed device: Tern signs its mailbox in and relays its mail."}},
        {"5.7.3", "The sign-in worked, but for another account than the mailbox the device sends as.",
         {"Sign in with the device's own mailbox (the sender address in its settings), not an administrator's account.",
          "Or change the device's sender address to the account that signed in."}},
        {"AADSTS65001", "Nobody has consented to the device's app in this organisation.",
         {"An administrator signs in at the device's link and ticks \"Consent on behalf of your organization\", or "
          "grants consent in Entra ID > Enterprise applications."}},
        {"AADSTS50173", "The sign-in was revoked, for example because the mailbox's password was changed.",
         {"Delete the token and sign the device in again."}},
        {"AADSTS700082", "The sign-in expired because the device did not use it for a long time.",
         {"Sign the device in again. A relayed device's sign-in is kept alive by Tern."}},
        {"AADSTS700084", "The sign-in expired: it had a fixed lifetime that cannot be extended.",
         {"Sign the device in again."}},
        {"AADSTS90072", "The mailbox's account is not in the organisation's directory (tenant) it signed in to.",
         {"Check the mailbox address; sign in at the link with that very account, or ask the administrator to add it "
          "to the tenant."}},
        {"AADSTS53003", "A Conditional Access policy blocked the sign-in.",
         {"An administrator excludes the device's mailbox from the policy or allows the device's network location."}},
        {"AADSTS50076", "The mailbox must complete multi-factor authentication, which a device cannot do.",
         {"Sign in at the device's link on a phone or computer that can complete MFA, or exclude the device's mailbox "
          "from the MFA policy."}},
        {"AADSTS700016", "The app the device signs in with is not known in this directory.",
         {"Check the device's firmware: update it, or enter the organisation's own app (client id) if it allows that."}},
    };
    return table;
}

std::optional<DeviceErrorAdvice> advice_for(std::string_view text) {
    const std::string lower = ascii_lower(text);
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    // A code counts when it stands alone: "360" is not found in "13600".
    const auto contains = [&](const std::string& code) {
        for (auto at = lower.find(code); at != std::string::npos; at = lower.find(code, at + 1)) {
            const bool left = at == 0 || !(is_digit(lower[at - 1]) || lower[at - 1] == '.');
            const auto end = at + code.size();
            const bool right = end == lower.size() || !(is_digit(lower[end]) || lower[end] == '.');
            if (left && right) return true;
        }
        return false;
    };
    for (const auto& advice : device_error_table()) {
        const std::string code = ascii_lower(advice.code);
        if (contains(code)) return advice;
        // "65001" stands for AADSTS65001 when typed alone.
        if (code.rfind("aadsts", 0) == 0 && lower == code.substr(6)) return advice;
    }
    return std::nullopt;
}

const std::vector<ChecklistItem>& admin_checklist() {
    static const std::vector<ChecklistItem> list{
        {"smtp-auth", "SMTP AUTH is enabled for the tenant and for the device's mailbox",
         "Microsoft 365 admin center: the mailbox > Mail > Manage email apps > Authenticated SMTP; Exchange Online "
         "PowerShell: Get-TransportConfig, Get-CASMailbox -Identity MAILBOX | fl SmtpClientAuthenticationDisabled"},
        {"firmware", "The device's firmware supports OAuth 2.0 for SMTP",
         "The device's Web Config shows an OAuth 2.0 or \"Modern authentication\" choice in its email settings; if "
         "not, update the firmware or relay the device through Tern"},
        {"web-config", "You can reach the device's Web Config",
         "Open https://DEVICE-ADDRESS/ in a browser on the same network and sign in as the device's administrator"},
        {"server", "SMTP server smtp.office365.com, port 587, STARTTLS",
         "Personal Outlook.com mailboxes also accept smtp-mail.outlook.com"},
        {"certificate", "Certificate validation is on",
         "Keep it on: turning it off lets anyone on the network read the device's mail and its sign-in"},
        {"clock", "The device's clock is right",
         "Set an NTP server in Web Config; a clock off by minutes makes certificates and sign-ins fail (error 360)"},
        {"sender", "The sender address is the mailbox that signs in", "Otherwise Exchange Online answers 5.7.3"},
    };
    return list;
}

}  // namespace tern::accounts
