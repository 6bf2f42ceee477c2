// Reading the JSON bodies of pack, recall and alert submissions.
//
// Strict on purpose: a body is one JSON object; every member must be one its kind defines, so an unknown
// or misspelt member is refused rather than ignored (a misspelt "lots" would otherwise turn a lot recall
// into the withdrawal of a whole GTIN); every field has one type. Every failure is an Error of kind
// invalid_input, code "bad-body", whose pointer names the member ("/gtin", "/lots/2"), or is empty when
// the body as a whole is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "ledger/core/result.hpp"

namespace rxl::body {

inline constexpr std::string_view bad_body = "bad-body";

Error bad_body_error(std::string detail, std::string pointer);

// Parses `text` as a JSON object whose members are all among `members` (depth limited to
// limits::json_depth_max).
Result<boost::json::object> parse_object(std::string_view text, std::initializer_list<std::string_view> members);

// A string member. Absent: an error if `required`, else "". Present: a string of at most `chars_max`
// characters, not empty if `required`.
Result<std::string> string_member(const boost::json::object& object, std::string_view name, bool required,
                                  std::size_t chars_max);
// A GTIN-14: 14 digits with a valid check digit; required.
Result<std::string> gtin_member(const boost::json::object& object, std::string_view name);
// A GLN-13: 13 digits with a valid check digit; "" allowed when not `required`.
Result<std::string> gln_member(const boost::json::object& object, std::string_view name, bool required);
// A serial or lot: 1 to 20 characters of GS1 CSET 82; "" allowed when not `required`.
Result<std::string> serial_or_lot_member(const boost::json::object& object, std::string_view name, bool required);
// A whole number that fits int64; required.
Result<std::int64_t> integer_member(const boost::json::object& object, std::string_view name);

// The optional "request_id" member: at most limits::request_id_chars_max characters. It is not used by
// any rule: it only makes two requests for the same operation (dispense, undo, dispense again) different
// bytes, so that the second is not answered as a retry of the first (a submission's id is the hash of
// its signed bytes).
Status check_request_id(const boost::json::object& object);

// The JSON pointer of a member: "/" + name (names here never hold '~' or '/').
std::string pointer_to(std::string_view name);

}  // namespace rxl::body
