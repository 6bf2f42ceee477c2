// Text spellings of values for PostgreSQL parameters: array literals for bulk writes through unnest(),
// hex for bytea. Parameters are always passed separately from the SQL text, never spliced in.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace rxl::store {

// A text[] literal: {"a","b\"c"}. Every element is quoted and escaped; an empty optional-like value is
// written as NULL when null_if_empty is set.
std::string text_array(const std::vector<std::string>& values, bool null_if_empty = false);

}  // namespace rxl::store
