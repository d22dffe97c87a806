// The file loaders against bytes built by hand from their format specifications: CSV text with known
// values, gzip members assembled from RFC 1952 (stored deflate blocks and a CRC-32 written here), .npy
// files assembled from numpy's format description with IEEE-754 bit patterns written out, and the shipped
// datasets against their published sizes and class counts. Every malformed input must give the exact
// DataError message (file, line, column, value, expectation), never a crash.
//
// Numbers are compared exactly: strtod and the compiler both round a decimal literal correctly, so
// "4.5" in a file and 4.5 in this source are the same double.
#define BOOST_TEST_MODULE data_text
#include <boost/test/unit_test.hpp>

#include "expect_error.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

// data/csv.hpp first: it brings in xtensor before `namespace data` exists. Debian's xtl 0.7 calls an
// unqualified data(...) in its variant, which fails to parse once a namespace named data is visible.
#include "data/csv.hpp"
#include "data/dataset.hpp"
#include "data/error.hpp"
#include "data/files.hpp"
#include "data/npy.hpp"
#include "data/shipped.hpp"
#include "data/spec.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

template <class F>
std::string message_of(F f) {
    return test::message_of<data::DataError>(f);
}

std::vector<double> flat(const data::Matrix& m) { return std::vector<double>(m.begin(), m.end()); }

std::vector<std::size_t> shape(const data::Matrix& m) { return {m.shape(0), m.shape(1)}; }

bool same_bits(const data::Matrix& a, const data::Matrix& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

std::vector<std::size_t> count_labels(const std::vector<std::size_t>& labels, std::size_t c) {
    std::vector<std::size_t> counts(c, 0);
    for (std::size_t y : labels) ++counts.at(y);
    return counts;
}

// --- gzip by hand (RFC 1952 member around an RFC 1951 stored block) -----------------------------------

std::uint32_t crc32(const std::string& s) {
    std::uint32_t crc = 0xffffffffu;
    for (unsigned char b : s) {
        crc ^= b;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string le32(std::uint32_t v) {
    std::string s;
    for (int k = 0; k < 4; ++k) s += static_cast<char>((v >> (8 * k)) & 0xff);
    return s;
}

// One gzip member holding `text` (< 64 KiB) uncompressed: header, one final stored block, CRC-32, size.
std::string gzip_member(const std::string& text) {
    std::string g("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    const auto len = static_cast<std::uint16_t>(text.size()), nlen = static_cast<std::uint16_t>(~len);
    g += '\x01';   // BFINAL = 1, BTYPE = 00 (stored)
    g += static_cast<char>(len & 0xff);
    g += static_cast<char>(len >> 8);
    g += static_cast<char>(nlen & 0xff);
    g += static_cast<char>(nlen >> 8);
    g += text;
    g += le32(crc32(text));
    g += le32(static_cast<std::uint32_t>(text.size()));
    return g;
}

// --- .npy by hand (numpy/lib/format.py) --------------------------------------------------------------

// Magic, version, header length (2 bytes for 1.x, 4 for 2.x/3.x), the dict padded to 64 bytes, the body.
std::string npy_file(int major, const std::string& dict, const std::string& body) {
    const std::size_t prefix = major == 1 ? 10 : 12;
    std::string header = dict;
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string f("\x93NUMPY", 6);
    f += static_cast<char>(major);
    f += '\0';
    for (std::size_t k = 0; k < prefix - 8; ++k) f += static_cast<char>((header.size() >> (8 * k)) & 0xff);
    return f + header + body;
}

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int v : b) s += static_cast<char>(v);
    return s;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A fixed memory budget for one test case, back to MemAvailable when it ends.
struct BudgetGuard {
    explicit BudgetGuard(std::uint64_t bytes) { data::set_memory_budget(bytes, "test budget"); }
    ~BudgetGuard() { data::reset_memory_budget(); }
};

// Restores an environment variable when the test case ends.
struct EnvGuard {
    std::string name;
    std::optional<std::string> old;
    explicit EnvGuard(std::string n) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) old = v;
    }
    ~EnvGuard() {
        if (old) ::setenv(name.c_str(), old->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

}  // namespace

// ===================================== files ==========================================================

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(write_then_read_is_identity_and_leaves_no_temporary) {
    test::TempDir t("fact_test_data_text");
    // NULs, a gzip magic that is not at the start, no final newline: all must survive as they are.
    const std::string payload = std::string("a\0b\x1f\x8b\xff", 6) + "end";
    const std::string path = t.file("out.bin");
    data::write_file(path, "old contents that are longer than the new ones");
    data::write_file(path, payload);
    BOOST_TEST(data::read_file(path) == payload);
    std::ifstream in(path, std::ios::binary);
    BOOST_TEST(std::string(std::istreambuf_iterator<char>(in), {}) == payload);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(t.path)) names.push_back(e.path().filename().string());
    BOOST_TEST(names == std::vector<std::string>{"out.bin"});
}

BOOST_AUTO_TEST_CASE(write_into_missing_folder_names_the_path) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.file("no/such/folder/out.bin");
    BOOST_TEST(message_of([&] { data::write_file(path, "x"); }).rfind(path + ": cannot create temporary file", 0) ==
               0u);
    BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(read_missing_file_names_it) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.file("missing.csv");
    BOOST_TEST(message_of([&] { data::read_file(path); }) == path + ": cannot open (No such file or directory)");
}

BOOST_AUTO_TEST_CASE(crc32_helper_matches_the_standard_check_value) {
    // The check value of CRC-32/ISO-HDLC for "123456789", so the hand-built gzip members below are valid.
    BOOST_TEST(crc32("123456789") == 0xcbf43926u);
}

BOOST_AUTO_TEST_CASE(gzip_single_and_multi_member) {
    test::TempDir t("fact_test_data_text");
    BOOST_TEST(data::read_file(t.write("one.gz", gzip_member("hello, world\n"))) == "hello, world\n");
    // `cat a.gz b.gz` is a valid gzip file whose contents are the two texts concatenated.
    const std::string two = gzip_member("first part;") + gzip_member("second part");
    BOOST_TEST(data::read_file(t.write("two.gz", two)) == "first part;second part");
    // An empty member is allowed too.
    BOOST_TEST(data::read_file(t.write("empty.gz", gzip_member(""))) == "");
}

BOOST_AUTO_TEST_CASE(gzip_truncated_corrupt_and_trailing_garbage) {
    test::TempDir t("fact_test_data_text");
    const std::string good = gzip_member("0123456789abcdef");
    const std::string cut = t.write("cut.gz", good.substr(0, good.size() - 6));
    BOOST_TEST(message_of([&] { data::read_file(cut); }) ==
               cut + ": truncated gzip stream (" + std::to_string(good.size() - 6) +
                   " compressed bytes end inside a member)");
    // Every shorter prefix (at least the two magic bytes) is truncated or corrupt, never a silent success.
    for (std::size_t k = 2; k < good.size(); ++k) {
        const std::string p = t.write("prefix.gz", good.substr(0, k));
        BOOST_TEST(message_of([&] { data::read_file(p); }).rfind(p + ": truncated gzip stream", 0) == 0u,
                   "prefix of " << k << " bytes");
    }
    std::string bad_crc = good;
    bad_crc[bad_crc.size() - 8] ^= 0x01;
    const std::string corrupt = t.write("corrupt.gz", bad_crc);
    BOOST_TEST(message_of([&] { data::read_file(corrupt); }) ==
               corrupt + ": corrupt gzip stream near byte " + std::to_string(good.size() - 4) + " (incorrect data check)");
    const std::string trailing = t.write("trailing.gz", good + "junk");
    BOOST_TEST(message_of([&] { data::read_file(trailing); }) ==
               trailing + ": 4 bytes of trailing garbage after the gzip stream at byte " + std::to_string(good.size()));
}


BOOST_AUTO_TEST_CASE(a_directory_is_named_as_one) {
    test::TempDir t("fact_test_data_text");
    const std::string dir = t.file("");
    BOOST_TEST(message_of([&] { data::read_file(dir); }) == dir + ": is a directory (expected a file)");
    // csv:DIR used to say "empty file".
    BOOST_TEST(message_of([&] { data::load_spec("csv:" + dir); }) == dir + ": is a directory (expected a file)");
}

BOOST_AUTO_TEST_CASE(file_larger_than_the_budget_and_decompression_cap) {
    test::TempDir t("fact_test_data_text");
    BudgetGuard guard(1 << 20);   // 1 MiB: plain files up to it, decompressed text up to 512 KiB
    const std::string big = t.write("big.csv", std::string(2 << 20, '0'));
    BOOST_TEST(message_of([&] { data::read_file(big); }) ==
               big + ": the dataset needs 2.0 MiB (the file's bytes) but 1.0 MiB is available (test budget)");
    // 12 gzip members of 60000 bytes each: 720000 bytes decompressed, past the 512 KiB cap.
    std::string gz;
    for (int k = 0; k < 12; ++k) gz += gzip_member(std::string(60000, '0'));
    const std::string bomb = t.write("bomb.csv.gz", gz);
    const std::string m = message_of([&] { data::read_file(bomb); });
    BOOST_TEST(has(m, bomb + ": the decompressed data pass 512.0 KiB (the cap: half of the 1.0 MiB available, test "
                             "budget) after "));
    BOOST_TEST(has(m, "decompress it yourself if the data are meant to be this large"));
    // Within the cap it decompresses as before.
    const std::string ok = t.write("ok.gz", gzip_member("hello") + gzip_member(" world"));
    BOOST_TEST(data::read_file(ok) == "hello world");
}
BOOST_AUTO_TEST_SUITE_END()

// ====================================== CSV ===========================================================

BOOST_AUTO_TEST_SUITE(csv)

// The CSV fields the project writes (summary.csv) read back as written: quotes only where a comma or a
// quote needs them, a doubled quote inside, line breaks as spaces.
BOOST_AUTO_TEST_CASE(csv_quote_and_fields_round_trip) {
    const std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "", "line\nbreak", "\",\""};
    std::string line = data::csv_quote(fields[0]);
    for (std::size_t k = 1; k < fields.size(); ++k) line += "," + data::csv_quote(fields[k]);
    BOOST_TEST(line == "plain,\"a,b\",\"say \"\"hi\"\"\",,line break,\"\"\",\"\"\"");
    const std::vector<std::string> back = data::csv_fields(line);
    const std::vector<std::string> expected = {"plain", "a,b", "say \"hi\"", "", "line break", "\",\""};
    BOOST_TEST(back == expected, boost::test_tools::per_element());
}


BOOST_AUTO_TEST_CASE(header_detected_string_labels_sorted) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("flowers.csv",
                                     "length,width,species\n"
                                     "1,2,virginica\n"
                                     "3,4.5,setosa\n"
                                     "-1e-3,0,versicolor\n"
                                     "7,8,setosa\n");
    const data::Dataset ds = data::load_csv(path);
    BOOST_TEST(ds.name == "flowers");
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{4, 2}));
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1, 2, 3, 4.5, -1e-3, 0, 7, 8}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{2, 0, 1, 0}));
    BOOST_TEST(ds.num_classes == 3u);
    BOOST_TEST(flat(ds.Y) == (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0}));
}

BOOST_AUTO_TEST_CASE(no_header_numeric_labels_sort_as_numbers) {
    test::TempDir t("fact_test_data_text");
    // Bytewise order would be "10" < "2" < "9"; numeric order is 2 < 9 < 10. "9.0" is the number 9.
    const std::string path = t.write("n.csv", "1,2,10\n3,4,2\n5,6,10\n7,8,9.0\n9,10,9\n");
    const data::Dataset ds = data::load_csv(path);
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{5, 2}));
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"2", "9", "10"}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{2, 0, 2, 1, 1}));
}

BOOST_AUTO_TEST_CASE(semicolon_delimiter_label_by_name_in_the_middle) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("s.csv", "x;target;y\n1.5;b;2\n-3;a;4\n");
    data::CsvOptions o;
    o.label = "target";
    const data::Dataset ds = data::load_csv(path, o);
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1.5, 2, -3, 4}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{1, 0}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(tab_delimiter_label_by_negative_index) {
    test::TempDir t("fact_test_data_text");
    // -3 of 3 columns is the first column. No header: every feature field of line 1 is a number.
    const std::string path = t.write("t.tsv", "1\t0.25\t0.5\n0\t0.75\t1\n1\t2\t3\n");
    data::CsvOptions o;
    o.label = "-3";
    const data::Dataset ds = data::load_csv(path, o);
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{3, 2}));
    BOOST_TEST(flat(ds.X) == (std::vector<double>{0.25, 0.5, 0.75, 1, 2, 3}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{1, 0, 1}));
    // Positive index 0 names the same column.
    o.label = "0";
    BOOST_TEST(data::load_csv(path, o).labels == ds.labels);
}

BOOST_AUTO_TEST_CASE(regression_target_becomes_y) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("r.csv", "a,y,b\n1,0.5,2\n3,-1.25,4\n5,1e3,6\n");
    data::CsvOptions o;
    o.label = "1";
    o.task = data::Task::regression;
    const data::Dataset ds = data::load_csv(path, o);
    BOOST_TEST((ds.task == data::Task::regression));
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{3, 2}));
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1, 2, 3, 4, 5, 6}));
    BOOST_TEST(shape(ds.Y) == (std::vector<std::size_t>{3, 1}));
    BOOST_TEST(flat(ds.Y) == (std::vector<double>{0.5, -1.25, 1000}));
    BOOST_TEST(ds.labels.empty());
    BOOST_TEST(ds.num_classes == 0u);
}

BOOST_AUTO_TEST_CASE(crlf_blank_lines_quotes_and_spaces) {
    test::TempDir t("fact_test_data_text");
    // Quoted header names and fields, a quoted label holding the delimiter, spaces around fields, CRLF
    // endings and blank lines at the end.
    const std::string path = t.write("q.csv",
                                     "\"f1\", \"f2\",\"kind\"\r\n"
                                     "\"1\", 2 ,\"p,q\"\r\n"
                                     " 3,4,r\r\n"
                                     "\r\n\r\n");
    const data::Dataset ds = data::load_csv(path);
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1, 2, 3, 4}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"p,q", "r"}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{0, 1}));
}

BOOST_AUTO_TEST_CASE(header_option_overrides_detection) {
    test::TempDir t("fact_test_data_text");
    // An all-numeric header cannot be detected; header=true says so.
    const std::string path = t.write("h.csv", "0,1,2\n5,6,1\n7,8,0\n");
    data::CsvOptions o;
    BOOST_TEST(data::load_csv(path, o).n() == 3u);
    o.header = true;
    const data::Dataset ds = data::load_csv(path, o);
    BOOST_TEST(flat(ds.X) == (std::vector<double>{5, 6, 7, 8}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{1, 0}));
}

BOOST_AUTO_TEST_CASE(gzipped_csv_equals_plain_csv) {
    test::TempDir t("fact_test_data_text");
    const std::string text = "a,b,c\n1,2,x\n3,4,y\n5,6,x\n";
    const data::Dataset plain = data::load_csv(t.write("p.csv", text));
    // Two members, split in the middle of a line.
    const data::Dataset gz = data::load_csv(t.write("p.csv.gz", gzip_member(text.substr(0, 9)) +
                                                                    gzip_member(text.substr(9))));
    BOOST_TEST(gz.name == "p");
    BOOST_TEST(flat(gz.X) == (std::vector<double>{1, 2, 3, 4, 5, 6}));
    BOOST_TEST(same_bits(gz.X, plain.X));
    BOOST_TEST(gz.labels == plain.labels);
    BOOST_TEST(gz.labels == (std::vector<std::size_t>{0, 1, 0}));
}

BOOST_AUTO_TEST_CASE(non_numeric_cell_names_line_and_column) {
    test::TempDir t("fact_test_data_text");
    // The blank line 3 still counts: line numbers are those an editor shows.
    const std::string path = t.write("bad.csv", "a,b,c\n1,2,0\n\n4,abc,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(path); }) == path + ":4:2: 'abc' is not a number");
    const std::string empty_cell = t.write("empty_cell.csv", "1,,0\n");
    data::CsvOptions no_header;
    no_header.header = false;
    BOOST_TEST(message_of([&] { data::load_csv(empty_cell, no_header); }) == empty_cell + ":1:2: '' is not a number");
    const std::string target = t.write("target.csv", "1,2,0.5\n3,4,high\n");
    data::CsvOptions reg;
    reg.task = data::Task::regression;
    BOOST_TEST(message_of([&] { data::load_csv(target, reg); }) == target + ":2:3: 'high' is not a number");
}

BOOST_AUTO_TEST_CASE(ragged_row) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("x.csv", "1,2,3,4,0\n5,6,7,8,1\n9,10,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(path); }) == path + ":3: 3 fields, expected 5 (ragged row)");
    // One column cannot hold both a feature and the label.
    const std::string single = t.write("single.csv", "a\n1\n");
    BOOST_TEST(message_of([&] { data::load_csv(single); }) ==
               single + ":1: 1 field; expected at least one feature and the label (delimiter ',')");
}

BOOST_AUTO_TEST_CASE(empty_file) {
    test::TempDir t("fact_test_data_text");
    const std::string empty = t.write("x.csv", "");
    BOOST_TEST(message_of([&] { data::load_csv(empty); }) == empty + ": empty file");
    const std::string blank = t.write("blank.csv", "\r\n  \n\n");
    BOOST_TEST(message_of([&] { data::load_csv(blank); }) == blank + ": empty file");
    const std::string header_only = t.write("h.csv", "a,b,label\n");
    BOOST_TEST(message_of([&] { data::load_csv(header_only); }) == header_only + ": no data rows (only a header)");
}

BOOST_AUTO_TEST_CASE(missing_or_out_of_range_label_column) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("x.csv", "a,b,c\n1,2,3\n");
    data::CsvOptions o;
    o.label = "target";
    BOOST_TEST(message_of([&] { data::load_csv(path, o); }) == path + ": no column named 'target' (columns: a, b, c)");
    o.label = "3";
    BOOST_TEST(message_of([&] { data::load_csv(path, o); }) ==
               path + ": label column 3 is not an integer in -3..2 (the file has 3 columns; negative counts from the end)");
    o.label = "-4";
    BOOST_TEST(message_of([&] { data::load_csv(path, o); }) ==
               path + ": label column -4 is not an integer in -3..2 (the file has 3 columns; negative counts from the end)");
    o.label = "99999999999999999999999";
    BOOST_TEST(message_of([&] { data::load_csv(path, o); }) ==
               path + ": label column 99999999999999999999999 is not an integer in -3..2 (the file has 3 columns; "
                      "negative counts from the end)");
    o.label = "b";
    o.header = false;
    BOOST_TEST(message_of([&] { data::load_csv(path, o); }) ==
               path + ": label 'b' is a column name, but the file is read without a header");
}


BOOST_AUTO_TEST_CASE(a_first_row_is_a_header_only_if_it_cannot_be_data) {
    test::TempDir t("fact_test_data_text");
    // A first row with an empty cell, nan or 1e309 used to be taken for a header (one row silently lost):
    // it is a data row, and gets the error a later row gets.
    const std::string empty_cell = t.write("e.csv", "1,,0\n2,3,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(empty_cell); }) == empty_cell + ":1:2: '' is not a number");
    const std::string later = t.write("l.csv", "2,3,1\n1,,0\n");
    BOOST_TEST(message_of([&] { data::load_csv(later); }) == later + ":2:2: '' is not a number");
    const std::string nan = t.write("n.csv", "nan,1,0\n2,3,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(nan); }) == nan + ":1:1: 'nan' is not a finite number");
    const std::string huge = t.write("h.csv", "1,1e309,0\n2,3,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(huge); }) == huge + ":1:2: '1e309' is not a finite number");
    const std::string word = t.write("w.csv", "1,abc,0\n2,3,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(word); }) == word + ":1:2: 'abc' is not a number");
    const std::string inf_later = t.write("i.csv", "1,2,0\n-inf,3,1\n");
    BOOST_TEST(message_of([&] { data::load_csv(inf_later); }) == inf_later + ":2:1: '-inf' is not a finite number");
    // Headers still are: names only, or an empty name among them (pandas writes the index column so).
    const std::string pandas = t.write("p.csv", ",a,label\n0,1.5,x\n1,2.5,y\n");
    const data::Dataset p = data::load_csv(pandas);
    BOOST_TEST(p.n() == 2u);
    BOOST_TEST(flat(p.X) == (std::vector<double>{0, 1.5, 1, 2.5}));
}

BOOST_AUTO_TEST_CASE(nan_and_inf_labels_are_refused) {
    test::TempDir t("fact_test_data_text");
    const std::string nan = t.write("n.csv", "1,2,0\n3,4,nan\n");
    BOOST_TEST(message_of([&] { data::load_csv(nan); }) == nan + ":2:3: label 'nan' is not a finite number");
    const std::string inf = t.write("i.csv", "a,b,y\n1,2,inf\n");
    BOOST_TEST(message_of([&] { data::load_csv(inf); }) == inf + ":2:3: label 'inf' is not a finite number");
    data::CsvOptions reg;
    reg.task = data::Task::regression;
    BOOST_TEST(message_of([&] { data::load_csv(nan, reg); }) == nan + ":2:3: 'nan' is not a finite number");
}

BOOST_AUTO_TEST_CASE(non_integer_numeric_labels_need_a_task) {
    test::TempDir t("fact_test_data_text");
    // A continuous target used to become one class per value, silently.
    const std::string path = t.write("r.csv", "x,y\n1,0.5\n2,1.5\n3,2\n");
    BOOST_TEST(message_of([&] { data::load_csv(path); }) ==
               path + ":2:2: label 0.5 is not an integer: the label column holds non-integer numbers, a regression "
                      "target? Give task=regression (or task=classification to make each distinct value a class)");
    BOOST_TEST(has(message_of([&] { data::load_spec("csv:" + path); }), "Give task=regression"));
    const data::Dataset r = data::load_spec("csv:" + path + ",task=regression").train;
    BOOST_TEST((r.task == data::Task::regression));
    BOOST_TEST(flat(r.Y) == (std::vector<double>{0.5, 1.5, 2}));
    const data::Dataset c = data::load_spec("csv:" + path + ",task=classification").train;
    BOOST_TEST(c.num_classes == 3u);
    BOOST_TEST(c.class_names == (std::vector<std::string>{"0.5", "1.5", "2"}));
    // Integer labels and string labels are classes as before.
    BOOST_TEST(data::load_csv(t.write("i.csv", "1,2\n3,4\n5,2\n")).num_classes == 2u);
    BOOST_TEST(data::load_csv(t.write("s.csv", "1,0.5\n3,b\n")).num_classes == 2u);
    // More distinct labels than 65536 classes: refused with the same hint.
    std::string many;
    for (int i = 0; i <= 65536; ++i) many += "0," + std::to_string(i) + "\n";
    const std::string ids = t.write("ids.csv", many);
    BOOST_TEST(message_of([&] { data::load_csv(ids); }) ==
               ids + ": 65537 distinct labels in 65537 rows; expected at most 65536 classes (a regression target or "
                     "an identifier column? Give task=regression or another label column)");
}

BOOST_AUTO_TEST_CASE(nul_bytes_utf16_and_cr_only_endings_are_named) {
    test::TempDir t("fact_test_data_text");
    const std::string nul = t.write("nul.csv", std::string("1,a\0b,0\n", 8));
    BOOST_TEST(message_of([&] { data::load_csv(nul); }) == nul + ":1:2: 'a\\x00b' is not a number");
    const std::string bom = t.write("u16.csv", std::string("\xff\xfe" "a\0,\0b\0\n\0", 10));
    BOOST_TEST(message_of([&] { data::load_csv(bom); }) ==
               bom + ": UTF-16 text (byte-order mark FF FE); expected UTF-8 or ASCII (convert with: iconv -f UTF-16 "
                     "-t UTF-8)");
    const std::string no_bom = t.write("u16b.csv", std::string("1\0,\0" "2\0,\0" "0\0\n\0", 12));
    BOOST_TEST(message_of([&] { data::load_csv(no_bom); }) ==
               no_bom + ": 6 NUL bytes in the first 12: UTF-16 or binary data, not text; expected UTF-8 or ASCII CSV");
    // CR-only line endings used to read as one line, "only a header".
    const std::string cr = t.write("cr.csv", "a,b,y\r1,2,0\r3,4,1\r");
    BOOST_TEST(message_of([&] { data::load_csv(cr); }) ==
               cr + ": line endings are CR alone (old Mac style: 2 CR, no LF); expected LF or CRLF line endings "
                    "(convert with: tr '\\r' '\\n')");
    // One line ended by a CR is fine.
    BOOST_TEST(has(message_of([&] { data::load_csv(t.write("one.csv", "a,b,y\r")); }), "only a header"));
}

BOOST_AUTO_TEST_CASE(csv_rows_are_counted_against_the_budget_before_parsing) {
    test::TempDir t("fact_test_data_text");
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "1,2,3,4,5,6,7,8,9,10,0\n";
    const std::string path = t.write("m.csv", text);
    // Text that decompresses to many short lines, or to one line of many fields, is refused before its
    // line index or its fields are built.
    std::string lines, fields;
    for (int i = 0; i < 100000; ++i) lines += "0,1\n", fields += "0,";
    const std::string many_lines = t.write("lines.csv", lines), many_fields = t.write("fields.csv", fields + "0\n");
    BudgetGuard guard(64 << 10);
    BOOST_TEST(message_of([&] { data::load_csv(path); }) ==
               path + ": 1000 rows of 10 features: the dataset needs 203.1 KiB (rows × features doubles, read and "
                      "then copied into X, and the labels) but 64.0 KiB is available (test budget)");
    data::set_memory_budget(1 << 20, "test budget");
    BOOST_TEST(message_of([&] { data::load_csv(many_lines); }) ==
               many_lines + ": 100001 lines: the dataset needs 2.3 MiB (an index of the lines) but 1.0 MiB is "
                            "available (test budget)");
    BOOST_TEST(message_of([&] { data::load_csv(many_fields); }) ==
               many_fields + ":1: 100001 fields: the dataset needs 6.1 MiB (the fields of a line as strings) but "
                             "1.0 MiB is available (test budget)");
}

BOOST_AUTO_TEST_CASE(unterminated_quote) {
    test::TempDir t("fact_test_data_text");
    const std::string path = t.write("x.csv", "1,2,\"abc\n");
    BOOST_TEST(message_of([&] { data::load_csv(path); }) == path + ":1:3: unterminated quote");
}

BOOST_AUTO_TEST_SUITE_END()

// ====================================== .npy ==========================================================

BOOST_AUTO_TEST_SUITE(npy)

BOOST_AUTO_TEST_CASE(save_writes_numpy_layout_and_round_trips_bitwise) {
    test::TempDir t("fact_test_data_text");
    data::Matrix m = data::Matrix::from_shape({2, 3});
    m(0, 0) = 1.0 / 3.0;
    m(0, 1) = -0.0;
    m(0, 2) = std::numeric_limits<double>::denorm_min();
    m(1, 0) = std::numeric_limits<double>::max();
    m(1, 1) = -std::numeric_limits<double>::infinity();
    m(1, 2) = std::numeric_limits<double>::quiet_NaN();
    const std::string path = t.file("m.npy");
    data::save_npy(path, m);
    BOOST_TEST(same_bits(data::load_npy_matrix(path), m));

    // What np.save writes for a (2, 3) float64 array: version 1.0, header length 118, so the data
    // starts at byte 128 (a multiple of 64), then 6 little-endian doubles.
    std::ifstream in(path, std::ios::binary);
    const std::string file(std::istreambuf_iterator<char>(in), {});
    std::string expected_header = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                                  "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    expected_header += std::string(127 - expected_header.size(), ' ') + "\n";
    BOOST_TEST(file.size() == 128u + 48u);
    BOOST_TEST(file.substr(0, 128) == expected_header);
    // 1.0 (0x3FF0000000000000) would be 00 00 00 00 00 00 F0 3F; check -0.0 = 0x8000000000000000 at element 1.
    BOOST_TEST(file.substr(128 + 8, 8) == bytes({0, 0, 0, 0, 0, 0, 0, 0x80}));
}

BOOST_AUTO_TEST_CASE(float32_little_endian_2d) {
    test::TempDir t("fact_test_data_text");
    // 1.5f = 0x3FC00000, -2.25f = 0xC0100000, 0.1f = 0x3DCCCCCD, 1e30f = 0x7149F2CA (little-endian bytes).
    const std::string body = bytes({0, 0, 0xc0, 0x3f, 0, 0, 0x10, 0xc0, 0xcd, 0xcc, 0xcc, 0x3d, 0xca, 0xf2, 0x49, 0x71});
    const std::string path =
        t.write("f4.npy", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", body));
    const data::Matrix m = data::load_npy_matrix(path);
    BOOST_TEST(shape(m) == (std::vector<std::size_t>{2, 2}));
    BOOST_TEST(flat(m) == (std::vector<double>{1.5, -2.25, double(0.1f), double(1e30f)}));
}

BOOST_AUTO_TEST_CASE(int64_labels_1d_become_one_column) {
    test::TempDir t("fact_test_data_text");
    const std::string body = bytes({2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // -1
                                    0, 0, 0, 0, 0, 0, 0x20, 0});                        // 2^53
    const std::string path = t.write("i8.npy", npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", body));
    const data::Matrix m = data::load_npy_matrix(path);
    BOOST_TEST(shape(m) == (std::vector<std::size_t>{4, 1}));
    BOOST_TEST(flat(m) == (std::vector<double>{2, 0, -1, 9007199254740992.0}));
}

BOOST_AUTO_TEST_CASE(big_endian_and_one_byte_types) {
    test::TempDir t("fact_test_data_text");
    // >f8: 1.5 = 3F F8 00.., -0.5 = BF E0 00..; >i4: -2 = FF FF FF FE; >u2: 258 = 01 02.
    const std::string f8 = t.write("be.npy", npy_file(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }",
                                                      bytes({0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0})));
    BOOST_TEST(flat(data::load_npy_matrix(f8)) == (std::vector<double>{1.5, -0.5}));
    const std::string i4 = t.write("i4.npy", npy_file(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                                                      bytes({0xff, 0xff, 0xff, 0xfe})));
    BOOST_TEST(flat(data::load_npy_matrix(i4)) == (std::vector<double>{-2}));
    const std::string u2 = t.write("u2.npy", npy_file(1, "{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }",
                                                      bytes({0x01, 0x02})));
    BOOST_TEST(flat(data::load_npy_matrix(u2)) == (std::vector<double>{258}));
    const std::string le_u2 = t.write("le_u2.npy", npy_file(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }",
                                                            bytes({0x01, 0x02})));
    BOOST_TEST(flat(data::load_npy_matrix(le_u2)) == (std::vector<double>{513}));
    const std::string u1 = t.write("u1.npy", npy_file(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                                      bytes({0, 7, 255})));
    BOOST_TEST(flat(data::load_npy_matrix(u1)) == (std::vector<double>{0, 7, 255}));
    const std::string i1 = t.write("i1.npy", npy_file(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }",
                                                      bytes({0xff, 0x80})));
    BOOST_TEST(flat(data::load_npy_matrix(i1)) == (std::vector<double>{-1, -128}));
}

BOOST_AUTO_TEST_CASE(versions_2_and_3_with_keys_in_any_order) {
    test::TempDir t("fact_test_data_text");
    const std::string body = bytes({0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40});  // 1.0, 2.0
    const std::string v2 = t.write("v2.npy", npy_file(2, "{'shape': (2, 1), 'fortran_order': False, 'descr': '<f8'}", body));
    BOOST_TEST(shape(data::load_npy_matrix(v2)) == (std::vector<std::size_t>{2, 1}));
    BOOST_TEST(flat(data::load_npy_matrix(v2)) == (std::vector<double>{1, 2}));
    const std::string v3 = t.write("v3.npy", npy_file(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", body));
    BOOST_TEST(flat(data::load_npy_matrix(v3)) == (std::vector<double>{1, 2}));
    // A version-1.0 reading of the 4-byte length would see a different header: the version byte matters.
    std::string as_v1 = npy_file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", body);
    as_v1[6] = 1;
    const std::string wrong = t.write("wrong.npy", as_v1);
    BOOST_TEST(message_of([&] { data::load_npy_matrix(wrong); }).rfind(wrong + ": malformed header", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_files_give_exact_errors) {
    test::TempDir t("fact_test_data_text");
    const std::string f8 = bytes({0, 0, 0, 0, 0, 0, 0xf0, 0x3f});
    const auto check = [&](const std::string& name, const std::string& file, const std::string& expected) {
        const std::string path = t.write(name, file);
        BOOST_TEST(message_of([&] { data::load_npy_matrix(path); }) == path + expected);
    };
    check("magic.npy", std::string("\x93NUMPX\x01\x00", 8) + "rest", ": not a .npy file (bad magic string; expected \\x93NUMPY)");
    check("empty.npy", "", ": not a .npy file (bad magic string; expected \\x93NUMPY)");
    check("version.npy", std::string("\x93NUMPY\x04\x00\x00\x00", 10), ": .npy format version 4.0 not supported (expected 1.0, 2.0 or 3.0)");
    check("hlen.npy", std::string("\x93NUMPY\x01\x00\xff\x00", 10) + "{'descr'",
          ": header length 255 runs past the end of the file (18 bytes)");
    check("body.npy", npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8 + f8 + f8),
          ": truncated: shape (2, 2) of 8-byte elements needs 32 bytes of data, the file has 24");
    check("fortran.npy", npy_file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1), }", f8),
          ": fortran_order is True; only C-order arrays are supported");
    check("3d.npy", npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", f8),
          ": 3-d array (shape (1, 1, 1)); expected 1-D or 2-D");
    check("0d.npy", npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", f8),
          ": 0-d array (shape ()); expected 1-D or 2-D");
    check("complex.npy", npy_file(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", f8 + f8),
          ": dtype '<c16' not supported (expected float32/float64 or an integer of 1, 2, 4 or 8 bytes, e.g. '<f8', "
          "'|u1', '>i4')");
    check("pipe.npy", npy_file(1, "{'descr': '|f8', 'fortran_order': False, 'shape': (1,), }", f8),
          ": dtype '|f8' not supported (expected float32/float64 or an integer of 1, 2, 4 or 8 bytes, e.g. '<f8', "
          "'|u1', '>i4')");
    // 2^32 · 2^32 elements overflow a 64-bit count before the body is looked at.
    check("huge.npy",
          npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f8),
          ": shape (4294967296, 4294967296) is too large (element count overflows)");
    check("bigdim.npy",
          npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", f8),
          ": malformed header at character 70: shape entry too large (header: {'descr': '<f8', "
          "'fortran_order': False, 'shape': (99999999999999999999999,), })");
    check("nokey.npy", npy_file(1, "{'descr': '<f8', 'shape': (1,), }", f8),
          ": header lacks the key 'fortran_order' (header: {'descr': '<f8', 'shape': (1,), })");
}

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error_not_a_crash) {
    test::TempDir t("fact_test_data_text");
    data::Matrix m = data::Matrix::from_shape({3, 2});
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = double(i) + 0.5;
    const std::string full = t.file("full.npy");
    data::save_npy(full, m);
    std::ifstream in(full, std::ios::binary);
    const std::string file(std::istreambuf_iterator<char>(in), {});
    std::size_t errors = 0;
    for (std::size_t k = 0; k < file.size(); ++k) {
        const std::string p = t.write("prefix.npy", file.substr(0, k));
        if (message_of([&] { data::load_npy_matrix(p); }).rfind(p + ": ", 0) == 0) ++errors;
    }
    BOOST_TEST(errors == file.size());
}

BOOST_AUTO_TEST_CASE(load_npy_classification_from_labels_and_one_hot) {
    test::TempDir t("fact_test_data_text");
    data::Matrix X = data::Matrix::from_shape({3, 2});
    for (std::size_t i = 0; i < X.size(); ++i) X.data()[i] = double(i);
    const std::string x = t.file("x.npy");
    data::save_npy(x, X);

    // Labels as little-endian int64, 1-D: [2, 0, 2] → 3 classes (class 1 has no sample, still counted).
    const std::string y = t.write("y.npy", npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                                                    bytes({2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                           2, 0, 0, 0, 0, 0, 0, 0})));
    const data::Dataset a = data::load_npy(x, y);
    BOOST_TEST(a.name == "x");
    BOOST_TEST(same_bits(a.X, X));
    BOOST_TEST(a.labels == (std::vector<std::size_t>{2, 0, 2}));
    BOOST_TEST(a.num_classes == 3u);
    BOOST_TEST(flat(a.Y) == (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 0, 1}));

    // The same classes as one-hot float64 rows, 4 columns wide: c = 4 from the width.
    data::Matrix H = data::Matrix::from_shape({3, 4});
    H.fill(0.0);
    H(0, 3) = H(1, 0) = H(2, 1) = 1.0;
    const std::string h = t.file("h.npy");
    data::save_npy(h, H);
    const data::Dataset b = data::load_npy(x, h);
    BOOST_TEST(b.labels == (std::vector<std::size_t>{3, 0, 1}));
    BOOST_TEST(b.num_classes == 4u);
}

BOOST_AUTO_TEST_CASE(load_npy_regression_keeps_y) {
    test::TempDir t("fact_test_data_text");
    data::Matrix X = data::Matrix::from_shape({2, 1}), Y = data::Matrix::from_shape({2, 2});
    X(0, 0) = 1, X(1, 0) = 2;
    Y(0, 0) = 0.5, Y(0, 1) = -7, Y(1, 0) = 1e-300, Y(1, 1) = 3;
    const std::string x = t.file("x.npy"), y = t.file("y.npy");
    data::save_npy(x, X);
    data::save_npy(y, Y);
    const data::Dataset ds = data::load_npy(x, y, data::Task::regression);
    BOOST_TEST((ds.task == data::Task::regression));
    BOOST_TEST(same_bits(ds.Y, Y));
    BOOST_TEST(same_bits(ds.X, X));
}


BOOST_AUTO_TEST_CASE(load_npy_refuses_nan_and_inf_and_what_does_not_fit) {
    test::TempDir t("fact_test_data_text");
    data::Matrix X = data::Matrix::from_shape({2, 2}), Y = data::Matrix::from_shape({2, 1});
    X.fill(1.0);
    Y(0, 0) = 0, Y(1, 0) = 1;
    const std::string y = t.file("y.npy");
    data::save_npy(y, Y);
    X(1, 0) = std::nan("");
    const std::string xnan = t.file("xnan.npy");
    data::save_npy(xnan, X);
    BOOST_TEST(message_of([&] { data::load_npy(xnan, y); }) == xnan + ": x[1, 0] = nan; expected finite numbers");
    // load_npy_matrix alone keeps NaN (a checkpoint may hold one).
    BOOST_TEST(std::isnan(data::load_npy_matrix(xnan)(1, 0)));
    X(1, 0) = 1.0;
    const std::string x = t.file("x.npy");
    data::save_npy(x, X);
    Y(1, 0) = -std::numeric_limits<double>::infinity();
    const std::string yinf = t.file("yinf.npy");
    data::save_npy(yinf, Y);
    BOOST_TEST(message_of([&] { data::load_npy(x, yinf, data::Task::regression); }) ==
               yinf + ": y[1, 0] = -inf; expected finite numbers");
    BOOST_TEST(message_of([&] { data::load_npy(x, yinf); }) == yinf + ": y[1] = -inf is not a non-negative integer label");

    // A 300 × 1000 array of bytes is 300 KB on disk but 2.3 MiB as doubles: refused before it is allocated.
    const std::string u1 = t.write("u1.npy", npy_file(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (300, 1000), }",
                                                      std::string(300000, '\x01')));
    BudgetGuard guard(1 << 20);
    BOOST_TEST(message_of([&] { data::load_npy_matrix(u1); }) ==
               u1 + ": shape (300, 1000): the dataset needs 2.3 MiB (elements as doubles) but 1.0 MiB is available "
                    "(test budget)");
}

BOOST_AUTO_TEST_CASE(load_npy_label_errors) {
    test::TempDir t("fact_test_data_text");
    data::Matrix X = data::Matrix::from_shape({2, 1});
    X.fill(0.0);
    const std::string x = t.file("x.npy");
    data::save_npy(x, X);
    const auto y_of = [&](const std::string& name, std::vector<std::vector<double>> rows) {
        data::Matrix Y = data::Matrix::from_shape({rows.size(), rows[0].size()});
        for (std::size_t i = 0; i < rows.size(); ++i)
            for (std::size_t j = 0; j < rows[i].size(); ++j) Y(i, j) = rows[i][j];
        const std::string p = t.file(name);
        data::save_npy(p, Y);
        return p;
    };
    const std::string frac = y_of("frac.npy", {{1}, {1.5}});
    BOOST_TEST(message_of([&] { data::load_npy(x, frac); }) ==
               frac + ": y[1] = 1.5 is not a non-negative integer label (a regression target? give task=regression)");
    const std::string neg = y_of("neg.npy", {{-1}, {0}});
    BOOST_TEST(message_of([&] { data::load_npy(x, neg); }) == neg + ": y[0] = -1 is not a non-negative integer label");
    const std::string two_ones = y_of("two.npy", {{1, 0, 0}, {0, 1, 1}});
    BOOST_TEST(message_of([&] { data::load_npy(x, two_ones); }) ==
               two_ones + ": row 1 is not one-hot (expected exactly one 1 and 2 zeros)");
    const std::string half = y_of("half.npy", {{0.5, 0.5}, {0, 1}});
    BOOST_TEST(message_of([&] { data::load_npy(x, half); }) ==
               half + ": row 0 is not one-hot (expected exactly one 1 and 1 zeros)");
    const std::string three = y_of("three.npy", {{0}, {1}, {1}});
    BOOST_TEST(message_of([&] { data::load_npy(x, three); }) == "load_npy: " + x + " has 2 rows but " + three + " has 3");
}

BOOST_AUTO_TEST_SUITE_END()

// ================================== shipped datasets ==================================================
// Sizes and class counts as published with the datasets (UCI, scikit-learn's documentation).

BOOST_AUTO_TEST_SUITE(shipped)

BOOST_AUTO_TEST_CASE(names) {
    BOOST_TEST(data::shipped_names() == (std::vector<std::string>{"breast_cancer", "digits", "iris", "wine"}));
}

BOOST_AUTO_TEST_CASE(iris) {
    const data::Dataset ds = data::load_shipped("iris");
    BOOST_TEST(ds.name == "iris");
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{150, 4}));
    BOOST_TEST(count_labels(ds.labels, ds.num_classes) == (std::vector<std::size_t>{50, 50, 50}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
    BOOST_TEST((std::vector<double>{ds.X(0, 0), ds.X(0, 1), ds.X(0, 2), ds.X(0, 3)}) ==
               (std::vector<double>{5.1, 3.5, 1.4, 0.2}));
    BOOST_TEST(ds.labels[0] == 0u);
    BOOST_TEST(ds.labels[149] == 2u);
    BOOST_TEST(shape(ds.Y) == (std::vector<std::size_t>{150, 3}));
    BOOST_CHECK_NO_THROW(ds.check());
}

BOOST_AUTO_TEST_CASE(wine) {
    const data::Dataset ds = data::load_shipped("wine");
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{178, 13}));
    BOOST_TEST(count_labels(ds.labels, ds.num_classes) == (std::vector<std::size_t>{59, 71, 48}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"class_0", "class_1", "class_2"}));
    // Row 0 of the UCI file: alcohol 14.23, malic acid 1.71, ..., proline 1065.
    BOOST_TEST(ds.X(0, 0) == 14.23);
    BOOST_TEST(ds.X(0, 1) == 1.71);
    BOOST_TEST(ds.X(0, 12) == 1065.0);
    BOOST_TEST(ds.labels[0] == 0u);
}

BOOST_AUTO_TEST_CASE(breast_cancer) {
    const data::Dataset ds = data::load_shipped("breast_cancer");
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{569, 30}));
    BOOST_TEST(count_labels(ds.labels, ds.num_classes) == (std::vector<std::size_t>{212, 357}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"malignant", "benign"}));
    // Row 0: mean radius 17.99, mean texture 10.38, mean perimeter 122.8, mean area 1001; malignant.
    BOOST_TEST((std::vector<double>{ds.X(0, 0), ds.X(0, 1), ds.X(0, 2), ds.X(0, 3)}) ==
               (std::vector<double>{17.99, 10.38, 122.8, 1001}));
    BOOST_TEST(ds.labels[0] == 0u);
}

BOOST_AUTO_TEST_CASE(digits) {
    const data::Dataset ds = data::load_shipped("digits");
    BOOST_TEST(shape(ds.X) == (std::vector<std::size_t>{1797, 64}));
    BOOST_TEST(count_labels(ds.labels, ds.num_classes) ==
               (std::vector<std::size_t>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    // Pixels are counts of set bits in a 4×4 block: integers 0..16, and both ends occur.
    const auto [lo, hi] = std::minmax_element(ds.X.begin(), ds.X.end());
    BOOST_TEST(*lo == 0.0);
    BOOST_TEST(*hi == 16.0);
    BOOST_TEST(std::all_of(ds.X.begin(), ds.X.end(), [](double v) { return v == std::floor(v); }));
    BOOST_TEST((std::vector<double>{ds.X(0, 0), ds.X(0, 1), ds.X(0, 2), ds.X(0, 3), ds.X(0, 4)}) ==
               (std::vector<double>{0, 0, 5, 13, 9}));
    BOOST_TEST(ds.labels[0] == 0u);
    BOOST_TEST(ds.labels[1] == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_name_lists_the_valid_ones) {
    BOOST_TEST(message_of([] { data::load_shipped("mnist"); }) ==
               "load_shipped: unknown dataset 'mnist' (valid: breast_cancer, digits, iris, wine)");
}

BOOST_AUTO_TEST_CASE(environment_variable_chooses_the_folder) {
    EnvGuard guard("FACT_DATASETS_DIR");
    test::TempDir t("fact_test_data_text");
    ::setenv("FACT_DATASETS_DIR", t.path.c_str(), 1);
    BOOST_TEST(data::datasets_dir() == t.path.string());
    const std::string missing = (t.path / "wine.csv").string();
    BOOST_TEST(message_of([] { data::load_shipped("wine"); }) ==
               "load_shipped: " + missing + ": no such file (datasets folder " + t.path.string() +
                   "; set FACT_DATASETS_DIR to the folder holding the shipped datasets)");

    // A tiny file in the shipped format is read from there, class names from its header.
    t.write("iris.csv", "2,3,a,b\n1,2,3,1\n4,5,6,0\n");
    const data::Dataset ds = data::load_shipped("iris");
    BOOST_TEST(flat(ds.X) == (std::vector<double>{1, 2, 3, 4, 5, 6}));
    BOOST_TEST(ds.labels == (std::vector<std::size_t>{1, 0}));
    BOOST_TEST(ds.class_names == (std::vector<std::string>{"a", "b"}));

    // The header's counts are checked against the rows.
    const std::string wine = t.write("wine.csv", "3,2,a,b\n1,2,0\n");
    BOOST_TEST(message_of([] { data::load_shipped("wine"); }) == wine + ": header says 3 rows, the file has 1");
    const std::string bc = t.write("breast_cancer.csv.gz", gzip_member("1,2,a,b\n1,2,5\n"));
    BOOST_TEST(message_of([] { data::load_shipped("breast_cancer"); }) == bc + ":2:3: label 5 out of range (expected 0..1)");
}

BOOST_AUTO_TEST_SUITE_END()
