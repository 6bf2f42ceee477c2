#include "server/cli/dev_certificates.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <string>

namespace rxl::cli {

namespace fs = std::filesystem;

namespace {

struct Free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(X509* certificate) const { X509_free(certificate); }
    void operator()(BIO* bio) const { BIO_free(bio); }
    void operator()(BIGNUM* number) const { BN_free(number); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Certificate = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

constexpr long skew_seconds = 60 * 60;
constexpr int serial_bits = 128;

Error failed(std::string what) { return make_error(ErrorKind::internal, "certificate-failed", "OpenSSL could not " + what); }

bool add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (extension == nullptr) return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

// An unsigned certificate for `key` with CN=common_name, a random serial and the validity period.
Certificate new_certificate(EVP_PKEY* key, std::string_view common_name, int days) {
    Certificate certificate(X509_new());
    std::unique_ptr<BIGNUM, Free> serial(BN_new());
    X509_NAME* subject = certificate ? X509_get_subject_name(certificate.get()) : nullptr;
    const bool made =
        certificate && serial && X509_set_version(certificate.get(), X509_VERSION_3) == 1 &&
        BN_rand(serial.get(), serial_bits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())) != nullptr &&
        X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -skew_seconds) != nullptr &&
        X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(days) * 24 * 60 * 60) != nullptr &&
        X509_set_pubkey(certificate.get(), key) == 1 &&
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.data()),
                                   static_cast<int>(common_name.size()), -1, 0) == 1;
    return made ? std::move(certificate) : Certificate();
}

bool write_file(const fs::path& path, const std::string& text, bool secret) {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    std::error_code ignored;
    if (secret) fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ignored);
    out << text;
    return static_cast<bool>(out);
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

Status write_pem(const CertificateFiles& out, X509* certificate, EVP_PKEY* key) {
    Bio certificate_pem(BIO_new(BIO_s_mem()));
    Bio key_pem(BIO_new(BIO_s_mem()));
    if (!certificate_pem || !key_pem || PEM_write_bio_X509(certificate_pem.get(), certificate) != 1 ||
        PEM_write_bio_PrivateKey(key_pem.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return failed("write PEM");
    }
    if (!write_file(out.private_key, bio_text(key_pem.get()), true) ||
        !write_file(out.certificate, bio_text(certificate_pem.get()), false)) {
        return make_error(ErrorKind::internal, "write-failed", "cannot write " + out.certificate.string() + " or its key");
    }
    return ok_status();
}

}  // namespace

Status make_certificate_authority(const CertificateFiles& out, std::string_view common_name, int days) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) return failed("generate a P-256 key");
    Certificate certificate = new_certificate(key.get(), common_name, days);
    X509* self = certificate.get();
    if (!certificate || X509_set_issuer_name(self, X509_get_subject_name(self)) != 1 ||
        !add_extension(self, self, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_extension(self, self, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_extension(self, self, NID_subject_key_identifier, "hash") ||
        X509_sign(self, key.get(), EVP_sha256()) == 0) {
        return failed("make the CA certificate");
    }
    return write_pem(out, self, key.get());
}

namespace {

// A certificate for `common_name` signed by the CA in `authority`, with these extended key usages and,
// when `alt_names` is not empty, this subjectAltName ("IP:127.0.0.1,DNS:localhost").
Status make_leaf_certificate(const CertificateFiles& authority, const CertificateFiles& out, std::string_view common_name,
                             const char* extended_usage, const std::string& alt_names, int days) {
    Bio certificate_in(BIO_new_file(authority.certificate.c_str(), "r"));
    Bio key_in(BIO_new_file(authority.private_key.c_str(), "r"));
    Certificate issuer(certificate_in ? PEM_read_bio_X509(certificate_in.get(), nullptr, nullptr, nullptr) : nullptr);
    Key issuer_key(key_in ? PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!issuer || !issuer_key) {
        return make_error(ErrorKind::invalid_input, "unreadable",
                          "cannot read the CA certificate and key " + authority.certificate.string() + ", " +
                              authority.private_key.string());
    }
    Key key(EVP_EC_gen("P-256"));
    if (!key) return failed("generate a P-256 key");
    Certificate certificate = new_certificate(key.get(), common_name, days);
    X509* leaf = certificate.get();
    if (!certificate || X509_set_issuer_name(leaf, X509_get_subject_name(issuer.get())) != 1 ||
        !add_extension(leaf, issuer.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(leaf, issuer.get(), NID_key_usage, "critical,digitalSignature") ||
        !add_extension(leaf, issuer.get(), NID_ext_key_usage, extended_usage) ||
        (!alt_names.empty() && !add_extension(leaf, issuer.get(), NID_subject_alt_name, alt_names.c_str())) ||
        !add_extension(leaf, issuer.get(), NID_subject_key_identifier, "hash") ||
        !add_extension(leaf, issuer.get(), NID_authority_key_identifier, "keyid:always") ||
        X509_sign(leaf, issuer_key.get(), EVP_sha256()) == 0) {
        return failed("make the certificate for " + std::string(common_name));
    }
    return write_pem(out, leaf, key.get());
}

}  // namespace

Status make_client_certificate(const CertificateFiles& authority, const CertificateFiles& out, std::string_view common_name,
                               int days) {
    return make_leaf_certificate(authority, out, common_name, "clientAuth", {}, days);
}

Status make_server_certificate(const CertificateFiles& authority, const CertificateFiles& out, std::string_view common_name,
                               const std::vector<std::string>& host_names, int days) {
    std::string alt_names = "IP:127.0.0.1";
    for (const auto& name : host_names) alt_names += ",DNS:" + name;
    return make_leaf_certificate(authority, out, common_name, "serverAuth,clientAuth", alt_names, days);
}

}  // namespace rxl::cli
