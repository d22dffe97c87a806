// Tests of the SVG writer (fact/plot.hpp). Every picture is parsed by a small XML checker written here
// (well-formedness is what any viewer demands first), then its structure is checked against what the
// inputs require: one <rect> per heatmap cell, the RdBu endpoints at ±m and white at 0 (m per panel, or
// shared), escaped text, one polyline per unbroken run of a series, 1/2/5×10^k ticks and decade ticks that
// cover the data, axis labels and captions on every chart of a figure.
#define BOOST_TEST_MODULE fact_plot
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "autodiff/error.hpp"
#include "fact/plot.hpp"

namespace {

// ---- a tiny XML checker -------------------------------------------------------------------------------

struct Element {
    std::string name;
    std::map<std::string, std::string> attrs;  // values with entities decoded
    std::vector<Element> children;
    std::string text;  // character data directly inside, entities decoded
};

struct XmlError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Recursive descent over the subset of XML an SVG writer needs: elements, double- or single-quoted
/// attributes, character data and the five predefined entities (plus &#N;). No comments, CDATA or DTD.
class XmlParser {
public:
    explicit XmlParser(const std::string& s) : s_(s) {}

    Element document() {
        skip_space();
        if (s_.compare(pos_, 5, "<?xml") == 0) {  // optional prolog
            const auto end = s_.find("?>", pos_);
            if (end == std::string::npos) fail("unterminated <?xml prolog");
            pos_ = end + 2;
            skip_space();
        }
        Element root = element();
        skip_space();
        if (pos_ != s_.size()) fail("content after the root element");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw XmlError("xml: " + what + " at offset " + std::to_string(pos_));
    }
    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    void skip_space() {
        while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    std::string name() {
        const std::size_t start = pos_;
        auto is_name_char = [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
        };
        if (at_end() || !(std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_')) fail("expected a name");
        while (!at_end() && is_name_char(s_[pos_])) ++pos_;
        return s_.substr(start, pos_ - start);
    }
    // One entity starting at '&'; appends its character.
    void entity(std::string& out) {
        const auto end = s_.find(';', pos_);
        if (end == std::string::npos || end - pos_ > 10) fail("'&' that starts no entity");
        const std::string e = s_.substr(pos_ + 1, end - pos_ - 1);
        static const std::map<std::string, char> named = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'},
                                                          {"apos", '\''}};
        if (named.count(e)) {
            out += named.at(e);
        } else if (e.size() > 1 && e[0] == '#' && std::all_of(e.begin() + 1, e.end(), ::isdigit)) {
            out += char(std::stoi(e.substr(1)));  // ASCII is all our writer could use
        } else {
            fail("unknown entity &" + e + ";");
        }
        pos_ = end + 1;
    }
    std::string attribute_value() {
        const char quote = peek();
        if (quote != '"' && quote != '\'') fail("attribute value not quoted");
        ++pos_;
        std::string value;
        while (peek() != quote) {
            if (at_end()) fail("unterminated attribute value");
            if (peek() == '<') fail("'<' inside an attribute value");
            if (peek() == '&') entity(value);
            else value += s_[pos_++];
        }
        ++pos_;
        return value;
    }
    Element element() {
        expect('<');
        Element e;
        e.name = name();
        for (;;) {
            const bool had_space = std::isspace(static_cast<unsigned char>(peek()));
            skip_space();
            if (peek() == '/') {
                ++pos_;
                expect('>');
                return e;
            }
            if (peek() == '>') {
                ++pos_;
                break;
            }
            if (!had_space) fail("attributes not separated by white space");
            const std::string key = name();
            skip_space();
            expect('=');
            skip_space();
            if (!e.attrs.emplace(key, attribute_value()).second) fail("duplicate attribute " + key);
        }
        for (;;) {  // content up to the matching end tag
            if (at_end()) fail("<" + e.name + "> never closed");
            if (s_.compare(pos_, 2, "</") == 0) {
                pos_ += 2;
                const std::string closing = name();
                if (closing != e.name) fail("</" + closing + "> closes <" + e.name + ">");
                skip_space();
                expect('>');
                return e;
            }
            if (peek() == '<') e.children.push_back(element());
            else if (peek() == '&') entity(e.text);
            else if (peek() == '>') fail("raw '>' in character data");  // legal XML, but our writer escapes it
            else e.text += s_[pos_++];
        }
    }

    const std::string& s_;
    std::size_t pos_ = 0;
};

/// Parse svg text and check the root: <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 w h">.
Element parse_svg(const std::string& svg) {
    Element root = XmlParser(svg).document();
    if (root.name != "svg") throw XmlError("root element is <" + root.name + ">, not <svg>");
    if (root.attrs["xmlns"] != "http://www.w3.org/2000/svg") throw XmlError("root lacks the SVG xmlns");
    std::istringstream box(root.attrs["viewBox"]);
    double x = -1, y = -1, w = -1, h = -1;
    if (!(box >> x >> y >> w >> h) || w <= 0 || h <= 0) throw XmlError("bad viewBox \"" + root.attrs["viewBox"] + "\"");
    return root;
}

// ---- queries on the parsed tree -----------------------------------------------------------------------

bool has_class(const Element& e, const std::string& c) {
    auto it = e.attrs.find("class");
    return it != e.attrs.end() && it->second == c;
}

void collect(const Element& e, const std::string& name, const std::string& cls, std::vector<const Element*>& out) {
    if ((name.empty() || e.name == name) && (cls.empty() || has_class(e, cls))) out.push_back(&e);
    for (const Element& c : e.children) collect(c, name, cls, out);
}

/// All elements below (and including) e with this tag name and/or class ("" matches any).
std::vector<const Element*> find_all(const Element& e, const std::string& name, const std::string& cls = "") {
    std::vector<const Element*> out;
    collect(e, name, cls, out);
    return out;
}

std::vector<const Element*> children_named(const Element& e, const std::string& name) {
    std::vector<const Element*> out;
    for (const Element& c : e.children)
        if (c.name == name) out.push_back(&c);
    return out;
}

std::vector<std::string> texts(const Element& e) {
    std::vector<std::string> out;
    for (const Element* t : find_all(e, "text")) out.push_back(t->text);
    return out;
}

std::vector<double> numbers(const std::vector<std::string>& labels) {
    std::vector<double> out;
    for (const std::string& s : labels) {
        std::size_t used = 0;
        out.push_back(std::stod(s, &used));
        BOOST_TEST(used == s.size(), "tick label \"" << s << "\" is not a plain number");
    }
    return out;
}

const Element& only(const Element& root, const std::string& name, const std::string& cls) {
    const auto all = find_all(root, name, cls);
    BOOST_REQUIRE_EQUAL(all.size(), 1u);
    return *all[0];
}

/// Every coordinate-like attribute is a finite number (what a division by zero would break).
void check_coordinates_finite(const Element& root, const std::string& svg) {
    for (const Element* e : find_all(root, ""))
        for (const char* a : {"x", "y", "width", "height", "cx", "cy", "r", "x1", "y1", "x2", "y2"}) {
            auto it = e->attrs.find(a);
            if (it == e->attrs.end()) continue;
            const double v = std::stod(it->second);
            BOOST_TEST(std::isfinite(v), "<" << e->name << " " << a << "=\"" << it->second << "\">");
        }
    std::string lower = svg;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    BOOST_TEST(lower.find("nan") == std::string::npos);
    BOOST_TEST(lower.find("inf") == std::string::npos);
}

struct Rgb {
    int r, g, b;
};
Rgb rgb(const std::string& hex) {
    BOOST_REQUIRE_EQUAL(hex.size(), 7u);
    return {std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
            std::stoi(hex.substr(5, 2), nullptr, 16)};
}

// The agreed scale: RdBu endpoints at ±m, its middle class at 0.
const std::string blue_end = "#2166ac", white = "#f7f7f7", red_end = "#b2182b";

/// The cells group of each panel, in panel order, and the fill of cell (i, j) in one of them.
std::vector<const Element*> cell_groups(const Element& root) { return find_all(root, "g", "cells"); }

std::string cell_fill(const Element& cells, std::size_t i, std::size_t j) {
    for (const Element& r : cells.children)
        if (r.attrs.at("x") == std::to_string(j) && r.attrs.at("y") == std::to_string(i)) return r.attrs.at("fill");
    BOOST_FAIL("no cell (" << i << "," << j << ")");
    return "";
}

fact::Series series(std::string name, std::vector<double> x, std::vector<double> y) {
    return fact::Series{std::move(name), std::move(x), std::move(y)};
}

/// Linear ticks: a constant step s = 1, 2 or 5 × 10^k, every label a multiple of s, first ≤ lo, last ≥ hi.
/// Labels carry at least 6 significant digits, so 1e-9 relative slack covers their rounding. min_ticks: 3
/// for whole-number data spanning 2 (ticks 0, 1, 2: no step below 1 for epochs, iterations or layers).
void check_nice_ticks(const std::vector<double>& t, double lo, double hi, std::size_t min_ticks = 4) {
    BOOST_REQUIRE_GE(t.size(), 2u);
    const double step = t[1] - t[0], scale = std::max({std::abs(t.front()), std::abs(t.back()), step});
    const double decade = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    const double mantissa = step / decade;
    BOOST_TEST((std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6),
               "step " << step << " is not 1, 2 or 5 x 10^k");
    for (std::size_t i = 0; i < t.size(); ++i) {
        BOOST_TEST(std::abs(t[i] - t[0] - double(i) * step) <= 1e-9 * scale, "uneven tick " << t[i]);
        BOOST_TEST(std::abs(t[i] / step - std::round(t[i] / step)) < 1e-6, t[i] << " not a multiple of " << step);
    }
    BOOST_TEST(t.front() <= lo + 1e-9 * scale);
    BOOST_TEST(t.back() >= hi - 1e-9 * scale);
    // "About 5 to 8": 1-2-5 steps cannot always land there ([0, 14.5] has 4 ticks at step 5, 9 at step 2).
    BOOST_TEST(t.size() >= min_ticks);
    BOOST_TEST(t.size() <= 9u);
}

}  // namespace

// ---- the checker itself ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(xml_checker_accepts_svg_and_rejects_malformed_text) {
    const std::string good =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><g a='1'><rect x=\"1\"/>a &amp; b</g></svg>";
    BOOST_CHECK_NO_THROW(parse_svg(good));
    BOOST_TEST(parse_svg(good).children.at(0).text == "a & b");
    for (const char* bad : {
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><g></svg>",        // unclosed
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><g></h></svg>",    // mismatched
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><g x=1/></svg>",   // unquoted
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">a & b</svg>",      // raw &
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">a < b</svg>",      // raw <
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><g t=\"<\"/></svg>",
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"/><svg/>",          // two roots
             "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",                                       // no viewBox
             "<svg viewBox=\"0 0 10 10\"/>",                                                      // no xmlns
             "<html xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"/>",               // not svg
         })
        BOOST_CHECK_THROW(parse_svg(bad), XmlError);
}

// ---- heatmaps -------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(heatmap_has_one_rect_per_cell_in_each_panel) {
    const std::vector<std::pair<std::size_t, std::size_t>> shapes = {{3, 5}, {4, 4}, {1, 7}, {70, 65}};
    std::vector<fact::Heatmap> panels;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal;
    for (auto [r, c] : shapes) {
        fact::Matrix m = fact::Matrix::from_shape({r, c});
        for (double& v : m) v = normal(rng);
        panels.push_back({"panel " + std::to_string(r) + "x" + std::to_string(c), m});
    }
    const std::string svg = fact::heatmaps_svg(panels, "shapes");
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);

    const auto groups = cell_groups(root);
    BOOST_REQUIRE_EQUAL(groups.size(), shapes.size());
    for (std::size_t p = 0; p < shapes.size(); ++p) {
        const auto [rows, cols] = shapes[p];
        const auto rects = children_named(*groups[p], "rect");
        BOOST_TEST(rects.size() == rows * cols);
        BOOST_TEST(groups[p]->children.size() == rects.size());  // nothing else among the cells
        std::vector<int> seen(rows * cols, 0);                   // each (i, j) exactly once
        for (const Element* r : rects) {
            const std::size_t j = std::stoul(r->attrs.at("x")), i = std::stoul(r->attrs.at("y"));
            BOOST_REQUIRE(i < rows);
            BOOST_REQUIRE(j < cols);
            ++seen[i * cols + j];
        }
        BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    }
    // Panel titles in order, then the overall title once.
    const auto panel_groups = find_all(root, "g", "panel");
    BOOST_REQUIRE_EQUAL(panel_groups.size(), shapes.size());
    for (std::size_t p = 0; p < shapes.size(); ++p) BOOST_TEST(texts(*panel_groups[p]).at(0) == panels[p].title);
    const auto all = texts(root);
    BOOST_TEST(std::count(all.begin(), all.end(), "shapes") == 1);
}

BOOST_AUTO_TEST_CASE(heatmap_colours_follow_one_symmetric_scale) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // m = 2 over both panels: the maximum 2 is in panel B, the minimum −2 in panel A.
    const fact::Matrix a = {{1.0, -2.0}, {0.0, 0.5}};
    const fact::Matrix b = {{2.0, nan, 1.0, -0.25}};
    const std::string svg = fact::heatmaps_svg({{"A", a}, {"B", b}}, "scale", fact::ColourScale::shared);
    const Element root = parse_svg(svg);
    const auto g = cell_groups(root);
    BOOST_REQUIRE_EQUAL(g.size(), 2u);

    BOOST_TEST(cell_fill(*g[1], 0, 0) == red_end);   // +m
    BOOST_TEST(cell_fill(*g[0], 0, 1) == blue_end);  // −m
    BOOST_TEST(cell_fill(*g[0], 1, 0) == white);     // 0
    BOOST_TEST(cell_fill(*g[0], 0, 0) == cell_fill(*g[1], 0, 2));  // 1 in A and in B: one shared scale

    // Positive values are reddish (R > B), negative bluish (B > R); the larger |v|, the further from white.
    const Rgb half = rgb(cell_fill(*g[0], 1, 1)), one = rgb(cell_fill(*g[0], 0, 0)), neg = rgb(cell_fill(*g[1], 0, 3));
    BOOST_TEST(half.r > half.b);
    BOOST_TEST(one.r > one.b);
    BOOST_TEST(neg.b > neg.r);
    BOOST_TEST(one.g < half.g);  // green falls from white (f7) towards the red end (18)
    const Rgb grey = rgb(cell_fill(*g[1], 0, 1));  // NaN: a grey that is not the white of 0
    BOOST_TEST((grey.r == grey.g && grey.g == grey.b));
    BOOST_TEST(cell_fill(*g[1], 0, 1) != white);

    // The colour bar's labels are −m, −m/2, 0, m/2, m, from the bottom (larger y) to the top.
    const Element& bar = only(root, "g", "colorbar-ticks");
    BOOST_TEST(numbers(texts(bar)) == std::vector<double>({-2, -1, 0, 1, 2}), boost::test_tools::per_element());
    const auto labels = children_named(bar, "text");
    for (std::size_t k = 1; k < labels.size(); ++k)
        BOOST_TEST(std::stod(labels[k]->attrs.at("y")) < std::stod(labels[k - 1]->attrs.at("y")));
    BOOST_TEST(find_all(root, "rect", "colorbar").size() == 1u);

    // When the minimum is not −m it is bluish but not the endpoint; ±inf clamp to the endpoints.
    const double inf = std::numeric_limits<double>::infinity();
    const Element r2 = parse_svg(fact::heatmaps_svg({{"C", fact::Matrix{{3.0, -1.0, inf, -inf}}}}, "clamp",
                                                    fact::ColourScale::shared));
    const Element& c = *cell_groups(r2).at(0);
    BOOST_TEST(cell_fill(c, 0, 0) == red_end);
    BOOST_TEST(cell_fill(c, 0, 1) != blue_end);
    BOOST_TEST(rgb(cell_fill(c, 0, 1)).b > rgb(cell_fill(c, 0, 1)).r);
    BOOST_TEST(cell_fill(c, 0, 2) == red_end);
    BOOST_TEST(cell_fill(c, 0, 3) == blue_end);

    // The figure says which scale it uses.
    const auto caption = texts(only(root, "g", "caption"));
    BOOST_REQUIRE(!caption.empty());
    BOOST_TEST(caption[0].find("one scale for all panels") != std::string::npos, caption[0]);
}

BOOST_AUTO_TEST_CASE(heatmap_panels_each_on_their_own_scale_by_default) {
    // WᵀW against a proportional AGOP^½ 200 times smaller, and a third panel of another sign pattern. On one
    // shared scale B would be a blank panel; on its own it must look exactly like A.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const fact::Matrix a = {{2.0, -1.0, 0.5}, {0.0, 1.5, -2.0}};
    const fact::Matrix b = a / 200.0;
    const fact::Matrix c = {{-0.3, 0.1}, {nan, 0.0}};
    const std::string svg = fact::heatmaps_svg({{"A", a}, {"B (A / 200)", b}, {"C", c}}, "own scales", fact::ColourScale::per_panel,
                                               "first caption line\nsecond caption line");
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);
    BOOST_TEST(svg == fact::heatmaps_svg({{"A", a}, {"B (A / 200)", b}, {"C", c}}, "own scales", {},
                                         "first caption line\nsecond caption line"));  // per_panel is the default
    const auto g = cell_groups(root);
    BOOST_REQUIRE_EQUAL(g.size(), 3u);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(cell_fill(*g[1], i, j) == cell_fill(*g[0], i, j), i << "," << j);
    BOOST_TEST(cell_fill(*g[1], 0, 0) == red_end);   // B's own maximum, +m_B = 0.01
    BOOST_TEST(cell_fill(*g[1], 1, 2) == blue_end);  // −m_B
    BOOST_TEST(cell_fill(*g[2], 0, 0) == blue_end);  // C's −0.3 is its own −m
    BOOST_TEST(cell_fill(*g[2], 0, 1) != red_end);   // 0.1 of m = 0.3: reddish, not the end
    BOOST_TEST(rgb(cell_fill(*g[2], 0, 1)).r > rgb(cell_fill(*g[2], 0, 1)).b);

    // One colour bar per panel, inside the panel's group, labelled −m, 0, m with that panel's m.
    BOOST_TEST(find_all(root, "rect", "colorbar").size() == 3u);
    const auto panels = find_all(root, "g", "panel");
    BOOST_REQUIRE_EQUAL(panels.size(), 3u);
    const std::vector<double> m = {2.0, 0.01, 0.3};
    for (std::size_t p = 0; p < 3; ++p) {
        BOOST_TEST(find_all(*panels[p], "rect", "colorbar").size() == 1u);
        BOOST_TEST(numbers(texts(only(*panels[p], "g", "colorbar-ticks"))) == std::vector<double>({-m[p], 0, m[p]}),
                   boost::test_tools::per_element());
    }
    // The figure says so, then the caller's lines.
    const auto caption = texts(only(root, "g", "caption"));
    BOOST_REQUIRE_EQUAL(caption.size(), 3u);
    BOOST_TEST(caption[0].find("each panel on its own scale") != std::string::npos, caption[0]);
    BOOST_TEST(caption[1] == "first caption line");
    BOOST_TEST(caption[2] == "second caption line");
}

BOOST_AUTO_TEST_CASE(degenerate_heatmaps_are_well_formed) {
    // All zeros: m = 0, every cell white, the colour bar has the single label 0.
    const std::string zero = fact::heatmaps_svg({{"zeros", ad::zeros<double>(3, 4)}}, "all zero");
    const Element root = parse_svg(zero);
    check_coordinates_finite(root, zero);
    for (const Element* r : children_named(*cell_groups(root).at(0), "rect")) BOOST_TEST(r->attrs.at("fill") == white);
    BOOST_TEST(texts(only(root, "g", "colorbar-ticks")) == std::vector<std::string>({"0"}),
               boost::test_tools::per_element());

    // No panels, an empty matrix, a single cell.
    for (const std::string& svg : {fact::heatmaps_svg({}, "nothing"),
                                   fact::heatmaps_svg({{"empty", fact::Matrix::from_shape({0, 0})}}, "empty"),
                                   fact::heatmaps_svg({{"one", fact::Matrix{{-3.5}}}}, "one cell")}) {
        const Element r = parse_svg(svg);
        check_coordinates_finite(r, svg);
    }
    const Element one = parse_svg(fact::heatmaps_svg({{"one", fact::Matrix{{-3.5}}}}, "one cell"));
    BOOST_TEST(cell_fill(*cell_groups(one).at(0), 0, 0) == blue_end);
}

BOOST_AUTO_TEST_CASE(titles_labels_and_names_are_escaped) {
    const std::string nasty = "<&>", quoted = "say \"hi\" & 'bye'";
    const std::string heat = fact::heatmaps_svg({{quoted, fact::Matrix{{1.0}}}}, nasty);
    BOOST_TEST(heat.find("&lt;&amp;&gt;") != std::string::npos);
    BOOST_TEST(heat.find(nasty) == std::string::npos);
    const auto ht = texts(parse_svg(heat));  // decoded back to the originals
    BOOST_TEST(std::count(ht.begin(), ht.end(), nasty) == 1);
    BOOST_TEST(std::count(ht.begin(), ht.end(), quoted) == 1);

    fact::LineChart chart{nasty, "x < 1", "y & z", {series(quoted, {0, 1}, {0, 1})}};
    const std::string line = fact::line_chart_svg(chart);
    BOOST_TEST(line.find("&lt;&amp;&gt;") != std::string::npos);
    BOOST_TEST(line.find("x &lt; 1") != std::string::npos);
    BOOST_TEST(line.find("y &amp; z") != std::string::npos);
    const auto lt = texts(parse_svg(line));
    for (const std::string& s : {nasty, std::string("x < 1"), std::string("y & z"), quoted})
        BOOST_TEST(std::count(lt.begin(), lt.end(), s) == 1, s);
}

// ---- line charts ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(line_chart_draws_one_polyline_per_unbroken_run) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    fact::LineChart chart{"runs", "step", "loss", {}};
    chart.series.push_back(series("train", {0, 1, 2, 3, 4}, {5, 4, 3, 2.5, 2}));
    chart.series.push_back(series("test", {0, 1, 2, 3, 4}, {6, 5, nan, 4, 3.5}));  // a gap in the middle
    chart.series.push_back(series("lone", {0, 1, 2}, {nan, 4.5, nan}));           // a single drawable point
    const std::string svg = fact::line_chart_svg(chart);
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);

    const auto groups = find_all(root, "g", "series");
    BOOST_REQUIRE_EQUAL(groups.size(), 3u);
    const std::vector<std::size_t> polylines = {1, 2, 0}, circles = {0, 0, 1};
    for (std::size_t k = 0; k < 3; ++k) {
        BOOST_TEST(children_named(*groups[k], "polyline").size() == polylines[k]);
        BOOST_TEST(children_named(*groups[k], "circle").size() == circles[k]);
    }
    // Points per polyline: 5, then 2 and 2.
    auto count_points = [](const Element* p) {
        std::istringstream in(p->attrs.at("points"));
        std::string pt;
        std::size_t n = 0;
        while (in >> pt) ++n;
        return n;
    };
    BOOST_TEST(count_points(children_named(*groups[0], "polyline")[0]) == 5u);
    for (const Element* p : children_named(*groups[1], "polyline")) BOOST_TEST(count_points(p) == 2u);

    // Distinct colours, and the legend names each series beside a line of its colour.
    std::vector<std::string> colours;
    for (const Element* g : groups) colours.push_back(g->attrs.at("stroke"));
    BOOST_TEST(colours[0] != colours[1]);
    BOOST_TEST(colours[1] != colours[2]);
    BOOST_TEST(colours[0] != colours[2]);
    const Element& legend = only(root, "g", "legend");
    BOOST_TEST(texts(legend) == std::vector<std::string>({"train", "test", "lone"}), boost::test_tools::per_element());
    const auto keys = children_named(legend, "line");
    BOOST_REQUIRE_EQUAL(keys.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(keys[k]->attrs.at("stroke") == colours[k]);

    // Ticks span the drawn data: x in [0, 4], y in [2, 6].
    check_nice_ticks(numbers(texts(only(root, "g", "x-ticks"))), 0, 4);
    check_nice_ticks(numbers(texts(only(root, "g", "y-ticks"))), 2, 6);
}

BOOST_AUTO_TEST_CASE(linear_ticks_are_one_two_five_steps_covering_the_data) {
    // Fixed awkward ranges, then seeded random ones over many magnitudes.
    std::vector<std::pair<double, double>> ranges = {
        {0, 1}, {0, 14.5}, {0.1, 0.3}, {-7, 3}, {1000.5, 1001.3}, {-1e-6, 4e-6}, {0, 1e6}, {99, 101}, {-3, -2.2}};
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> u(-1, 1), e(-8, 8);
    for (int i = 0; i < 200; ++i) {
        const double scale = std::pow(10.0, e(rng)), a = u(rng) * scale;
        const double b = a + (std::abs(u(rng)) + 1e-12) * scale;
        ranges.emplace_back(a, b);
    }
    for (auto [lo, hi] : ranges) {
        BOOST_TEST_CONTEXT("data range [" << lo << ", " << hi << "]") {
            fact::LineChart chart{"t", "x", "y", {series("s", {lo, hi}, {hi, lo})}};
            const std::string svg = fact::line_chart_svg(chart);
            const Element root = parse_svg(svg);
            const bool whole = lo == std::round(lo) && hi == std::round(hi);  // x only: y ticks never skip steps below 1
            check_nice_ticks(numbers(texts(only(root, "g", "x-ticks"))), lo, hi, whole && hi - lo == 2 ? 3 : 4);
            check_nice_ticks(numbers(texts(only(root, "g", "y-ticks"))), lo, hi);
        }
    }
}

BOOST_AUTO_TEST_CASE(log_axis_ticks_are_decades_and_skip_non_positive_values) {
    fact::LineChart chart{"log", "epoch", "loss", {}, true};
    chart.series.push_back(series("loss", {1, 2, 3, 4, 5, 6}, {37, 2.5, 0, 0.1, -1, 0.0012}));
    const std::string svg = fact::line_chart_svg(chart);
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);

    const auto ticks = numbers(texts(only(root, "g", "y-ticks")));
    BOOST_REQUIRE_GE(ticks.size(), 2u);
    for (double t : ticks) BOOST_TEST(std::abs(std::log10(t) - std::round(std::log10(t))) < 1e-12, t);
    BOOST_TEST(ticks.front() <= 0.0012);
    BOOST_TEST(ticks.back() >= 37);
    BOOST_TEST(ticks.size() <= 8u);
    // 0 and −1 leave gaps: runs {37, 2.5}, {0.1}, {0.0012}.
    const Element& g = only(root, "g", "series");
    BOOST_TEST(children_named(g, "polyline").size() == 1u);
    BOOST_TEST(children_named(g, "circle").size() == 2u);

    // Twenty decades thin out to at most 8 ticks, still powers of ten covering the data.
    fact::LineChart wide{"wide", "x", "y", {series("s", {0, 1}, {1e-12, 3e7})}, true};
    const auto wt = numbers(texts(only(parse_svg(fact::line_chart_svg(wide)), "g", "y-ticks")));
    BOOST_TEST(wt.size() <= 8u);
    BOOST_TEST(wt.front() <= 1e-12);
    BOOST_TEST(wt.back() >= 3e7);
    for (double t : wt) BOOST_TEST(std::abs(std::log10(t) - std::round(std::log10(t))) < 1e-12, t);
}

BOOST_AUTO_TEST_CASE(degenerate_charts_are_well_formed) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<fact::LineChart> charts = {
        {"single point", "x", "y", {series("p", {3}, {7})}},
        {"all x equal", "x", "y", {series("v", {2, 2, 2}, {1, 5, 3})}},
        {"all y equal", "x", "y", {series("h", {0, 1, 2}, {0, 0, 0})}},
        {"no series", "x", "y", {}},
        {"empty series", "x", "y", {series("none", {}, {})}},
        {"all missing", "x", "y", {series("gaps", {0, 1}, {nan, nan})}},  // no "nan" in any name
        {"log, nothing positive", "x", "y", {series("neg", {0, 1}, {0, -2})}, true},
        {"log, one value", "x", "y", {series("one", {0, 1}, {1, 1})}, true},
    };
    for (const fact::LineChart& chart : charts) {
        BOOST_TEST_CONTEXT(chart.title) {
            const std::string svg = fact::line_chart_svg(chart);
            Element root;
            BOOST_REQUIRE_NO_THROW(root = parse_svg(svg));
            check_coordinates_finite(root, svg);
            BOOST_TEST(find_all(root, "g", "series").size() == chart.series.size());
            BOOST_TEST(find_all(root, "g", "legend").size() == (chart.series.empty() ? 0u : 1u));
            BOOST_TEST(texts(only(root, "g", "x-ticks")).size() >= 2u);
            BOOST_TEST(texts(only(root, "g", "y-ticks")).size() >= 2u);
        }
    }
    // The single point is a dot, and the ticks around it still cover it.
    const Element root = parse_svg(fact::line_chart_svg(charts[0]));
    BOOST_TEST(find_all(root, "circle").size() == 1u);
    check_nice_ticks(numbers(texts(only(root, "g", "x-ticks"))), 3, 3);
    check_nice_ticks(numbers(texts(only(root, "g", "y-ticks"))), 7, 7);
}

BOOST_AUTO_TEST_CASE(series_of_unequal_lengths_throw) {
    fact::LineChart chart{"bad", "x", "y", {series("s", {0, 1, 2}, {0, 1})}};
    BOOST_CHECK_THROW(fact::line_chart_svg(chart), ad::ShapeError);
}

BOOST_AUTO_TEST_CASE(a_figure_of_charts_labels_every_axis) {
    // The loss, the gradient ratio on a log axis and the accuracy of a run, as curves.svg draws them.
    std::vector<double> x, loss, ratio, acc;
    for (int e = 1; e <= 40; ++e) {
        x.push_back(e);
        loss.push_back(0.5 * std::exp(-0.1 * e) + 0.01);
        ratio.push_back(std::pow(10.0, -0.25 * e));  // 10^-0.25 .. 10^-10
        acc.push_back(std::min(1.0, 0.1 + 0.03 * e));
    }
    fact::LineChart l{"Loss", "epoch", "L (log scale)", {series("train", x, loss)}, true};
    fact::LineChart g{"Distance", "epoch", "|grad| / |theta| (log scale)", {series("ratio", x, ratio)}, true};
    g.caption = "FACT holds where this is 0\nsecond line";
    fact::LineChart a{"Accuracy", "epoch", "accuracy (fraction)", {series("train", x, acc)}, false};
    const std::string svg = fact::line_charts_svg({l, g, a}, "Training", 2);
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);

    const auto charts = find_all(root, "g", "chart");
    BOOST_REQUIRE_EQUAL(charts.size(), 3u);
    const std::vector<fact::LineChart> want = {l, g, a};
    for (std::size_t k = 0; k < 3; ++k) {
        BOOST_TEST(texts(only(*charts[k], "text", "x-label")).at(0) == want[k].x_label);
        BOOST_TEST(texts(only(*charts[k], "text", "y-label")).at(0) == want[k].y_label);
        BOOST_TEST(find_all(*charts[k], "g", "series").size() == 1u);
        BOOST_TEST(texts(*charts[k]).at(0) == want[k].title);
    }
    // The ratio's axis: decades covering 1e-10 .. 10^-0.25, at most 8 of them.
    const auto ticks = numbers(texts(only(*charts[1], "g", "y-ticks")));
    for (double t : ticks) BOOST_TEST(std::abs(std::log10(t) - std::round(std::log10(t))) < 1e-12, t);
    BOOST_TEST(ticks.front() <= 1e-10);
    BOOST_TEST(ticks.back() >= std::pow(10.0, -0.25));
    BOOST_TEST(ticks.size() <= 8u);
    BOOST_TEST(texts(only(*charts[1], "g", "caption")) == std::vector<std::string>({"FACT holds where this is 0", "second line"}),
               boost::test_tools::per_element());
    BOOST_TEST(find_all(*charts[0], "g", "caption").empty());
    // Two per row: the third chart starts a second row, below the first (translate(0, y) with y > 40).
    BOOST_TEST(charts[0]->attrs.at("transform") == "translate(0,40)");
    BOOST_TEST(charts[2]->attrs.at("transform").rfind("translate(0,", 0) == 0u);
    BOOST_TEST(charts[2]->attrs.at("transform") != charts[0]->attrs.at("transform"));
    const auto all = texts(root);
    BOOST_TEST(std::count(all.begin(), all.end(), "Training") == 1);

    // A single chart labels its axes the same way; whole-number x data get whole-number ticks.
    const Element one = parse_svg(fact::line_chart_svg({"t", "iteration", "y", {series("s", {0, 1, 2}, {1, 2, 3})}}));
    BOOST_TEST(texts(only(one, "text", "x-label")).at(0) == "iteration");
    BOOST_TEST(texts(only(one, "text", "y-label")).at(0) == "y");
    for (double t : numbers(texts(only(one, "g", "x-ticks")))) BOOST_TEST(t == std::round(t), t);
}

// ---- scatter plots -------------------------------------------------------------------------------------

/// The affine map data -> pixel of an axis, recovered from two of its tick labels and their positions
/// (x ticks: the label's x; y ticks: the label's baseline y minus the 4 px the writer adds). An oracle
/// that does not use the writer's own mapping.
struct TickMap {
    double value0, pixel0, value1, pixel1;
    double operator()(double v) const { return pixel0 + (v - value0) / (value1 - value0) * (pixel1 - pixel0); }
};
TickMap tick_map(const Element& ticks, bool x_axis) {
    const auto labels = children_named(ticks, "text");
    BOOST_REQUIRE_GE(labels.size(), 2u);
    const Element &a = *labels.front(), &b = *labels.back();
    auto pos = [&](const Element& t) { return x_axis ? std::stod(t.attrs.at("x")) : std::stod(t.attrs.at("y")) - 4; };
    return {std::stod(a.text), pos(a), std::stod(b.text), pos(b)};
}

BOOST_AUTO_TEST_CASE(marker_series_draw_one_dot_per_point_beside_a_fitted_line) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Points near y = 2x + 1 (one missing), and the fitted line as a two-point line series.
    const std::vector<double> x = {0, 0.5, 1, 1.5, 2, 2.5, 3}, y = {1.2, 1.9, 3.1, nan, 5.2, 5.8, 7.1};
    fact::Series points = series("pairs", x, y);
    points.markers = true;
    fact::LineChart chart{"scatter", "K'", "tau", {points, series("fit y = 2x + 1", {0, 3}, {1, 7})}};
    const std::string svg = fact::line_chart_svg(chart);
    const Element root = parse_svg(svg);
    check_coordinates_finite(root, svg);

    const auto groups = find_all(root, "g", "series");
    BOOST_REQUIRE_EQUAL(groups.size(), 2u);
    const auto dots = children_named(*groups[0], "circle");
    BOOST_TEST(dots.size() == 6u);  // the NaN point leaves no dot
    BOOST_TEST(children_named(*groups[0], "polyline").empty());
    BOOST_TEST(groups[0]->children.size() == dots.size());
    BOOST_TEST(children_named(*groups[1], "polyline").size() == 1u);  // the line is drawn as before
    BOOST_TEST(children_named(*groups[1], "circle").empty());

    // Each dot sits where the tick labels say its (x, y) is; coordinates are rounded to 0.1 px, the tick
    // positions too, so 0.3 px covers both roundings.
    const TickMap to_x = tick_map(only(root, "g", "x-ticks"), true), to_y = tick_map(only(root, "g", "y-ticks"), false);
    std::size_t k = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(y[i])) continue;
        BOOST_TEST(std::abs(std::stod(dots[k]->attrs.at("cx")) - to_x(x[i])) < 0.3, "point " << i);
        BOOST_TEST(std::abs(std::stod(dots[k]->attrs.at("cy")) - to_y(y[i])) < 0.3, "point " << i);
        ++k;
    }
    check_nice_ticks(numbers(texts(only(root, "g", "x-ticks"))), 0, 3);
    check_nice_ticks(numbers(texts(only(root, "g", "y-ticks"))), 1, 7.1);

    // The legend keys: a dot in the marker colour, a line in the line colour.
    const Element& legend = only(root, "g", "legend");
    BOOST_TEST(texts(legend) == std::vector<std::string>({"pairs", "fit y = 2x + 1"}),
               boost::test_tools::per_element());
    const auto key_dots = children_named(legend, "circle"), key_lines = children_named(legend, "line");
    BOOST_REQUIRE_EQUAL(key_dots.size(), 1u);
    BOOST_REQUIRE_EQUAL(key_lines.size(), 1u);
    BOOST_TEST(key_dots[0]->attrs.at("fill") == groups[0]->attrs.at("fill"));
    BOOST_TEST(key_lines[0]->attrs.at("stroke") == groups[1]->attrs.at("stroke"));
    BOOST_TEST(groups[0]->attrs.at("fill") != groups[1]->attrs.at("stroke"));

    // Many points: one dot each; a log axis drops the non-positive ones like NaN.
    fact::Series cloud = series("cloud", {}, {});
    cloud.markers = true;
    for (int i = 0; i < 5000; ++i) {
        cloud.x.push_back(std::sin(0.37 * i));
        cloud.y.push_back(i % 10 == 0 ? -1.0 : 1.0 + i);
    }
    fact::LineChart big{"big", "x", "y", {cloud}, true};
    const Element r = parse_svg(fact::line_chart_svg(big));
    BOOST_TEST(children_named(only(r, "g", "series"), "circle").size() == 4500u);
}

// ---- files ----------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(write_svg_round_trips_through_a_file) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("fact_plot_test_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);

    // A smooth ± pattern beside its transpose, and two loss curves.
    const std::size_t d = 24;
    fact::Matrix s = fact::Matrix::from_shape({d, d});
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) s(i, j) = std::sin(0.3 * double(i)) * std::cos(0.2 * double(j));
    const fact::Matrix st = xt::transpose(s);
    const std::string heat = fact::heatmaps_svg({{"S", s}, {"S transposed", st}}, "example heatmap");
    fact::LineChart chart{"example chart", "epoch", "loss", {}, true};
    std::vector<double> x, train, test;
    for (int e = 0; e <= 50; ++e) {
        x.push_back(e);
        train.push_back(2.0 * std::exp(-0.1 * e) + 1e-3);
        test.push_back(2.2 * std::exp(-0.08 * e) + 0.02);
    }
    chart.series = {series("train", x, train), series("test", x, test)};
    const std::string line = fact::line_chart_svg(chart);

    for (const auto& [name, svg] : {std::pair{"heatmap.svg", heat}, std::pair{"chart.svg", line}}) {
        const fs::path p = dir / name;
        fact::write_svg(p.string(), svg);
        std::ifstream in(p, std::ios::binary);
        const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        BOOST_TEST(back == svg);
        BOOST_CHECK_NO_THROW(parse_svg(back));
    }
    fs::remove_all(dir);
}
