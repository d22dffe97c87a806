// CSV loading: one pass that splits lines and fields, then a dataset from numeric features and one label
// (or regression target) column. Lines and columns in messages are 1-based, as an editor shows them.
#include "data/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"

namespace data {
namespace {

struct Line {
    std::size_t number;   // 1-based line in the file
    std::string text;     // without the line ending
};

bool is_blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Non-blank lines with their numbers. '\n' ends a line and a '\r' before it is dropped (CRLF files);
// blank lines, trailing ones in particular, are skipped; a UTF-8 byte-order mark is ignored.
std::vector<Line> split_lines(const std::string& text) {
    std::vector<Line> lines;
    std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    for (std::size_t number = 1; start < text.size(); ++number) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!is_blank(line)) lines.push_back({number, std::move(line)});
        start = end + 1;
    }
    return lines;
}

std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The fields of one line, trimmed. A field may be quoted ("a;b" keeps its delimiter, "" is a quote);
// quotes are not allowed to span lines.
std::vector<std::string> split_fields(const std::string& path, const Line& line, char delimiter) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.text.size(); ++i) {
        const char c = line.text[i];
        if (quoted) {
            if (c != '"') field += c;
            else if (i + 1 < line.text.size() && line.text[i + 1] == '"') field += '"', ++i;
            else quoted = false;
        } else if (c == '"' && trim(field).empty()) {
            quoted = true;
            field.clear();
        } else if (c == delimiter) {
            fields.push_back(trim(field));
            field.clear();
        } else {
            field += c;
        }
    }
    if (quoted)
        throw DataError(fmt::format("{}:{}:{}: unterminated quote", path, line.number, fields.size() + 1));
    fields.push_back(trim(field));
    return fields;
}

// The most frequent of ',', ';' and tab in the first line (outside quotes); ties go to that order.
char detect_delimiter(const std::string& first_line) {
    const char candidates[] = {',', ';', '\t'};
    std::size_t counts[3] = {0, 0, 0};
    bool quoted = false;
    for (char c : first_line) {
        if (c == '"') quoted = !quoted;
        for (int k = 0; k < 3 && !quoted; ++k) counts[k] += c == candidates[k];
    }
    int best = 0;
    for (int k = 1; k < 3; ++k)
        if (counts[k] > counts[best]) best = k;
    return candidates[best];
}

// A field that is all number: strtod must consume it whole (fields are already trimmed). Infinities and
// NaN parse but are not accepted: they would only poison a model later, far from the file.
bool parse_number(const std::string& field, double& value) {
    if (field.empty()) return false;
    char* end = nullptr;
    errno = 0;
    value = std::strtod(field.c_str(), &end);
    return end == field.c_str() + field.size() && std::isfinite(value);
}

// The label option as a column index, if it is an integer (negative from the end).
bool parse_index(const std::string& label, long& index) {
    if (label.empty()) return false;
    char* end = nullptr;
    errno = 0;
    index = std::strtol(label.c_str(), &end, 10);
    return end == label.c_str() + label.size() && errno == 0;
}

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s;
}

// "data/iris.csv.gz" → "iris".
std::string dataset_name(const std::string& path) {
    std::filesystem::path p(path);
    if (p.extension() == ".gz") p = p.stem();
    return p.stem().string();
}

// Classes from label strings: the distinct values sorted, numerically when every label is a number
// ("2" < "10"), else bytewise. Numeric labels that are equal as numbers ("1", "1.0") are one class,
// named by the shortest spelling of the number.
void assign_classes(const std::vector<std::string>& label_text, std::vector<std::size_t>& labels,
                    std::vector<std::string>& class_names) {
    std::vector<double> numbers(label_text.size());
    bool all_numbers = true;
    for (std::size_t i = 0; i < label_text.size() && all_numbers; ++i)
        all_numbers = parse_number(label_text[i], numbers[i]);

    labels.resize(label_text.size());
    if (all_numbers) {
        std::map<double, std::size_t> classes;
        for (double v : numbers) classes.emplace(v, 0);
        for (auto& [v, index] : classes) {
            index = class_names.size();
            class_names.push_back(fmt::format("{}", v));
        }
        for (std::size_t i = 0; i < numbers.size(); ++i) labels[i] = classes.at(numbers[i]);
    } else {
        std::map<std::string, std::size_t> classes;
        for (const std::string& s : label_text) classes.emplace(s, 0);
        for (auto& [s, index] : classes) {
            index = class_names.size();
            class_names.push_back(s);
        }
        for (std::size_t i = 0; i < label_text.size(); ++i) labels[i] = classes.at(label_text[i]);
    }
}

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) {
    const std::vector<Line> lines = split_lines(read_file(path));
    if (lines.empty()) throw DataError(fmt::format("{}: empty file", path));

    const char delimiter = options.delimiter != '\0' ? options.delimiter : detect_delimiter(lines[0].text);
    const std::vector<std::string> first = split_fields(path, lines[0], delimiter);
    const std::size_t columns = first.size();
    if (columns < 2)
        throw DataError(fmt::format("{}:{}: 1 field; expected at least one feature and the label (delimiter '{}')",
                                    path, lines[0].number, delimiter == '\t' ? "\\t" : std::string(1, delimiter)));

    // The label column: an index, or a name that only a header can supply.
    long index = 0;
    const bool by_index = parse_index(options.label, index);
    std::size_t label_col = 0;
    if (by_index) {
        const long n = static_cast<long>(columns);
        if (index < -n || index >= n)
            throw DataError(fmt::format("{}: label column {} out of range for {} columns (expected {}..{})", path,
                                        index, columns, -n, n - 1));
        label_col = static_cast<std::size_t>(index < 0 ? index + n : index);
    }

    bool header;
    if (options.header) {
        header = *options.header;
    } else if (!by_index) {
        header = true;
    } else {
        // A header is a first line with a non-numeric feature field; the label field does not count, since
        // string labels are allowed.
        header = false;
        double ignored;
        for (std::size_t j = 0; j < columns; ++j)
            if (j != label_col && !parse_number(first[j], ignored)) header = true;
    }

    if (!by_index) {
        if (!header)
            throw DataError(fmt::format("{}: label '{}' is a column name, but the file is read without a header",
                                        path, options.label));
        const auto it = std::find(first.begin(), first.end(), options.label);
        if (it == first.end())
            throw DataError(fmt::format("{}: no column named '{}' (columns: {})", path, options.label, join(first)));
        label_col = static_cast<std::size_t>(it - first.begin());
    }

    // Data rows: features into a flat row-major buffer, label fields kept as text until all are seen.
    const std::size_t d = columns - 1;
    std::vector<double> features;
    std::vector<std::string> label_text;
    std::vector<double> targets;
    features.reserve(lines.size() * d);
    for (std::size_t r = header ? 1 : 0; r < lines.size(); ++r) {
        const Line& line = lines[r];
        const std::vector<std::string> fields = r == 0 ? first : split_fields(path, line, delimiter);
        if (fields.size() != columns)
            throw DataError(fmt::format("{}:{}: {} fields, expected {} (ragged row)", path, line.number,
                                        fields.size(), columns));
        for (std::size_t j = 0; j < columns; ++j) {
            double v = 0;
            const bool numeric = parse_number(fields[j], v);
            if (j == label_col && options.task == Task::classification) {
                if (fields[j].empty())
                    throw DataError(fmt::format("{}:{}:{}: empty label", path, line.number, j + 1));
                label_text.push_back(fields[j]);
                continue;
            }
            if (!numeric)
                throw DataError(fmt::format("{}:{}:{}: '{}' is not a number", path, line.number, j + 1, fields[j]));
            (j == label_col ? targets : features).push_back(v);
        }
    }
    const std::size_t n = features.size() / d;
    if (n == 0) throw DataError(fmt::format("{}: no data rows (only a header)", path));

    Matrix X = Matrix::from_shape({n, d});
    std::copy(features.begin(), features.end(), X.begin());
    if (options.task == Task::regression) {
        Matrix Y = Matrix::from_shape({n, 1});
        std::copy(targets.begin(), targets.end(), Y.begin());
        return make_regression(dataset_name(path), std::move(X), std::move(Y));
    }
    std::vector<std::size_t> labels;
    std::vector<std::string> class_names;
    assign_classes(label_text, labels, class_names);
    const std::size_t c = class_names.size();
    Dataset ds = make_classification(dataset_name(path), std::move(X), std::move(labels), c);
    ds.class_names = std::move(class_names);
    return ds;
}

}  // namespace data
