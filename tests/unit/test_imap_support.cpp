// The small IMAP conversions of mail/src/imap_support.hpp.
#include "imap_support.hpp"

#include <catch2/catch.hpp>

using tern::mail::detail::uid_set_text;

TEST_CASE("uid_set_text joins runs of consecutive UIDs into ranges", "[imap]") {
    CHECK(uid_set_text({}).empty());
    CHECK(uid_set_text({7}) == "7");
    CHECK(uid_set_text({1, 2, 3, 7, 9, 10}) == "1:3,7,9:10");
    CHECK(uid_set_text({4, 6, 8}) == "4,6,8");
    CHECK(uid_set_text({4294967294, 4294967295}) == "4294967294:4294967295");
}
