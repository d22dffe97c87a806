// The four small datasets shipped in data/datasets/, in scikit-learn's file format: a first line
// "n,d,class_name_0,class_name_1,..." (absent from digits), then n rows of d numbers and an integer label.
// The header's counts are checked against the rows, so a damaged file is caught here, not in a model.
#include "data/shipped.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"

namespace data {
namespace {

struct ShippedFile {
    const char* name;
    const char* file;
    bool has_header;
    // For the header-less file only: features per row and class names (labels are the digits themselves).
    std::size_t d;
    std::vector<std::string> class_names;
};

const std::vector<ShippedFile>& shipped_files() {
    static const std::vector<ShippedFile> files = {
        {"breast_cancer", "breast_cancer.csv.gz", true, 0, {}},
        {"digits", "digits.csv.gz", false, 64, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
        {"iris", "iris.csv", true, 0, {}},
        {"wine", "wine.csv", true, 0, {}},
    };
    return files;
}

// Comma-separated fields of one line (these files have no quotes and no spaces).
std::vector<std::string> split_commas(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos) return fields;
        start = comma + 1;
    }
}

double number(const std::string& path, std::size_t line, std::size_t column, const std::string& field) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(field.c_str(), &end);
    if (field.empty() || end != field.c_str() + field.size() || !std::isfinite(v))
        throw DataError(fmt::format("{}:{}:{}: '{}' is not a number", path, line, column, field));
    return v;
}

std::size_t count(const std::string& path, std::size_t line, std::size_t column, const std::string& field) {
    const double v = number(path, line, column, field);
    if (v < 0 || v != std::floor(v) || v > 1e9)
        throw DataError(fmt::format("{}:{}:{}: '{}' is not a non-negative integer", path, line, column, field));
    return static_cast<std::size_t>(v);
}

Dataset read_shipped(const ShippedFile& spec, const std::string& path) {
    const std::string text = read_file(path);
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines.push_back(std::move(line));
        start = end + 1;
    }
    if (lines.empty()) throw DataError(fmt::format("{}: empty file", path));

    // Header: n, d, class names; or the fixed description of a header-less file.
    std::size_t first_row = 0, n = 0, d = spec.d;
    std::vector<std::string> class_names = spec.class_names;
    if (spec.has_header) {
        const std::vector<std::string> head = split_commas(lines[0]);
        if (head.size() < 4)
            throw DataError(fmt::format("{}:1: header has {} fields, expected n, d and at least two class names",
                                        path, head.size()));
        n = count(path, 1, 1, head[0]);
        d = count(path, 1, 2, head[1]);
        class_names.assign(head.begin() + 2, head.end());
        first_row = 1;
        if (lines.size() - 1 != n)
            throw DataError(fmt::format("{}: header says {} rows, the file has {}", path, n, lines.size() - 1));
    } else {
        n = lines.size();
    }

    Matrix X = Matrix::from_shape({n, d});
    std::vector<std::size_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t line_no = first_row + i + 1;
        const std::vector<std::string> fields = split_commas(lines[first_row + i]);
        if (fields.size() != d + 1)
            throw DataError(fmt::format("{}:{}: {} fields, expected {} (ragged row)", path, line_no, fields.size(),
                                        d + 1));
        for (std::size_t j = 0; j < d; ++j) X(i, j) = number(path, line_no, j + 1, fields[j]);
        labels[i] = count(path, line_no, d + 1, fields[d]);
        if (labels[i] >= class_names.size())
            throw DataError(fmt::format("{}:{}:{}: label {} out of range (expected 0..{})", path, line_no, d + 1,
                                        labels[i], class_names.size() - 1));
    }
    const std::size_t c = class_names.size();
    Dataset ds = make_classification(spec.name, std::move(X), std::move(labels), c);
    ds.class_names = std::move(class_names);
    return ds;
}

}  // namespace

std::string datasets_dir() {
    if (const char* env = std::getenv("FACT_DATASETS_DIR"); env && *env) return env;
    std::error_code ec;   // an unreadable source tree just means "not built from source here"
    if (std::filesystem::is_directory(FACT_SOURCE_DATASETS_DIR, ec)) return FACT_SOURCE_DATASETS_DIR;
    return FACT_INSTALLED_DATASETS_DIR;
}

std::vector<std::string> shipped_names() {
    std::vector<std::string> names;
    for (const ShippedFile& f : shipped_files()) names.push_back(f.name);
    return names;
}

Dataset load_shipped(const std::string& name) {
    for (const ShippedFile& spec : shipped_files()) {
        if (name != spec.name) continue;
        const std::string dir = datasets_dir();
        const std::string path = (std::filesystem::path(dir) / spec.file).string();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw DataError(fmt::format("load_shipped: {}: no such file (datasets folder {}; set FACT_DATASETS_DIR "
                                        "to the folder holding the shipped datasets)",
                                        path, dir));
        return read_shipped(spec, path);
    }
    std::string valid;
    for (const std::string& n : shipped_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw DataError(fmt::format("load_shipped: unknown dataset '{}' (valid: {})", name, valid));
}

}  // namespace data
