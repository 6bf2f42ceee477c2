#include "ledger/apply/submission.hpp"

#include <fmt/format.h>

namespace rxl {

std::string_view to_string(SubmissionKind kind) {
    switch (kind) {
        case SubmissionKind::epcis: return "epcis";
        case SubmissionKind::pack: return "pack";
        case SubmissionKind::recall: return "recall";
        case SubmissionKind::alert: return "alert";
        case SubmissionKind::governance: return "governance";
    }
    RXL_ASSERT_MSG(false, "unknown submission kind");
    return {};
}

std::optional<SubmissionKind> parse_submission_kind(std::string_view text) {
    for (auto kind : {SubmissionKind::epcis, SubmissionKind::pack, SubmissionKind::recall, SubmissionKind::alert,
                      SubmissionKind::governance}) {
        if (to_string(kind) == text) return kind;
    }
    return std::nullopt;
}

std::string signing_message(SubmissionKind kind, std::string_view submitter, std::string_view key_id,
                            std::string_view body) {
    return fmt::format("rxledger-submission/v1\n{}\n{}\n{}\n{}\n", to_string(kind), submitter, key_id,
                       to_hex(sha256(body)));
}

Hash submission_id(const Submission& submission) {
    std::string message = signing_message(submission.kind, submission.submitter, submission.key_id, submission.body);
    return sha256_concat({as_bytes(message), submission.signature});
}

Submission sign_submission(SubmissionKind kind, std::string submitter, std::string key_id, std::string body,
                           const PrivateKey& key) {
    Submission submission{kind, std::move(submitter), std::move(key_id), std::move(body), {}, nullptr};
    std::string message = signing_message(kind, submission.submitter, submission.key_id, submission.body);
    submission.signature = key.sign(as_bytes(message));
    return submission;
}

bool verify_submission(const Submission& submission, const PublicKey& public_key) {
    std::string message = signing_message(submission.kind, submission.submitter, submission.key_id, submission.body);
    return verify_ed25519(public_key, as_bytes(message), submission.signature);
}

}  // namespace rxl
