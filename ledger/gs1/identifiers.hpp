// GS1 identification keys used on the ledger, their check digits, and their two spellings
// (EPC pure-identity URN and GS1 Digital Link URI).
//
// The canonical key of a unit is (GTIN-14, serial); of a container its SSCC-18. Never key on a URN:
// turning a Digital Link into a URN needs the company-prefix length, which the Digital Link lacks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ledger/core/result.hpp"

namespace rxl::gs1 {

// Mod-10 GS1 check digit over the given digits (the data digits, without the check digit).
// Precondition: digits is non-empty and all ASCII digits.
char check_digit(std::string_view digits_without_check);
// True if text is all digits, of the given length, and its last digit is the right check digit.
bool has_valid_check_digit(std::string_view text, std::size_t length);

// True if every character is in GS1 AI encodable character set 82 (the set serials and lots use).
bool is_cset82(std::string_view text);

struct Sgtin {
    std::string gtin;    // 14 digits, check digit valid
    std::string serial;  // 1..20 chars of CSET 82
    bool operator==(const Sgtin&) const = default;
};
struct Sscc {
    std::string sscc;  // 18 digits, check digit valid
    bool operator==(const Sscc&) const = default;
};
struct Sgln {
    std::string gln;        // 13 digits, check digit valid
    std::string extension;  // empty means none; parse_identifier turns extension "0" into empty
    bool operator==(const Sgln&) const = default;
};
struct Pgln {
    std::string gln;  // 13 digits, party GLN
    bool operator==(const Pgln&) const = default;
};
// A class-level product id (LGTIN or bare GTIN), used in quantity lists.
struct ProductClass {
    std::string gtin;
    std::string lot;  // may be empty
    bool operator==(const ProductClass&) const = default;
};

// Any identifier we understand. `Other` keeps an identifier we do not interpret (e.g. a GRAI, or a
// private URI) verbatim: such ids may appear in events that change no state.
struct Other {
    std::string text;
    bool operator==(const Other&) const = default;
};
using Identifier = std::variant<Sgtin, Sscc, Sgln, Pgln, ProductClass, Other>;

// Parses an EPC pure-identity URN (urn:epc:id:sgtin|sscc|sgln|pgln:…, urn:epc:class:lgtin:…,
// urn:epc:idpat:sgtin:…:*) or a GS1 Digital Link URI on any host (https://id.gs1.org/01/…/21/…,
// /00/…, /414/…[/254/…], /417/…, /01/…[/10/…]). Check digits are verified; serials and lots are
// percent-decoded and must be CSET 82. Unknown schemes come back as Other; a known scheme with a
// bad structure or check digit is an error (code "bad-identifier") naming what is wrong.
Result<Identifier> parse_identifier(std::string_view text);

// The canonical GS1 Digital Link on https://id.gs1.org for an identifier:
// SGTIN → /01/{gtin14}/21/{serial}, SSCC → /00/{sscc}, SGLN → /414/{gln}[/254/{ext}] (ext omitted
// when "0" or empty), PGLN → /417/{gln}, ProductClass → /01/{gtin14}[/10/{lot}]. Serial, lot and
// extension are percent-encoded where the Digital Link syntax requires it. Other → its text unchanged.
std::string to_digital_link(const Identifier& identifier);

// A serial, lot or extension written as a Digital Link path segment: the characters
// ! " # % & ( ) * + , / : < > ? and space become %XX (upper-case hex); every other character of CSET 82
// stays literal. This is the spelling the CBV 2.0 event hash depends on, so it must never change.
std::string encode_digital_link_value(std::string_view value);

// The GS1 company prefix is not recoverable from a GTIN alone; these help authorization checks:
// true if the GTIN-14 (or SSCC, GLN) belongs to the given company prefix.
bool gtin_has_prefix(std::string_view gtin14, std::string_view company_prefix);   // gtin14[1..] starts with prefix
bool sscc_has_prefix(std::string_view sscc18, std::string_view company_prefix);   // sscc18[1..] starts with prefix
bool gln_has_prefix(std::string_view gln13, std::string_view company_prefix);     // gln13 starts with prefix

}  // namespace rxl::gs1
