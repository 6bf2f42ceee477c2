#include "ledger/merkle/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "ledger/core/assert.hpp"
#include "ledger/core/bytes.hpp"

namespace rxl::merkle {

namespace {

// U+2014 EM DASH then a space: how every signature line starts.
constexpr std::string_view signature_line_prefix = "\xE2\x80\x94 ";
constexpr std::size_t key_id_bytes = 4;
constexpr std::size_t key_id_hex_chars = 8;

Error malformed_note(std::string detail) {
    return make_error(ErrorKind::invalid_input, "malformed-note", std::move(detail));
}
Error bad_verifier_key(std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-verifier-key", std::move(detail));
}
Error malformed_checkpoint(std::string detail) {
    return make_error(ErrorKind::invalid_input, "malformed-checkpoint", std::move(detail));
}

// Decodes one UTF-8 sequence at text[pos] and advances pos. Nothing for an invalid, overlong or
// surrogate sequence, as the Unicode standard defines well-formed UTF-8 (table 3-7).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    // Sequence length, payload bits of the lead byte, and the smallest code point that needs the length.
    struct Form {
        std::size_t length;
        char32_t cp;
        char32_t minimum;
    };
    Form form{};
    if ((lead & 0xE0) == 0xC0) {
        form = {2, lead & 0x1Fu, 0x80};
    } else if ((lead & 0xF0) == 0xE0) {
        form = {3, lead & 0x0Fu, 0x800};
    } else if ((lead & 0xF8) == 0xF0) {
        form = {4, lead & 0x07u, 0x10000};
    } else {
        return std::nullopt;
    }
    if (text.size() - pos < form.length) return std::nullopt;
    for (std::size_t i = 1; i < form.length; ++i) {
        if ((byte(pos + i) & 0xC0) != 0x80) return std::nullopt;
        form.cp = (form.cp << 6) | (byte(pos + i) & 0x3Fu);
    }
    if (form.cp < form.minimum || form.cp > 0x10FFFF || (form.cp >= 0xD800 && form.cp <= 0xDFFF)) return std::nullopt;
    pos += form.length;
    return form.cp;
}

// Unicode White_Space (what Go's unicode.IsSpace tests), which key names must not contain.
bool is_unicode_space(char32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

// Valid UTF-8 with no ASCII control character other than newline: the rule for a whole signed note.
bool is_note_safe(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const auto cp = next_code_point(text, pos);
        if (!cp || (*cp < 0x20 && *cp != '\n')) return false;
    }
    return true;
}

std::optional<std::string> note_text_problem(std::string_view text) {
    if (text.empty() || text.back() != '\n') return "note text must end with a newline";
    if (!is_note_safe(text)) return "note text must be UTF-8 without control characters other than newline";
    return std::nullopt;
}

std::string signature_line(std::string_view text, std::string_view key_name, const PrivateKey& key) {
    const std::uint32_t key_id = ed25519_key_id(key_name, key.public_key());
    const Signature signature = key.sign(as_bytes(text));
    Bytes payload;
    payload.reserve(key_id_bytes + signature.size());
    for (int shift = 24; shift >= 0; shift -= 8) payload.push_back(static_cast<std::uint8_t>(key_id >> shift));
    payload.insert(payload.end(), signature.begin(), signature.end());
    return std::string(signature_line_prefix) + std::string(key_name) + " " + to_base64(payload) + "\n";
}

// A note split at its last blank line into text and signature block.
struct NoteParts {
    std::string_view text;
    std::string_view signatures;  // one or more lines, each ending in newline
};
Result<NoteParts> split_note(std::string_view note) {
    if (note.size() > note_bytes_max) {
        return malformed_note("note is " + std::to_string(note.size()) + " bytes, over the limit of " +
                              std::to_string(note_bytes_max));
    }
    if (!is_note_safe(note)) {
        return malformed_note("note must be UTF-8 without control characters other than newline");
    }
    const std::size_t blank = note.rfind("\n\n");
    if (blank == std::string_view::npos) {
        return malformed_note("no blank line separates the text from the signatures");
    }
    NoteParts parts{note.substr(0, blank + 1), note.substr(blank + 2)};
    if (parts.signatures.empty()) return malformed_note("note has no signature lines");
    if (parts.signatures.back() != '\n') {
        return malformed_note("the last signature line does not end with a newline");
    }
    return parts;
}

struct SignatureLine {
    std::string_view key_name;
    std::uint32_t key_id = 0;
    Bytes signature;  // without the key id
};
Result<SignatureLine> parse_signature_line(std::string_view line) {
    if (!line.starts_with(signature_line_prefix)) {
        return malformed_note("a signature line must start with an em dash and a space");
    }
    line.remove_prefix(signature_line_prefix.size());
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return malformed_note("a signature line has no space after the key name");
    SignatureLine parsed{line.substr(0, space), 0, {}};
    if (!is_valid_key_name(parsed.key_name)) return malformed_note("a signature line has an invalid key name");
    const auto payload = from_base64(line.substr(space + 1));
    const std::string key_name(parsed.key_name);
    if (!payload) return malformed_note("the signature of key " + key_name + " is not base64");
    if (payload->size() <= key_id_bytes) return malformed_note("the signature of key " + key_name + " is too short");
    for (std::size_t i = 0; i < key_id_bytes; ++i) parsed.key_id = (parsed.key_id << 8) | (*payload)[i];
    parsed.signature.assign(payload->begin() + key_id_bytes, payload->end());
    return parsed;
}

// The index of the trusted key with this name and id, if any.
std::optional<std::size_t> find_key(std::span<const VerifierKey> keys, const SignatureLine& line) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].name == line.key_name && keys[i].key_id == line.key_id) return i;
    }
    return std::nullopt;
}

bool verify_signature(const VerifierKey& key, std::string_view text, const Bytes& signature_bytes) {
    Signature signature{};
    if (signature_bytes.size() != signature.size()) return false;
    std::copy(signature_bytes.begin(), signature_bytes.end(), signature.begin());
    return verify_ed25519(key.public_key, as_bytes(text), signature);
}

// Strict ASCII decimal: digits only, no leading zero unless the value is 0, at most 2^64 - 1.
std::optional<std::uint64_t> parse_tree_size(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    if (text.size() > 1 && text[0] == '0') return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<Hash> parse_root(std::string_view text) {
    const auto bytes = from_base64(text);
    Hash root{};
    if (!bytes || bytes->size() != root.size()) return std::nullopt;
    std::copy(bytes->begin(), bytes->end(), root.begin());
    // One spelling per root: refuse base64 whose unused bits are set, so signed text maps to one value.
    if (to_base64(root) != text) return std::nullopt;
    return root;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t newline = text.find('\n', start);
        RXL_ASSERT(newline != std::string_view::npos);  // callers check the text ends in a newline
        lines.push_back(text.substr(start, newline - start));
        start = newline + 1;
    }
    return lines;
}

}  // namespace

// --- Keys --------------------------------------------------------------------------------------------

bool is_valid_key_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t pos = 0; pos < name.size();) {
        const auto cp = next_code_point(name, pos);
        if (!cp || *cp < 0x20 || *cp == '+' || is_unicode_space(*cp)) return false;
    }
    return true;
}

std::uint32_t ed25519_key_id(std::string_view name, const PublicKey& public_key) {
    const std::uint8_t separator[] = {'\n', note_ed25519_type};
    const Hash hash = sha256_concat({as_bytes(name), separator, public_key});
    return (std::uint32_t{hash[0]} << 24) | (std::uint32_t{hash[1]} << 16) | (std::uint32_t{hash[2]} << 8) |
           std::uint32_t{hash[3]};
}

Result<VerifierKey> make_verifier_key(std::string_view name, const PublicKey& public_key) {
    if (!is_valid_key_name(name)) return bad_verifier_key("invalid key name: empty, or with a space or '+'");
    return VerifierKey{std::string(name), ed25519_key_id(name, public_key), public_key};
}

std::string format_verifier_key(const VerifierKey& key) {
    const std::uint8_t id[] = {static_cast<std::uint8_t>(key.key_id >> 24), static_cast<std::uint8_t>(key.key_id >> 16),
                               static_cast<std::uint8_t>(key.key_id >> 8), static_cast<std::uint8_t>(key.key_id)};
    Bytes typed_key{note_ed25519_type};
    typed_key.insert(typed_key.end(), key.public_key.begin(), key.public_key.end());
    return key.name + "+" + to_hex(id) + "+" + to_base64(typed_key);
}

Result<VerifierKey> parse_verifier_key(std::string_view text) {
    const std::size_t first_plus = text.find('+');
    const std::size_t second_plus =
        first_plus == std::string_view::npos ? std::string_view::npos : text.find('+', first_plus + 1);
    if (second_plus == std::string_view::npos) return bad_verifier_key("a verifier key is name+keyid+key");
    const std::string_view name = text.substr(0, first_plus);
    const std::string_view id_hex = text.substr(first_plus + 1, second_plus - first_plus - 1);
    const auto typed_key = from_base64(text.substr(second_plus + 1));
    if (!is_valid_key_name(name)) return bad_verifier_key("invalid key name");
    const auto id = from_hex(id_hex);
    if (id_hex.size() != key_id_hex_chars || !id) return bad_verifier_key("key id must be 8 hex digits");
    if (!typed_key || typed_key->size() != 1 + PublicKey{}.size()) {
        return bad_verifier_key("key must be base64 of 33 bytes");
    }
    if ((*typed_key)[0] != note_ed25519_type) return bad_verifier_key("key type is not Ed25519 (0x01)");
    VerifierKey key{std::string(name), 0, {}};
    std::copy(typed_key->begin() + 1, typed_key->end(), key.public_key.begin());
    for (std::uint8_t byte : *id) key.key_id = (key.key_id << 8) | byte;
    if (key.key_id != ed25519_key_id(name, key.public_key)) {
        return bad_verifier_key("key id does not match the name and key");
    }
    return key;
}

// --- Signing and verifying notes ---------------------------------------------------------------------

Result<std::string> sign_note(std::string_view text, std::string_view key_name, const PrivateKey& key) {
    if (auto problem = note_text_problem(text)) return malformed_note(std::move(*problem));
    if (!is_valid_key_name(key_name)) return malformed_note("invalid key name: empty, or with a space or '+'");
    return std::string(text) + "\n" + signature_line(text, key_name, key);
}

Result<std::string> add_signature(std::string_view signed_note, std::string_view key_name,
                                  const PrivateKey& key) {
    auto parts = split_note(signed_note);
    if (!parts) return parts.error();
    if (!is_valid_key_name(key_name)) return malformed_note("invalid key name: empty, or with a space or '+'");
    return std::string(signed_note) + signature_line(parts->text, key_name, key);
}

Result<VerifiedNote> verify_note(std::string_view note, std::span<const VerifierKey> keys) {
    auto parts = split_note(note);
    if (!parts) return parts.error();
    const std::vector<std::string_view> lines = split_lines(parts->signatures);
    if (lines.size() > note_signatures_max) {
        return malformed_note("note has " + std::to_string(lines.size()) + " signatures, over the limit of " +
                              std::to_string(note_signatures_max));
    }
    std::vector<bool> verified(keys.size(), false);
    for (std::string_view line_text : lines) {
        auto line = parse_signature_line(line_text);
        if (!line) return line.error();
        const auto key_index = find_key(keys, *line);
        if (!key_index) continue;  // unknown (name, id): ignored, as the spec requires
        if (!verify_signature(keys[*key_index], parts->text, line->signature)) {
            return make_error(ErrorKind::unauthenticated, "bad-signature",
                              "the signature of trusted key " + keys[*key_index].name + " does not verify");
        }
        verified[*key_index] = true;
    }
    VerifiedNote result{std::string(parts->text), {}};
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (verified[i]) result.verified_keys.push_back(i);
    }
    if (result.verified_keys.empty()) {
        return make_error(ErrorKind::unauthenticated, "no-trusted-signature", "no trusted key signed the note");
    }
    return result;
}

// --- Checkpoint bodies -------------------------------------------------------------------------------

std::string format_checkpoint(const Checkpoint& checkpoint) {
    RXL_ASSERT(!checkpoint.origin.empty() && checkpoint.origin.find('\n') == std::string::npos);
    std::string text =
        checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" + to_base64(checkpoint.root) + "\n";
    for (const std::string& line : checkpoint.extension_lines) {
        RXL_ASSERT(!line.empty() && line.find('\n') == std::string::npos);
        text += line + "\n";
    }
    return text;
}

Result<Checkpoint> parse_checkpoint(std::string_view text) {
    if (auto problem = note_text_problem(text)) return malformed_checkpoint(std::move(*problem));
    const std::vector<std::string_view> lines = split_lines(text);
    if (lines.size() < 3) return malformed_checkpoint("a checkpoint has at least three lines: origin, size, root");
    if (lines[0].empty()) return malformed_checkpoint("the origin line is empty");
    const auto size = parse_tree_size(lines[1]);
    if (!size) {
        return malformed_checkpoint("the tree size is not a decimal number without leading zeros that fits 64 bits");
    }
    const auto root = parse_root(lines[2]);
    if (!root) return malformed_checkpoint("the root is not canonical base64 of 32 bytes");
    Checkpoint checkpoint{std::string(lines[0]), *size, *root, {}};
    for (std::size_t i = 3; i < lines.size(); ++i) {
        if (lines[i].empty()) return malformed_checkpoint("extension lines must not be empty");
        checkpoint.extension_lines.emplace_back(lines[i]);
    }
    return checkpoint;
}

Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, std::string_view key_name,
                                    const PrivateKey& key) {
    return sign_note(format_checkpoint(checkpoint), key_name, key);
}

Result<VerifiedCheckpoint> verify_checkpoint(std::string_view note, std::span<const VerifierKey> keys) {
    auto verified = verify_note(note, keys);
    if (!verified) return verified.error();
    auto checkpoint = parse_checkpoint(verified->text);
    if (!checkpoint) return checkpoint.error();
    return VerifiedCheckpoint{std::move(*checkpoint), std::move(verified->verified_keys)};
}

}  // namespace rxl::merkle
