#include "test_pki.hpp"

#include "temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#ifndef TERN_OPENSSL_EXECUTABLE
#define TERN_OPENSSL_EXECUTABLE "openssl"
#endif

namespace tern::test {
namespace {

namespace fs = std::filesystem;

// One config for every step: request defaults, the extension sets, and a minimal `openssl ca`
// (the only tool that sets an arbitrary validity window, needed for the expired certificate).
std::string openssl_config(const fs::path& dir) {
    return "[ req ]\n"
           "distinguished_name = dn\n"
           "prompt = no\n"
           "[ dn ]\n"
           "CN = unused\n"
           "[ v3_ca ]\n"
           "basicConstraints = critical,CA:TRUE\n"
           "keyUsage = critical,keyCertSign,cRLSign\n"
           "subjectKeyIdentifier = hash\n"
           "[ server_localhost ]\n"
           "basicConstraints = CA:FALSE\n"
           "keyUsage = critical,digitalSignature\n"
           "extendedKeyUsage = serverAuth\n"
           "subjectAltName = DNS:localhost,IP:127.0.0.1\n"
           "[ server_wrong_host ]\n"
           "basicConstraints = CA:FALSE\n"
           "keyUsage = critical,digitalSignature\n"
           "extendedKeyUsage = serverAuth\n"
           "subjectAltName = DNS:wrong-host.example\n"
           "[ ca ]\n"
           "default_ca = test_ca\n"
           "[ test_ca ]\n"
           "database = " + (dir / "index.txt").string() + "\n"
           "new_certs_dir = " + (dir / "issued").string() + "\n"
           "serial = " + (dir / "serial").string() + "\n"
           "certificate = " + (dir / "ca.pem").string() + "\n"
           "private_key = " + (dir / "ca.key").string() + "\n"
           "default_md = sha256\n"
           "policy = policy_any\n"
           "unique_subject = no\n"
           "[ policy_any ]\n"
           "commonName = supplied\n";
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class PkiBuilder {
public:
    explicit PkiBuilder(const fs::path& dir) : dir_(dir) {
        write_file(dir_ / "openssl.cnf", openssl_config(dir_));
        write_file(dir_ / "index.txt", "");
        write_file(dir_ / "serial", "1000\n");
        fs::create_directories(dir_ / "issued");
    }

    // Runs in dir_ with output to a log, so a failure shows openssl's own words.
    void run(const std::string& arguments) {
        const fs::path log = dir_ / "openssl.log";
        const std::string command = "cd '" + dir_.string() + "' && '" + TERN_OPENSSL_EXECUTABLE +
                                    "' " + arguments + " >'" + log.string() + "' 2>&1";
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("openssl " + arguments + " failed:\n" + read_file(log));
    }

    void make_ca(const std::string& name, const std::string& subject) {
        run("req -x509 -config openssl.cnf -extensions v3_ca " + new_key(name) +
            " -out " + name + ".pem -days 3 -subj '/CN=" + subject + "'");
    }

    void make_self_signed(const std::string& name) {
        run("req -x509 -config openssl.cnf -extensions server_localhost " + new_key(name) +
            " -out " + name + ".pem -days 3 -subj '/CN=localhost'");
    }

    void make_request(const std::string& name, const std::string& common_name) {
        run("req -new -config openssl.cnf " + new_key(name) + " -out " + name + ".csr -subj '/CN=" +
            common_name + "'");
    }

    void sign(const std::string& name, const std::string& ca, const std::string& extensions) {
        run("x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
            ".key -CAcreateserial -days 3 -extfile openssl.cnf -extensions " + extensions +
            " -out " + name + ".pem");
    }

    void sign_expired(const std::string& name) {
        run("ca -batch -config openssl.cnf -notext -extfile openssl.cnf -extensions server_localhost"
            " -startdate 20200101000000Z -enddate 20200102000000Z -in " +
            name + ".csr -out " + name + ".pem");
    }

    CertAndKey pair(const std::string& name) const {
        return {dir_ / (name + ".pem"), dir_ / (name + ".key")};
    }

private:
    static std::string new_key(const std::string& name) {
        return "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name + ".key";
    }

    fs::path dir_;
};

TestPki build(const fs::path& dir) {
    PkiBuilder pki(dir);
    pki.make_ca("ca", "Tern Test CA");
    pki.make_ca("other-ca", "Tern Unknown Test CA");
    pki.make_self_signed("self-signed");
    for (const char* name : {"localhost", "unknown-issuer", "expired"})
        pki.make_request(name, "localhost");
    pki.make_request("wrong-host", "wrong-host.example");
    pki.sign("localhost", "ca", "server_localhost");
    pki.sign("unknown-issuer", "other-ca", "server_localhost");
    pki.sign("wrong-host", "ca", "server_wrong_host");
    pki.sign_expired("expired");

    TestPki result;
    result.ca = dir / "ca.pem";
    result.other_ca = dir / "other-ca.pem";
    result.both_cas = dir / "both-cas.pem";
    write_file(result.both_cas, read_file(result.other_ca) + read_file(result.ca));
    result.not_pem = dir / "not-a-certificate.txt";
    write_file(result.not_pem, "this is not a certificate\n");
    result.localhost = pki.pair("localhost");
    result.unknown_issuer = pki.pair("unknown-issuer");
    result.self_signed = pki.pair("self-signed");
    result.expired = pki.pair("expired");
    result.wrong_host = pki.pair("wrong-host");
    return result;
}

}  // namespace

const TestPki& test_pki() {
    static const TempDir dir;
    static const TestPki pki = build(dir.path());
    return pki;
}

}  // namespace tern::test
