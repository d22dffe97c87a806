/// \file
/// Reading whole files, transparently gunzipped when they start with the gzip magic bytes (1f 8b).
#pragma once

// Any header that opens `namespace data` includes xtensor first: xtl (under xtensor) calls an unqualified
// data(...) in a template, which fails to parse if a namespace named `data` is already declared.
#include <xtensor/xtensor.hpp>

#include <string>

namespace data {

/// The bytes of a file (decompressed if gzipped). Throws DataError naming the file if it cannot be
/// opened or its gzip stream is corrupt or truncated.
std::string read_file(const std::string& path);

/// Write bytes to path atomically: to a temporary name beside it, then rename.
/// \throws DataError naming the file if the temporary file cannot be created or written, or the rename fails.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace data
