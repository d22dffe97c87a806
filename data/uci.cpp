// The UCI collection of Fernández-Delgado et al.: NAME.txt says what the data file must hold (rows n,
// features d, classes c), and everything read afterwards is checked against it, so a damaged folder fails
// with a message naming the file and line instead of giving a dataset of the wrong shape.
#include "data/uci.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"
#include "data/transforms.hpp"

namespace data {
namespace {

namespace fs = std::filesystem;

// The lines of a text, numbered from 1, without their '\n'. A '\r' of a CRLF file stays on the line; the
// field splitter treats it as white space.
class Lines {
public:
    explicit Lines(const std::string& text) : next_(text.data()), end_(text.data() + text.size()) {}

    bool next(std::string_view& line) {
        if (next_ == end_) return false;
        const std::size_t left = static_cast<std::size_t>(end_ - next_);
        const auto* newline = static_cast<const char*>(std::memchr(next_, '\n', left));
        const char* line_end = newline ? newline : end_;
        line = std::string_view(next_, static_cast<std::size_t>(line_end - next_));
        next_ = newline ? newline + 1 : end_;
        ++number_;
        return true;
    }
    std::size_t number() const { return number_; }

private:
    const char* next_;
    const char* end_;
    std::size_t number_ = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// The white-space separated fields of one line (the files are tab separated; spaces are accepted too).
class Fields {
public:
    explicit Fields(std::string_view line) : rest_(line) {}

    bool next(std::string_view& field) {
        std::size_t start = 0;
        while (start < rest_.size() && is_blank(rest_[start])) ++start;
        if (start == rest_.size()) return false;
        std::size_t stop = start;
        while (stop < rest_.size() && !is_blank(rest_[stop])) ++stop;
        field = rest_.substr(start, stop - start);
        rest_ = rest_.substr(stop);
        return true;
    }

private:
    std::string_view rest_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

// A field for an error message: quoted, and cut short so that a damaged file cannot flood the terminal.
std::string excerpt(std::string_view s) {
    constexpr std::size_t shown = 40;
    return s.size() <= shown ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, shown));
}

// from_chars rather than strtod: it stops at the field's end (strtod would skip a newline and read the next
// line) and does not depend on the C locale's decimal point.
bool parse_unsigned(std::string_view s, std::uint64_t& value) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc() && end == s.data() + s.size();
}

bool parse_finite(std::string_view s, double& value) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc() && end == s.data() + s.size() && std::isfinite(value);
}

// "root/abalone/" → "abalone"; "." → the name of the working folder.
std::string folder_name(const std::string& folder) {
    std::error_code ec;
    fs::path p = fs::absolute(folder, ec).lexically_normal();
    if (ec) p = fs::path(folder);
    if (!p.has_filename()) p = p.parent_path();  // a trailing separator
    return p.filename().string();
}

std::string path_in(const std::string& folder, const std::string& file) { return (fs::path(folder) / file).string(); }

struct KeyValue {
    std::string value;
    std::size_t line;
};

// The `key= value` lines of NAME.txt; blank lines are skipped, anything else is an error.
std::map<std::string, KeyValue> read_keys(const std::string& txt_path) {
    const std::string text = read_file(txt_path);
    std::map<std::string, KeyValue> keys;
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (trim(line).empty()) continue;
        const std::size_t eq = line.find('=');
        const std::string_view key = eq == std::string_view::npos ? std::string_view() : trim(line.substr(0, eq));
        if (key.empty())
            throw DataError(fmt::format("{}:{}: {} is not a 'key= value' line", txt_path, lines.number(),
                                        excerpt(trim(line))));
        const std::string name(key);
        if (keys.count(name))
            throw DataError(fmt::format("{}:{}: {}= given again (first on line {})", txt_path, lines.number(), name,
                                        keys[name].line));
        keys[name] = {std::string(trim(line.substr(eq + 1))), lines.number()};
    }
    return keys;
}

const KeyValue& required_key(const std::map<std::string, KeyValue>& keys, const std::string& txt_path,
                             const std::string& key, const char* meaning) {
    const auto it = keys.find(key);
    if (it == keys.end()) throw DataError(fmt::format("{}: no {}= line ({})", txt_path, key, meaning));
    return it->second;
}

std::size_t positive_count(const std::map<std::string, KeyValue>& keys, const std::string& txt_path,
                           const std::string& key, const char* meaning) {
    const KeyValue& kv = required_key(keys, txt_path, key, meaning);
    std::uint64_t v = 0;
    if (!parse_unsigned(kv.value, v) || v == 0 || v > std::numeric_limits<std::size_t>::max())
        throw DataError(fmt::format("{}:{}: {}= {}, expected a positive integer ({})", txt_path, kv.line, key,
                                    excerpt(kv.value), meaning));
    return static_cast<std::size_t>(v);
}

std::optional<std::string> data_file_of(const std::map<std::string, KeyValue>& keys) {
    const auto it = keys.find("fich1");
    if (it == keys.end() || it->second.value.empty() || it->second.value.find('/') != std::string::npos)
        return std::nullopt;
    return it->second.value;
}

}  // namespace

UciDescription read_uci_description(const std::string& txt_path) {
    const auto keys = read_keys(txt_path);
    UciDescription desc;
    desc.d = positive_count(keys, txt_path, "n_entradas", "the number of features d");
    desc.classes = positive_count(keys, txt_path, "n_clases", "the number of classes c");
    desc.rows = positive_count(keys, txt_path, "n_patrons1", "the rows of the data file fich1");
    const KeyValue& file = required_key(keys, txt_path, "fich1", "the data file");
    if (!data_file_of(keys))
        throw DataError(fmt::format("{}:{}: fich1= {}, expected the name of a file in the dataset folder", txt_path,
                                    file.line, excerpt(file.value)));
    desc.data_file = file.value;
    // Y is n × c: a c beyond n would be a corrupt header asking for memory no dataset needs.
    if (desc.classes > desc.rows)
        throw DataError(fmt::format("{}: n_clases= {} is more than n_patrons1= {} (more classes than samples)",
                                    txt_path, desc.classes, desc.rows));
    return desc;
}

namespace {

std::size_t saturating_product(std::size_t a, std::size_t b) {
    return (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) ? std::numeric_limits<std::size_t>::max()
                                                                         : a * b;
}

// The data file: a header line, then per row "row number, d features, label" (row numbers 1, 2, ...).
Dataset read_rows(const std::string& name, const std::string& txt_path, const std::string& data_path,
                  const UciDescription& desc) {
    const std::string text = read_file(data_path);
    Lines lines(text);
    std::string_view line;
    if (!lines.next(line)) throw DataError(fmt::format("{}: empty, expected a header line and then rows", data_path));

    // Every value takes at least two bytes (a digit and a separator), which bounds the reservation when
    // n_patrons1 or n_entradas are damaged.
    std::vector<double> features;
    features.reserve(std::min(saturating_product(desc.rows, desc.d), text.size() / 2));
    std::vector<std::size_t> labels;
    labels.reserve(std::min(desc.rows, text.size() / 2));

    while (lines.next(line)) {
        Fields fields(line);
        std::string_view field;
        if (!fields.next(field)) continue;  // a blank line (the last one, typically)
        const std::size_t expected_row = labels.size() + 1;
        std::uint64_t row_number = 0;
        if (!parse_unsigned(field, row_number) || row_number != expected_row)
            throw DataError(fmt::format("{}:{}: row number {}, expected {}", data_path, lines.number(), excerpt(field),
                                        expected_row));
        for (std::size_t j = 0; j < desc.d; ++j) {
            if (!fields.next(field))
                throw DataError(fmt::format("{}:{}: {} features, expected {} (n_entradas in {}) and then a label",
                                            data_path, lines.number(), j, desc.d, txt_path));
            double value = 0;
            if (!parse_finite(field, value))
                throw DataError(fmt::format("{}:{}: feature {} is {}, expected a finite number", data_path,
                                            lines.number(), j + 1, excerpt(field)));
            features.push_back(value);
        }
        if (!fields.next(field))
            throw DataError(fmt::format("{}:{}: no label after the {} features", data_path, lines.number(), desc.d));
        std::uint64_t label = 0;
        if (!parse_unsigned(field, label) || label >= desc.classes)
            throw DataError(fmt::format("{}:{}: label {}, expected an integer in 0..{} (n_clases= {} in {})",
                                        data_path, lines.number(), excerpt(field), desc.classes - 1, desc.classes,
                                        txt_path));
        if (fields.next(field))
            throw DataError(fmt::format("{}:{}: {} after the label, expected {} fields (row number, {} features, "
                                        "label)",
                                        data_path, lines.number(), excerpt(field), desc.d + 2, desc.d));
        labels.push_back(static_cast<std::size_t>(label));
    }
    if (labels.size() != desc.rows)
        throw DataError(fmt::format("{}: {} rows, but {} says n_patrons1= {}", data_path, labels.size(), txt_path,
                                    desc.rows));

    Matrix X = Matrix::from_shape({desc.rows, desc.d});
    std::copy(features.begin(), features.end(), X.data());
    return make_classification(name, std::move(X), std::move(labels), desc.classes);
}

// An index file: exactly `expected_lines` non-empty lines of 0-based row indices < n (blank lines at the
// end are ignored).
std::vector<std::vector<std::size_t>> read_indices(const std::string& path, std::size_t expected_lines,
                                                   const char* layout, std::size_t n) {
    const std::string text = read_file(path);
    std::vector<std::vector<std::size_t>> parts;
    std::size_t blank_run = 0;  // blank lines not yet followed by indices
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
        Fields fields(line);
        std::string_view field;
        if (!fields.next(field)) {
            ++blank_run;
            continue;
        }
        if (blank_run > 0)
            throw DataError(fmt::format("{}:{}: blank line, expected {} lines of indices ({})", path,
                                        lines.number() - blank_run, expected_lines, layout));
        if (parts.size() == expected_lines)
            throw DataError(fmt::format("{}:{}: more than {} lines, expected {} lines of indices ({})", path,
                                        lines.number(), expected_lines, expected_lines, layout));
        std::vector<std::size_t>& part = parts.emplace_back();
        do {
            std::uint64_t index = 0;
            if (!parse_unsigned(field, index) || index >= n)
                throw DataError(fmt::format("{}:{}: index {}, expected a row index in 0..{} (the data file has {} "
                                            "rows)",
                                            path, lines.number(), excerpt(field), n - 1, n));
            part.push_back(static_cast<std::size_t>(index));
        } while (fields.next(field));
    }
    if (parts.size() != expected_lines)
        throw DataError(fmt::format("{}: {} lines of indices, expected {} ({})", path, parts.size(), expected_lines,
                                    layout));
    return parts;
}

}  // namespace

Split UciDataset::validation_split() const { return {take_rows(all, train), take_rows(all, validation)}; }

Split UciDataset::fold(std::size_t i) const {
    if (i >= folds.size())
        throw DataError(fmt::format("{}: fold {}, expected 0..{}", name, i, folds.size() - 1));
    return {take_rows(all, folds[i].first), take_rows(all, folds[i].second)};
}

UciDataset load_uci(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw DataError(fmt::format("{}: not a folder", folder));
    UciDataset uci;
    uci.name = folder_name(folder);
    const std::string txt_path = path_in(folder, uci.name + ".txt");
    if (!fs::is_regular_file(txt_path, ec))
        throw DataError(fmt::format("{}: missing, a UCI dataset folder holds NAME.txt", txt_path));
    const UciDescription desc = read_uci_description(txt_path);

    const std::string data_path = path_in(folder, desc.data_file);
    if (!fs::is_regular_file(data_path, ec))
        throw DataError(fmt::format("{}: missing (the data file fich1 of {})", data_path, txt_path));
    uci.all = read_rows(uci.name, txt_path, data_path, desc);

    const auto split = read_indices(path_in(folder, "conxuntos.dat"), 2, "train, validation", desc.rows);
    uci.train = split[0];
    uci.validation = split[1];
    const auto kfold = read_indices(path_in(folder, "conxuntos_kfold.dat"), 8,
                                    "train and test of folds 0, 1, 2, 3", desc.rows);
    for (std::size_t i = 0; i < uci.folds.size(); ++i) uci.folds[i] = {kfold[2 * i], kfold[2 * i + 1]};
    return uci;
}

std::vector<std::string> list_uci(const std::string& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw DataError(fmt::format("{}: not a folder", root));
    std::vector<std::string> names;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entry_ec;  // an entry that cannot be examined is not a dataset; the listing goes on
        if (!it->is_directory(entry_ec)) continue;
        const std::string name = it->path().filename().string();
        const std::string txt_path = (it->path() / (name + ".txt")).string();
        if (!fs::is_regular_file(txt_path, entry_ec)) continue;
        // A NAME.txt that cannot be read or names no data file is left out: load_uci reports why.
        std::optional<std::string> data_file;
        try {
            data_file = data_file_of(read_keys(txt_path));
        } catch (const DataError&) {
            continue;
        }
        if (data_file && fs::is_regular_file(it->path() / *data_file, entry_ec)) names.push_back(name);
    }
    if (ec) throw DataError(fmt::format("{}: cannot list the folder: {}", root, ec.message()));
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace data
