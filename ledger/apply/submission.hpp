// Submissions: the signed bytes a participant (or a node) hands to the ledger.
//
// The signature is Ed25519 over the ASCII message (DESIGN.md section 4)
//     rxledger-submission/v1\n<kind>\n<submitter>\n<key id>\n<hex SHA-256 of body>\n
// so a signature over one kind can never be replayed as another. The body is kept byte-exact.
//
// A submission's id is SHA-256(signing message ‖ 64 signature bytes): the same signed bytes always have
// the same id (Ed25519 signatures are deterministic), and that id makes a retry harmless.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/core/bytes.hpp"
#include "ledger/core/result.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl::epcis {
struct Document;
}

namespace rxl {

enum class SubmissionKind { epcis, pack, recall, alert, governance };

std::string_view to_string(SubmissionKind kind);
std::optional<SubmissionKind> parse_submission_kind(std::string_view text);

struct Submission {
    SubmissionKind kind = SubmissionKind::epcis;
    std::string submitter;  // participant id (or node id for alerts)
    std::string key_id;
    std::string body;       // exactly the bytes received
    Signature signature{};

    // Not part of the signed bytes: a parse of `body` done before ordering, which apply may reuse
    // instead of parsing again. It is a pure function of `body`, so reusing it keeps apply deterministic.
    std::shared_ptr<const epcis::Document> parsed_document;
};

// The exact message that is signed.
std::string signing_message(SubmissionKind kind, std::string_view submitter, std::string_view key_id,
                            std::string_view body);
Hash submission_id(const Submission& submission);

// Signs a body as a participant's key would.
Submission sign_submission(SubmissionKind kind, std::string submitter, std::string key_id, std::string body,
                           const PrivateKey& key);

// True if the signature is valid for the public key.
bool verify_submission(const Submission& submission, const PublicKey& public_key);

}  // namespace rxl
