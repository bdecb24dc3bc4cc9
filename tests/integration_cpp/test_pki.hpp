// Throwaway certificates for the HTTPS client tests, made with the openssl command line in a
// temporary folder when a test first asks for them. Nothing here is trusted outside the tests.
#pragma once

#include <filesystem>

namespace tern::test {

struct CertAndKey {
    std::filesystem::path cert;
    std::filesystem::path key;
};

struct TestPki {
    std::filesystem::path ca;           // the throwaway CA the tests trust via extra_ca_file
    std::filesystem::path other_ca;     // a CA nobody trusts
    std::filesystem::path both_cas;     // bundle: other_ca first, then ca
    std::filesystem::path not_pem;      // a file with no certificate in it
    CertAndKey localhost;               // by ca, SAN DNS:localhost, IP:127.0.0.1
    CertAndKey unknown_issuer;          // by other_ca, same names
    CertAndKey self_signed;             // its own issuer, same names
    CertAndKey expired;                 // by ca, valid 2020-01-01 .. 2020-01-02
    CertAndKey wrong_host;              // by ca, SAN DNS:wrong-host.example only
};

// Generated once per process, removed at exit. Fails the calling test when openssl fails.
const TestPki& test_pki();

}  // namespace tern::test
