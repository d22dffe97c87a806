// The .npy format (numpy/lib/format.py): the magic "\x93NUMPY", a major and minor version byte, the header
// length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), an ASCII header that is a Python
// dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (n, d), } padded with spaces and ended
// by '\n', then the array's bytes. Every offset is checked against the file size before it is read.
#include "data/npy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data/error.hpp"
#include "data/files.hpp"

namespace data {
namespace {

constexpr char magic[] = "\x93NUMPY";
constexpr std::size_t magic_len = 6;

bool host_is_little_endian() {
    const std::uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

struct Dtype {
    char kind = 'f';            // 'f' float, 'i' signed, 'u' unsigned integer
    std::size_t size = 8;       // bytes per element
    bool little = true;         // byte order of the file
};

struct Header {
    Dtype dtype;
    std::vector<std::size_t> shape;
    std::size_t data_offset = 0;  // where the array's bytes begin
};

// A cursor over the header dict. Only the literals numpy writes are understood: quoted strings,
// True/False, and tuples of non-negative integers.
class DictParser {
public:
    DictParser(const std::string& path, const std::string& text) : path_(path), text_(text) {}

    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
    }
    bool at(char c) {
        skip_space();
        return pos_ < text_.size() && text_[pos_] == c;
    }
    void expect(char c) {
        if (!at(c)) fail(fmt::format("expected '{}'", c));
        ++pos_;
    }
    std::string string_literal() {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a quoted string");
        const char quote = text_[pos_++];
        const std::size_t end = text_.find(quote, pos_);
        if (end == std::string::npos) fail("unterminated string");
        std::string s = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return s;
    }
    bool boolean() {
        skip_space();
        for (const auto& [word, value] : {std::pair<const char*, bool>{"True", true}, {"False", false}})
            if (text_.compare(pos_, std::strlen(word), word) == 0) {
                pos_ += std::strlen(word);
                return value;
            }
        fail("expected True or False");
    }
    std::size_t integer() {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') fail("expected a non-negative integer");
        std::size_t v = 0;
        for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
            const std::size_t digit = std::size_t(text_[pos_] - '0');
            if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("shape entry too large");
            v = v * 10 + digit;
        }
        if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;   // Python 2 longs: "(3L, 4L)"
        return v;
    }
    // "()" or "(n,)" or "(n, d)" or longer; a trailing comma is allowed.
    std::vector<std::size_t> tuple() {
        std::vector<std::size_t> t;
        expect('(');
        while (!at(')')) {
            t.push_back(integer());
            if (!at(')')) expect(',');
        }
        expect(')');
        return t;
    }
    bool done() {
        skip_space();
        return pos_ == text_.size();
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw DataError(fmt::format("{}: malformed header at character {}: {} (header: {})", path_, pos_, what,
                                    text_.substr(0, text_.find_last_not_of(" \n") + 1)));
    }

private:
    const std::string& path_;
    const std::string& text_;
    std::size_t pos_ = 0;
};

Dtype parse_descr(const std::string& path, const std::string& descr) {
    const auto unsupported = [&]() {
        return DataError(fmt::format("{}: dtype '{}' not supported (expected float32/float64 or an integer of "
                                     "1, 2, 4 or 8 bytes, e.g. '<f8', '|u1', '>i4')",
                                     path, descr));
    };
    if (descr.size() != 3) throw unsupported();
    Dtype t;
    const char order = descr[0];
    t.kind = descr[1];
    if (descr[2] < '1' || descr[2] > '8') throw unsupported();
    t.size = std::size_t(descr[2] - '0');
    const bool size_ok = t.kind == 'f' ? (t.size == 4 || t.size == 8)
                                       : (t.kind == 'i' || t.kind == 'u') && (t.size == 1 || t.size == 2 ||
                                                                              t.size == 4 || t.size == 8);
    // '|' means "byte order does not apply", which is only true of 1-byte types.
    const bool order_ok = order == '<' || order == '>' || (order == '|' && t.size == 1);
    if (!size_ok || !order_ok) throw unsupported();
    t.little = order != '>';
    return t;
}

Header parse_header(const std::string& path, const std::string& bytes) {
    if (bytes.size() < magic_len + 2 || bytes.compare(0, magic_len, magic, magic_len) != 0)
        throw DataError(fmt::format("{}: not a .npy file (bad magic string; expected \\x93NUMPY)", path));
    const unsigned major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
    if (!(minor == 0 && (major == 1 || major == 2 || major == 3)))
        throw DataError(fmt::format("{}: .npy format version {}.{} not supported (expected 1.0, 2.0 or 3.0)", path,
                                    major, minor));

    const std::size_t len_bytes = major == 1 ? 2 : 4;
    const std::size_t header_start = magic_len + 2 + len_bytes;
    if (bytes.size() < header_start)
        throw DataError(fmt::format("{}: truncated: {} bytes end inside the header length", path, bytes.size()));
    std::size_t header_len = 0;
    for (std::size_t k = 0; k < len_bytes; ++k)
        header_len |= std::size_t(static_cast<unsigned char>(bytes[magic_len + 2 + k])) << (8 * k);
    if (header_len > bytes.size() - header_start)
        throw DataError(fmt::format("{}: header length {} runs past the end of the file ({} bytes)", path,
                                    header_len, bytes.size()));

    const std::string text = bytes.substr(header_start, header_len);
    DictParser p(path, text);
    Header h;
    h.data_offset = header_start + header_len;
    bool have_descr = false, have_order = false, have_shape = false;
    p.expect('{');
    while (!p.at('}')) {
        const std::string key = p.string_literal();
        p.expect(':');
        if (key == "descr") {
            h.dtype = parse_descr(path, p.string_literal());
            have_descr = true;
        } else if (key == "fortran_order") {
            if (p.boolean())
                throw DataError(fmt::format("{}: fortran_order is True; only C-order arrays are supported", path));
            have_order = true;
        } else if (key == "shape") {
            h.shape = p.tuple();
            have_shape = true;
        } else {
            p.fail(fmt::format("unexpected key '{}'", key));
        }
        if (!p.at('}')) p.expect(',');
    }
    p.expect('}');
    if (!p.done()) p.fail("text after the dict");
    if (!have_descr || !have_order || !have_shape)
        throw DataError(fmt::format("{}: header lacks the key '{}' (header: {})", path,
                                    !have_descr ? "descr" : !have_order ? "fortran_order" : "shape",
                                    text.substr(0, text.find_last_not_of(" \n") + 1)));

    if (h.shape.size() != 1 && h.shape.size() != 2)
        throw DataError(fmt::format("{}: {}-d array (shape ({})); expected 1-D or 2-D", path, h.shape.size(),
                                    fmt::join(h.shape, ", ")));
    return h;
}

// One element at p, in the file's byte order, as a double. 64-bit integers beyond 2^53 round.
double element(const unsigned char* p, const Dtype& t, bool swap) {
    unsigned char b[8];
    for (std::size_t k = 0; k < t.size; ++k) b[k] = swap ? p[t.size - 1 - k] : p[k];
    const auto as = [&](auto v) {
        std::memcpy(&v, b, sizeof v);
        return static_cast<double>(v);
    };
    if (t.kind == 'f') return t.size == 4 ? as(float{}) : as(double{});
    if (t.kind == 'i') {
        switch (t.size) {
            case 1: return as(std::int8_t{});
            case 2: return as(std::int16_t{});
            case 4: return as(std::int32_t{});
            default: return as(std::int64_t{});
        }
    }
    switch (t.size) {
        case 1: return as(std::uint8_t{});
        case 2: return as(std::uint16_t{});
        case 4: return as(std::uint32_t{});
        default: return as(std::uint64_t{});
    }
}

std::string stem(const std::string& path) {
    std::filesystem::path p(path);
    if (p.extension() == ".gz") p = p.stem();
    return p.stem().string();
}

// A one-hot target matrix must not be absurdly wide: Y is n × c doubles, so a stray label of 10⁹ would
// ask for gigabytes. 65536 classes is far beyond any dataset this project handles.
constexpr std::size_t max_classes = std::size_t(1) << 16;

}  // namespace

Matrix load_npy_matrix(const std::string& path) {
    const std::string bytes = read_file(path);
    const Header h = parse_header(path, bytes);
    const std::size_t rows = h.shape[0], cols = h.shape.size() == 2 ? h.shape[1] : 1;

    // rows · cols · size must not overflow before it is compared with the body.
    const std::size_t max = std::numeric_limits<std::size_t>::max();
    if (cols != 0 && rows > max / cols / h.dtype.size)
        throw DataError(fmt::format("{}: shape ({}) is too large (element count overflows)", path,
                                    fmt::join(h.shape, ", ")));
    const std::size_t count = rows * cols, needed = count * h.dtype.size;
    const std::size_t body = bytes.size() - h.data_offset;
    if (body < needed)
        throw DataError(fmt::format("{}: truncated: shape ({}) of {}-byte elements needs {} bytes of data, the file "
                                    "has {}",
                                    path, fmt::join(h.shape, ", "), h.dtype.size, needed, body));

    check_memory(fmt::format("{}: shape ({})", path, fmt::join(h.shape, ", ")), double(count) * 8.0,
                 "elements as doubles");
    Matrix m = Matrix::from_shape({rows, cols});
    const bool swap = h.dtype.size > 1 && h.dtype.little != host_is_little_endian();
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data()) + h.data_offset;
    for (std::size_t i = 0; i < count; ++i) m.data()[i] = element(data + i * h.dtype.size, h.dtype, swap);
    return m;
}

template <class T>
std::string npy_bytes(const xt::xtensor<T, 2>& m) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, ".npy files of float32 or float64");
    // numpy pads the header with spaces so that the data starts at a multiple of 64 bytes (aligned loads
    // when the file is memory-mapped); these are the bytes numpy's np.save writes.
    std::string dict = fmt::format("{{'descr': '<f{}', 'fortran_order': False, 'shape': ({}, {}), }}", sizeof(T),
                                   m.shape(0), m.shape(1));
    const std::size_t unpadded = magic_len + 2 + 2 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict += '\n';

    std::string out(magic, magic_len);
    out += '\x01';
    out += '\x00';
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>(dict.size() >> 8);
    out += dict;

    const std::size_t header_size = out.size();
    out.resize(header_size + m.size() * sizeof(T));
    const bool swap = !host_is_little_endian();
    for (std::size_t i = 0; i < m.size(); ++i) {
        unsigned char b[sizeof(T)];
        std::memcpy(b, &m.data()[i], sizeof(T));
        for (std::size_t k = 0; k < sizeof(T); ++k)
            out[header_size + i * sizeof(T) + k] = static_cast<char>(b[swap ? sizeof(T) - 1 - k : k]);
    }
    return out;
}

template std::string npy_bytes<float>(const xt::xtensor<float, 2>&);
template std::string npy_bytes<double>(const xt::xtensor<double, 2>&);

void save_npy(const std::string& path, const Matrix& m) { write_file(path, npy_bytes(m)); }

Dataset load_npy(const std::string& x_path, const std::string& y_path, Task task) {
    Matrix X = load_npy_matrix(x_path);
    Matrix Y = load_npy_matrix(y_path);
    const std::size_t n = X.shape(0);
    if (Y.shape(0) != n)
        throw DataError(fmt::format("load_npy: {} has {} rows but {} has {}", x_path, n, y_path, Y.shape(0)));
    // NaN and infinities would only poison a model later, far from the file.
    const auto check_finite = [](const std::string& path, const Matrix& M, const char* name) {
        for (std::size_t i = 0; i < M.shape(0); ++i)
            for (std::size_t j = 0; j < M.shape(1); ++j)
                if (!std::isfinite(M(i, j)))
                    throw DataError(fmt::format("{}: {}[{}, {}] = {}; expected finite numbers", path, name, i, j,
                                                M(i, j)));
    };
    check_finite(x_path, X, "x");
    if (task == Task::regression) {
        check_finite(y_path, Y, "y");
        return make_regression(stem(x_path), std::move(X), std::move(Y));
    }

    const std::size_t width = Y.shape(1);
    if (width == 0) throw DataError(fmt::format("{}: labels have 0 columns", y_path));
    std::vector<std::size_t> labels(n);
    std::size_t num_classes = 0;
    if (width == 1) {
        // Integer labels 0..c−1 (stored as any dtype); c = largest + 1.
        for (std::size_t i = 0; i < n; ++i) {
            const double v = Y(i, 0);
            if (std::isfinite(v) && v != std::floor(v))
                throw DataError(fmt::format("{}: y[{}] = {} is not a non-negative integer label (a regression target? "
                                            "give task=regression)",
                                            y_path, i, v));
            if (!(v >= 0) || !std::isfinite(v))
                throw DataError(fmt::format("{}: y[{}] = {} is not a non-negative integer label", y_path, i, v));
            if (v >= double(max_classes))
                throw DataError(fmt::format("{}: y[{}] = {} is too large a label (at most {} classes)", y_path, i, v,
                                            max_classes));
            labels[i] = static_cast<std::size_t>(v);
            num_classes = std::max(num_classes, labels[i] + 1);
        }
    } else {
        // One-hot rows: exactly one 1, zeros elsewhere; the class is the position of the 1.
        num_classes = width;
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t ones = 0;
            bool others_zero = true;
            for (std::size_t j = 0; j < width; ++j) {
                if (Y(i, j) == 1.0) ++ones, labels[i] = j;
                else if (Y(i, j) != 0.0) others_zero = false;
            }
            if (ones != 1 || !others_zero)
                throw DataError(fmt::format("{}: row {} is not one-hot (expected exactly one 1 and {} zeros)", y_path,
                                            i, width - 1));
        }
    }
    return make_classification(stem(x_path), std::move(X), std::move(labels), num_classes);
}

}  // namespace data
