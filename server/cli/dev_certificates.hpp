// Development TLS client certificates, made with OpenSSL 3: a consortium CA, and certificates it signs
// for clients whose subject CN is a participant id. A node with `tls_client_ca` set to the CA's
// certificate accepts them as read credentials (server/app/tokens.hpp). Every key here is a development
// key: a real consortium runs its CA with its own policy and tools.
//
// Keys are ECDSA P-256 (what every TLS client supports), signatures SHA-256, serial numbers 128 random
// bits, validity from an hour ago (clock skew) for `days`. Private keys are written unencrypted with mode 0600.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"

namespace rxl::cli {

struct CertificateFiles {
    std::filesystem::path certificate;  // PEM
    std::filesystem::path private_key;  // PEM, unencrypted
};

inline constexpr int dev_certificate_days = 825;

// A self-signed CA: CN=common_name, basicConstraints critical CA:TRUE with no subordinate CAs, keyUsage
// keyCertSign and cRLSign. Error "certificate-failed" (internal) or "write-failed".
Status make_certificate_authority(const CertificateFiles& out, std::string_view common_name, int days = dev_certificate_days);

// A client certificate signed by the CA in `authority`: CN=common_name, basicConstraints CA:FALSE,
// keyUsage digitalSignature, extendedKeyUsage clientAuth. Error "unreadable" when the CA files cannot
// be read, otherwise as above.
Status make_client_certificate(const CertificateFiles& authority, const CertificateFiles& out, std::string_view common_name,
                               int days = dev_certificate_days);

// A certificate for a server that is also a client of its peers (an etcd member, a consortium node):
// CN=common_name, extendedKeyUsage serverAuth and clientAuth, subjectAltName IP:127.0.0.1 and DNS:<each
// of host_names>. Errors as for make_client_certificate.
Status make_server_certificate(const CertificateFiles& authority, const CertificateFiles& out, std::string_view common_name,
                               const std::vector<std::string>& host_names, int days = dev_certificate_days);

}  // namespace rxl::cli
