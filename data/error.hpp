/// \file
/// The one exception type of the data component: a file, a format or a parameter that cannot be used.
/// Messages name the file (and line and column, or byte offset, where there is one), the offending value
/// and what was expected: "iris.csv:12:3: 'abc' is not a number".
#pragma once

// Any header that opens `namespace data` includes xtensor first: xtl (under xtensor) calls an unqualified
// data(...) in a template, which fails to parse if a namespace named `data` is already declared.
#include <xtensor/xtensor.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace data {

/// The error of the data component (see the file description for its messages).
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Bytes from a file or a command line as they may appear in a message: control bytes (NUL, CR, …) and
/// bytes that are not valid UTF-8 become \xNN, so a message is never cut at a NUL nor garbles a terminal;
/// text longer than max_chars is cut with "…".
inline std::string printable(std::string_view s, std::size_t max_chars = 80) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < s.size(); ++shown) {
        if (shown == max_chars) return out + "…";
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        for (std::size_t k = 1; k < len; ++k)
            if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) len = 0;
        if (len == 1 && c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
        } else if (len > 1) {
            out.append(s.substr(i, len));
            i += len;
            continue;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
        ++i;
    }
    return out;
}

}  // namespace data
