// CSV loading: one pass that splits lines and fields, then a dataset from numeric features and one label
// (or regression target) column. Lines and columns in messages are 1-based, as an editor shows them.
#include "data/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"
#include "data/spec.hpp"

namespace data {
namespace {

struct Line {
    std::size_t number;      // 1-based line in the file
    std::string_view text;   // without the line ending, a view into the file's text
};

bool is_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Text that is not UTF-8 or ASCII, or whose lines end in CR alone, is refused by name: read as it is, it
// would give messages cut at a NUL byte or one long line taken for a header.
void check_encoding(const std::string& path, const std::string& text) {
    const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0x100u; };
    if ((byte(0) == 0xff && byte(1) == 0xfe) || (byte(0) == 0xfe && byte(1) == 0xff))
        throw DataError(fmt::format("{}: UTF-16 text (byte-order mark {:02X} {:02X}); expected UTF-8 or ASCII (convert "
                                    "with: iconv -f UTF-16 -t UTF-8)",
                                    path, byte(0), byte(1)));
    const std::size_t probe = std::min<std::size_t>(text.size(), 256);
    const auto nuls = static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::ptrdiff_t(probe), '\0'));
    if (probe >= 4 && nuls * 3 >= probe)
        throw DataError(fmt::format("{}: {} NUL bytes in the first {}: UTF-16 or binary data, not text; expected "
                                    "UTF-8 or ASCII CSV",
                                    path, nuls, probe));
    if (text.find('\n') == std::string::npos) {
        // CR-only endings: a CR with more text after it (CRs at the very end end the last line only).
        const std::size_t last = text.find_last_not_of("\r \t");
        const std::size_t crs = last == std::string::npos ? 0 : static_cast<std::size_t>(std::count(
                                    text.begin(), text.begin() + std::ptrdiff_t(last), '\r'));
        if (crs > 0)
            throw DataError(fmt::format("{}: line endings are CR alone (old Mac style: {} CR, no LF); expected LF or "
                                        "CRLF line endings (convert with: tr '\\r' '\\n')",
                                        path, crs));
    }
}

// Non-blank lines with their numbers. '\n' ends a line and a '\r' before it is dropped (CRLF files);
// blank lines, trailing ones in particular, are skipped; a UTF-8 byte-order mark is ignored.
std::vector<Line> split_lines(const std::string& text) {
    std::vector<Line> lines;
    std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    for (std::size_t number = 1; start < text.size(); ++number) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!is_blank(line)) lines.push_back({number, line});
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
char detect_delimiter(std::string_view first_line) {
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

// A field that strtod consumes whole (fields are already trimmed): a number, or nan, inf or an overflow
// such as 1e309.
bool number_like(const std::string& field, double& value) {
    if (field.empty() || field[0] == ' ' || field[0] == '\t') return false;
    char* end = nullptr;
    value = std::strtod(field.c_str(), &end);
    return end == field.c_str() + field.size();
}

// A field that is a finite number. Infinities and NaN parse but are not accepted: they would only poison a
// model later, far from the file.
bool parse_number(const std::string& field, double& value) {
    return number_like(field, value) && std::isfinite(value);
}

// "'abc' is not a number" or, for nan, inf and 1e309, "'nan' is not a finite number".
std::string not_a_number(const std::string& field) {
    double v;
    return fmt::format("'{}' is not a {}number", printable(field), number_like(field, v) ? "finite " : "");
}

// The label option as a column index, if it is written as one (digits, optionally after a '-').
bool is_index(const std::string& label) {
    const std::size_t first = !label.empty() && label[0] == '-' ? 1 : 0;
    return label.size() > first && label.find_first_not_of("0123456789", first) == std::string::npos;
}

// At most this many classes: Y is n × c doubles, and more distinct labels than this are a regression
// target or an identifier column, not classes (as for .npy labels).
constexpr std::size_t max_classes = std::size_t(1) << 16;

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + printable(names[i], 40);
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
    const std::string text = read_file(path);
    check_encoding(path, text);
    // The line index and the first line's fields come before any estimate of the data: they are checked
    // on their own (a gzip stream of zeros can decompress to billions of lines, or of fields in one line).
    const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    check_memory(fmt::format("{}: {} lines", path, newlines + 1), double(newlines + 1) * double(sizeof(Line)),
                 "an index of the lines");
    const std::vector<Line> lines = split_lines(text);
    if (lines.empty()) throw DataError(fmt::format("{}: empty file", path));

    const char delimiter = options.delimiter != '\0' ? options.delimiter : detect_delimiter(lines[0].text);
    const auto first_fields = static_cast<std::size_t>(std::count(lines[0].text.begin(), lines[0].text.end(), delimiter)) + 1;
    check_memory(fmt::format("{}:{}: {} fields", path, lines[0].number, first_fields),
                 double(first_fields) * 2.0 * double(sizeof(std::string)), "the fields of a line as strings");
    const std::vector<std::string> first = split_fields(path, lines[0], delimiter);
    const std::size_t columns = first.size();
    if (columns < 2)
        throw DataError(fmt::format("{}:{}: 1 field; expected at least one feature and the label (delimiter '{}')",
                                    path, lines[0].number, delimiter == '\t' ? "\\t" : printable(std::string(1, delimiter))));

    // The label column: an index (checked: digits, a '-' from the end, inside the columns), or a name that
    // only a header can supply.
    const bool by_index = is_index(options.label);
    std::size_t label_col = 0;
    if (by_index) {
        const auto n = static_cast<std::int64_t>(columns);
        std::int64_t index = 0;
        try {
            index = parse_integer(options.label, "label column ", -n, n - 1);
        } catch (const DataError& e) {
            throw DataError(fmt::format("{}: {} (the file has {} columns; negative counts from the end)", path,
                                        e.what(), columns));
        }
        label_col = static_cast<std::size_t>(index < 0 ? index + n : index);
    }

    bool header;
    if (options.header) {
        header = *options.header;
    } else if (!by_index) {
        header = true;
    } else {
        // A first line is a header only if it cannot be a data row: none of its feature fields is a number
        // (nan, inf and 1e309 count as numbers, bad ones) and at least one is a name. So "1,,0" or "nan,2,0"
        // are data rows and get the error a later row would. The label field does not count, since string
        // labels are allowed.
        bool numbers = false, names = false;
        double ignored;
        for (std::size_t j = 0; j < columns; ++j) {
            if (j == label_col) continue;
            if (number_like(first[j], ignored)) numbers = true;
            else if (!first[j].empty()) names = true;
        }
        header = names && !numbers;
    }

    if (!by_index) {
        if (!header)
            throw DataError(fmt::format("{}: label '{}' is a column name, but the file is read without a header",
                                        path, printable(options.label)));
        const auto it = std::find(first.begin(), first.end(), options.label);
        if (it == first.end())
            throw DataError(fmt::format("{}: no column named '{}' (columns: {})", path, printable(options.label),
                                        join(first)));
        label_col = static_cast<std::size_t>(it - first.begin());
    }

    // Memory: the features of every row, read into a buffer and then copied into X, and a label each.
    const std::size_t d = columns - 1;
    const std::size_t rows = lines.size() - (header ? 1 : 0);
    check_memory(fmt::format("{}: {} rows of {} features", path, rows, d), double(rows) * (16.0 * double(d) + 48.0),
                 "rows × features doubles, read and then copied into X, and the labels");

    // Data rows: features into a flat row-major buffer, label fields kept as text until all are seen.
    const bool classify = options.task != Task::regression;
    std::vector<double> features;
    std::vector<std::string> label_text;
    std::vector<double> targets;
    features.reserve(rows * d);
    bool numeric_labels = true;              // every label is a finite number
    std::optional<Line> fractional;          // the first label that is a number but not an integer
    std::string fractional_text;
    for (std::size_t r = header ? 1 : 0; r < lines.size(); ++r) {
        const Line& line = lines[r];
        const std::vector<std::string> fields = r == 0 ? first : split_fields(path, line, delimiter);
        if (fields.size() != columns)
            throw DataError(fmt::format("{}:{}: {} fields, expected {} (ragged row)", path, line.number,
                                        fields.size(), columns));
        for (std::size_t j = 0; j < columns; ++j) {
            double v = 0;
            const bool numeric = parse_number(fields[j], v);
            if (j == label_col && classify) {
                if (fields[j].empty())
                    throw DataError(fmt::format("{}:{}:{}: empty label", path, line.number, j + 1));
                double ignored;
                if (!numeric && number_like(fields[j], ignored))
                    throw DataError(fmt::format("{}:{}:{}: label '{}' is not a finite number", path, line.number,
                                                j + 1, printable(fields[j])));
                numeric_labels = numeric_labels && numeric;
                if (numeric && v != std::floor(v) && !fractional) {
                    fractional = line;
                    fractional_text = fields[j];
                }
                label_text.push_back(fields[j]);
                continue;
            }
            if (!numeric)
                throw DataError(fmt::format("{}:{}:{}: {}", path, line.number, j + 1, not_a_number(fields[j])));
            (j == label_col ? targets : features).push_back(v);
        }
    }
    const std::size_t n = d == 0 ? 0 : features.size() / d;
    if (n == 0) throw DataError(fmt::format("{}: no data rows (only a header)", path));

    if (!classify) {
        Matrix X = Matrix::from_shape({n, d});
        std::copy(features.begin(), features.end(), X.begin());
        Matrix Y = Matrix::from_shape({n, 1});
        std::copy(targets.begin(), targets.end(), Y.begin());
        return make_regression(dataset_name(path), std::move(X), std::move(Y));
    }
    // A label column of numbers that are not all integers is a regression target more often than classes:
    // refused unless the task is given.
    if (!options.task && numeric_labels && fractional)
        throw DataError(fmt::format("{}:{}:{}: label {} is not an integer: the label column holds non-integer "
                                    "numbers, a regression target? Give task=regression (or task=classification "
                                    "to make each distinct value a class)",
                                    path, fractional->number, label_col + 1, printable(fractional_text)));
    std::vector<std::size_t> labels;
    std::vector<std::string> class_names;
    assign_classes(label_text, labels, class_names);
    const std::size_t c = class_names.size();
    if (c > max_classes)
        throw DataError(fmt::format("{}: {} distinct labels in {} rows; expected at most {} classes (a regression "
                                    "target or an identifier column? Give task=regression or another label column)",
                                    path, c, n, max_classes));
    check_memory(fmt::format("{}: {} rows of {} classes", path, n, c), double(n) * double(c) * 8.0,
                 "one-hot rows × classes doubles");
    Matrix X = Matrix::from_shape({n, d});
    std::copy(features.begin(), features.end(), X.begin());
    Dataset ds = make_classification(dataset_name(path), std::move(X), std::move(labels), c);
    ds.class_names = std::move(class_names);
    return ds;
}

std::string csv_quote(std::string field) {
    std::replace(field.begin(), field.end(), '\n', ' ');
    std::replace(field.begin(), field.end(), '\r', ' ');
    if (field.find_first_of(",\"") == std::string::npos) return field;
    std::string quoted = "\"";
    for (char ch : field) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
}

std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += line[++i];
        else if (ch == '"') quoted = !quoted;
        else if (ch == ',' && !quoted) out.emplace_back();
        else out.back() += ch;
    }
    return out;
}

}  // namespace data
