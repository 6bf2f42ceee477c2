#include "ledger/epcis/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "ledger/core/limits.hpp"

namespace rxl::json_text {
namespace {

namespace json = boost::json;

// Why the handler stopped the parse; `none` means Boost.JSON's own error.
enum class Refusal { none, duplicate_key, nul_character, number_out_of_range };

// The member names of the open objects, innermost last, so that a duplicate is found when its name is
// read. Most objects have a few names, compared one by one; past names_scanned_max an object's names
// also go into a hash set, so a hostile object of many names costs no more than linear time.
class OpenObjects {
public:
    void open() {
        starts_.push_back(used_);
        large_.emplace_back();
    }
    void close() {
        used_ = starts_.back();
        starts_.pop_back();
        large_.pop_back();
    }
    // False if the innermost object already has this name.
    bool add(const std::string& name) {
        const auto first = names_.begin() + static_cast<std::ptrdiff_t>(starts_.back());
        const auto last = names_.begin() + static_cast<std::ptrdiff_t>(used_);
        auto& large = large_.back();
        if (large.empty()) {
            if (std::find(first, last, name) != last) return false;
            if (last - first >= static_cast<std::ptrdiff_t>(names_scanned_max)) large.insert(first, last);
        } else if (large.contains(name)) {
            return false;
        }
        if (!large.empty()) large.insert(name);
        if (used_ == names_.size()) names_.emplace_back();
        names_[used_++].assign(name);  // reuses the string's buffer
        return true;
    }

private:
    static constexpr std::size_t names_scanned_max = 32;
    std::vector<std::string> names_;
    std::size_t used_ = 0;
    std::vector<std::size_t> starts_;
    std::vector<std::unordered_set<std::string>> large_;
};

// Builds the value as Boost.JSON's own parser does (a value_stack), and checks, member by member, what
// Boost.JSON lets through.
struct StrictHandler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = limits::json_string_bytes_max;
    static constexpr std::size_t max_string_size = limits::json_string_bytes_max;

    json::value_stack stack;
    OpenObjects objects;
    std::string key;  // the name being read, across parts
    Refusal refusal = Refusal::none;
    std::string detail;

    bool refuse(Refusal why, std::string text, json::error_code& error) {
        refusal = why;
        detail = std::move(text);
        error = json::error::syntax;  // stops the parser; `refusal` says why
        return false;
    }
    bool check_text(json::string_view text, json::error_code& error) {
        if (text.find('\0') != json::string_view::npos)
            return refuse(Refusal::nul_character, "a JSON string holds the character U+0000, which no text field may hold", error);
        return true;
    }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        objects.open();
        return true;
    }
    bool on_object_end(std::size_t n, json::error_code&) {
        objects.close();
        stack.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        stack.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view text, std::size_t, json::error_code& error) {
        if (!check_text(text, error)) return false;
        key.append(text.data(), text.size());
        stack.push_chars(text);
        return true;
    }
    bool on_key(json::string_view text, std::size_t, json::error_code& error) {
        if (!check_text(text, error)) return false;
        key.append(text.data(), text.size());
        if (!objects.add(key))
            return refuse(Refusal::duplicate_key, "an object names the member \"" + key + "\" twice", error);
        key.clear();
        stack.push_key(text);
        return true;
    }
    bool on_string_part(json::string_view text, std::size_t, json::error_code& error) {
        if (!check_text(text, error)) return false;
        stack.push_chars(text);
        return true;
    }
    bool on_string(json::string_view text, std::size_t, json::error_code& error) {
        if (!check_text(text, error)) return false;
        stack.push_string(text);
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t value, json::string_view, json::error_code&) {
        stack.push_int64(value);
        return true;
    }
    bool on_uint64(std::uint64_t value, json::string_view, json::error_code&) {
        stack.push_uint64(value);
        return true;
    }
    bool on_double(double value, json::string_view, json::error_code& error) {
        if (!std::isfinite(value))
            return refuse(Refusal::number_out_of_range, "a JSON number is too large for a double", error);
        stack.push_double(value);
        return true;
    }
    bool on_bool(bool value, json::error_code&) {
        stack.push_bool(value);
        return true;
    }
    bool on_null(json::error_code&) {
        stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

std::string_view code_of(Refusal refusal, std::string_view syntax_code) {
    switch (refusal) {
        case Refusal::none: return syntax_code;
        case Refusal::duplicate_key: return duplicate_key;
        case Refusal::nul_character: return nul_character;
        case Refusal::number_out_of_range: return number_out_of_range;
    }
    return syntax_code;
}

Error parse_error(const StrictHandler& handler, const json::error_code& error, std::string_view syntax_code) {
    std::string detail = handler.detail;
    if (handler.refusal == Refusal::none) {
        if (error == json::error::too_deep) {
            detail = "the JSON is nested deeper than " + std::to_string(limits::json_depth_max) + " levels";
        } else if (error == json::error::string_too_large || error == json::error::key_too_large) {
            return make_error(ErrorKind::invalid_input, std::string(string_too_long),
                              "a JSON string is longer than " + std::to_string(limits::json_string_bytes_max) + " bytes");
        } else {
            detail = "not valid JSON: " + error.message();
        }
    }
    return make_error(ErrorKind::invalid_input, std::string(code_of(handler.refusal, syntax_code)), std::move(detail));
}

// The length of the UTF-8 sequence `lead` starts, or 0 if no sequence starts with it.
std::size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

// True if the continuation bytes of the sequence at `i` are valid (no overlong form, no surrogate, at
// most U+10FFFF: RFC 3629).
bool valid_continuation(std::string_view text, std::size_t i, std::size_t length) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(k) & 0xC0) != 0x80) return false;
    }
    if (length == 3 && byte(0) == 0xE0 && byte(1) < 0xA0) return false;
    if (length == 3 && byte(0) == 0xED && byte(1) >= 0xA0) return false;
    if (length == 4 && byte(0) == 0xF0 && byte(1) < 0x90) return false;
    if (length == 4 && byte(0) == 0xF4 && byte(1) >= 0x90) return false;
    return true;
}

}  // namespace

bool is_storable_text(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = sequence_length(static_cast<unsigned char>(text[i]));
        if (length == 0 || i + length > text.size() || text[i] == '\0') return false;
        if (!valid_continuation(text, i, length)) return false;
        i += length;
    }
    return true;
}

Result<json::value> parse(std::string_view text, std::string_view syntax_code) {
    json::parse_options options;
    options.max_depth = limits::json_depth_max;
    try {
        json::basic_parser<StrictHandler> parser(options);
        parser.handler().stack.reset();
        json::error_code error;
        const std::size_t used = parser.write_some(false, text.data(), text.size(), error);
        if (!error && used < text.size()) error = json::error::extra_data;
        if (error) return parse_error(parser.handler(), error, syntax_code);
        return parser.handler().stack.release();
    } catch (const std::exception& exception) {
        return make_error(ErrorKind::invalid_input, std::string(syntax_code), std::string("not valid JSON: ") + exception.what());
    }
}

}  // namespace rxl::json_text
