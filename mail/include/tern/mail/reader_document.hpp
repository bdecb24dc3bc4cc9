// What the reader's web view loads for an HTML message: the message's HTML behind a Content
// Security Policy that comes first in the document, so that nothing the message says can loosen
// it. Scripts, frames, forms and plugins never run; remote images, styles and fonts load only when
// the person allowed them for the sender; images the message carries (cid:) become data: URIs.
#pragma once

#include "tern/mail/parsed_message.hpp"

#include <string>
#include <string_view>

namespace tern::mail {

struct ReaderDocument {
    std::string html;             // the whole document for the web view
    bool has_remote_content = false;  // the message refers to images, styles or fonts on the network
};

// The policy itself (the content of the meta element).
std::string reader_content_policy(bool allow_remote);

// `raw` is the whole message that `parsed` came from (its inline images are read from it).
ReaderDocument reader_document(std::string_view raw, const ParsedMessage& parsed, bool allow_remote);

// Whether the HTML refers to remote resources a page would load by itself (src=, background=,
// srcset=, poster=, CSS url(), <link href>): what decides if the reader offers to show them.
bool refers_to_remote_content(std::string_view html);

}  // namespace tern::mail
