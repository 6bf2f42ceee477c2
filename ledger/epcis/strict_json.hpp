// The one JSON parser for every body the node takes (EPCIS documents, pack, recall and alert bodies).
//
// Boost.JSON alone is not strict enough for a ledger: it keeps the last of two members with the same
// name (so two nodes, or a node and a reader, could each see a different member), reads 1e999 as
// infinity, and accepts "\u0000", which PostgreSQL text cannot hold. This parser refuses all three while
// it parses, on top of Boost.JSON's own rules (valid UTF-8, no comments, no trailing commas) and a
// nesting limit. What it accepts, every node and the store read the same way.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "ledger/core/result.hpp"

namespace rxl::json_text {

// Codes of the failures this parser adds (all ErrorKind::invalid_input). A syntax error, or nesting
// deeper than limits::json_depth_max, gets the caller's `syntax_code` ("invalid-json", "bad-body").
inline constexpr std::string_view duplicate_key = "duplicate-json-key";      // an object names a member twice
inline constexpr std::string_view nul_character = "nul-character";           // "\u0000" in a string or a name
inline constexpr std::string_view number_out_of_range = "number-out-of-range";  // not a finite double
inline constexpr std::string_view string_too_long = "string-too-long";       // past limits::json_string_bytes_max

// True if PostgreSQL can store `text` in a text column as it is: valid UTF-8 with no NUL character.
bool is_storable_text(std::string_view text);

// Parses `text` as one JSON value. Never throws (an allocation failure is a syntax-code error too).
Result<boost::json::value> parse(std::string_view text, std::string_view syntax_code);

}  // namespace rxl::json_text
