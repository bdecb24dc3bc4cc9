#include "tern/mail/login_check.hpp"

#include "mail_service.hpp"

namespace tern::mail {

LoginCheck check_login(const ConnectionOptions& options) {
    detail::MailService service(options);
    return LoginCheck{service.secured(), service.recorder().last_reply()};
}

}  // namespace tern::mail
