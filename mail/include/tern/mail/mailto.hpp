// mailto: links (RFC 6068), as `tern mailto:...` and the desktop's "send mail to" hand them over.
#pragma once

#include "tern/mail/compose.hpp"

#include <string_view>

namespace tern::mail {

// "mailto:ann@x.org,bob@y.org?cc=c@z.org&subject=Hi%20there&body=Line%0D%0ALine": to (the path
// and every to=), cc, bcc, subject, body (CRLF as \n) and In-Reply-To, percent-decoded as UTF-8.
// Other fields are ignored, attachments included: a link never picks files from the disk.
// Throws tern::Error (BadInput) when the text is not a mailto: link.
ComposeFields parse_mailto(std::string_view uri);

}  // namespace tern::mail
