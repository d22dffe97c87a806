// The dataset string: see spec.hpp.
#include "data/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "data/csv.hpp"
#include "data/error.hpp"
#include "data/generators.hpp"
#include "data/images.hpp"
#include "data/npy.hpp"
#include "data/shipped.hpp"
#include "data/uci.hpp"

namespace data {

namespace {

struct Kind {
    const char* name;
    const char* usage;
    std::vector<std::string> keys;  // valid option keys
};

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> k = {
        {"digits", "digits                          8×8 handwritten digits, 1797 × 64, 10 classes", {}},
        {"breast_cancer", "breast_cancer                   Wisconsin diagnostic, 569 × 30, 2 classes", {}},
        {"wine", "wine                            178 × 13, 3 classes", {}},
        {"iris", "iris                            150 × 4, 3 classes", {}},
        {"modular", "modular:p=61,op=add,frac=0.5    (a op b) mod p, op add|sub|mul|div; train/test split",
         {"p", "op", "frac"}},
        {"parity",
         "parity:d=50,k=4,n=25000         XOR of k coordinates; support=7;15;25;29, pm=1 for ±1 inputs, "
         "target=onehot|01|pm",
         {"d", "k", "n", "support", "pm", "target"}},
        {"lowrank", "lowrank:d=20,n=4000,noise=0     y = x0·x1·1[x5 > 0], Gaussian x", {"d", "n", "noise"}},
        {"mixture", "mixture:d=2,classes=3,n=600,sep=3   Gaussian mixture classification",
         {"d", "classes", "n", "sep"}},
        {"csv", "csv:PATH,label=-1,task=regression|classification   label column by index or name", {"label", "task"}},
        {"npy", "npy:X.npy,Y.npy,task=classification", {"task"}},
        {"idx", "idx:IMAGES,LABELS               MNIST-style IDX files (optionally gzipped)", {}},
        {"cifar", "cifar:DIR                       CIFAR-10 binary batches (train and test)", {}},
        {"uci", "uci:DIR/NAME                    a dataset of the UCI collection (train and validation)", {}},
    };
    return k;
}

const Kind& find_kind(const std::string& spec, const std::string& name) {
    for (const Kind& k : kinds())
        if (name == k.name) return k;
    std::string valid;
    for (const Kind& k : kinds()) valid += std::string(valid.empty() ? "" : ", ") + k.name;
    throw DataError(fmt::format("dataset '{}': unknown kind '{}' (valid: {})", printable(spec), printable(name), valid));
}

// Upper ends of the size parameters' ranges. Beyond them no dataset fits any machine; below them the
// generators' memory estimates (check_memory) refuse what does not fit this one.
constexpr std::int64_t max_modulus = 1000000;         // modular: X alone is p² × 2p doubles
constexpr std::int64_t max_dimension = 1000000;       // d of parity, lowrank, mixture
constexpr std::int64_t max_samples = 1000000000000;   // n of the generators
constexpr std::int64_t max_classes = 65536;           // mixture: Y is n × classes doubles
constexpr double max_scale = 1e6;                     // noise, sep: standard deviations

// Typed option access with messages naming the dataset string, the key, the value and its valid range.
struct Options {
    const std::string& spec;
    const DataSpec& s;

    bool has(const char* key) const { return s.options.count(key) != 0; }

    [[noreturn]] void fail(const std::string& what) const {
        throw DataError(fmt::format("dataset '{}': {}", printable(spec), what));
    }

    double number(const char* key, double fallback, const RealRange& range) const {
        auto it = s.options.find(key);
        if (it == s.options.end()) return fallback;
        try {
            return parse_real(it->second, key, range);
        } catch (const DataError& e) {
            fail(e.what());
        }
    }

    std::size_t count(const char* key, std::size_t fallback, std::int64_t min, std::int64_t max) const {
        auto it = s.options.find(key);
        if (it == s.options.end()) return fallback;
        try {
            return static_cast<std::size_t>(parse_integer(it->second, key, min, max));
        } catch (const DataError& e) {
            fail(e.what());
        }
    }

    std::string text(const char* key, const std::string& fallback) const {
        auto it = s.options.find(key);
        return it == s.options.end() ? fallback : it->second;
    }

    // task=classification|regression; unset: the loader decides (CSV: classes unless the labels say otherwise).
    std::optional<Task> task() const {
        if (!has("task")) return std::nullopt;
        const std::string t = text("task", "");
        if (t == "classification") return Task::classification;
        if (t == "regression") return Task::regression;
        fail(fmt::format("task={} (valid: classification, regression)", printable(t)));
    }

    void positional(std::size_t n, const char* what) const {
        if (s.positional.size() != n)
            fail(fmt::format("expected {} ({} field{}), got {}", what, n, n == 1 ? "" : "s", s.positional.size()));
    }
};

ModOp parse_op(const Options& o, const std::string& op) {
    try {
        return parse_mod_op(op);
    } catch (const DataError&) {
        o.fail(fmt::format("op={} (valid: add, sub, mul, div)", printable(op)));
    }
}

// support=7;15;25;29: coordinates in 0..d−1, each once.
std::vector<std::size_t> parse_support(const Options& o, const std::string& list, std::size_t d) {
    if (list.empty()) o.fail(fmt::format("support= is empty (expected coordinates in 0..{} separated by ';')", d - 1));
    std::vector<std::size_t> out;
    std::set<std::size_t> seen;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = std::min(list.find(';', start), list.size());
        const std::string item = list.substr(start, end - start);
        std::size_t v = 0;
        try {
            v = static_cast<std::size_t>(parse_integer(item, "support entry ", 0, std::int64_t(d) - 1));
        } catch (const DataError& e) {
            o.fail(fmt::format("support={}: {} (d = {})", printable(list), e.what(), d));
        }
        if (!seen.insert(v).second)
            o.fail(fmt::format("support={}: coordinate {} is given twice (expected distinct coordinates)",
                               printable(list), v));
        out.push_back(v);
        if (end == list.size()) break;
        start = end + 1;
    }
    return out;
}

std::string format_range(const RealRange& r) {
    return fmt::format("{}{}, {}{}", r.min_open ? '(' : '[', r.min, r.max, r.max_open ? ')' : ']');
}

}  // namespace

std::int64_t parse_integer(const std::string& text, const std::string& what, std::int64_t min, std::int64_t max) {
    const auto fail = [&]() -> DataError {
        const bool glue = !what.empty() && what.back() == ' ';
        return DataError(fmt::format("{}{}{} is not an integer in {}..{}", what, glue ? "" : "=", printable(text), min,
                                     max));
    };
    const bool negative = !text.empty() && text[0] == '-' && min < 0;
    const std::size_t first = negative ? 1 : 0;
    if (text.size() == first || text.find_first_not_of("0123456789", first) != std::string::npos) throw fail();
    // Magnitude in unsigned 64 bits, checked at each digit.
    std::uint64_t v = 0;
    for (std::size_t i = first; i < text.size(); ++i) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) throw fail();
        v = v * 10 + digit;
    }
    if (negative) {
        if (v > std::uint64_t(std::numeric_limits<std::int64_t>::max()) + 1) throw fail();
        const std::int64_t value = v == 0 ? 0 : -std::int64_t(v - 1) - 1;
        if (value < min || value > max) throw fail();
        return value;
    }
    if (v > std::uint64_t(std::numeric_limits<std::int64_t>::max()) || std::int64_t(v) < min ||
        std::int64_t(v) > max)
        throw fail();
    return std::int64_t(v);
}

double parse_real(const std::string& text, const std::string& what, const RealRange& range) {
    const auto fail = [&]() {
        return DataError(fmt::format("{}={} is not a finite number in {}", what, printable(text), format_range(range)));
    };
    // Decimal notation only: strtod would also take leading spaces, hex floats, "inf" and "nan".
    if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) throw fail();
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) throw fail();
    const bool above_min = range.min_open ? v > range.min : v >= range.min;
    const bool below_max = range.max_open ? v < range.max : v <= range.max;
    if (!above_min || !below_max) throw fail();
    return v;
}

DataSpec parse_spec(const std::string& spec) {
    DataSpec s;
    const auto colon = spec.find(':');
    s.kind = spec.substr(0, colon);
    if (s.kind.empty()) throw DataError(fmt::format("dataset '{}': empty kind", printable(spec)));
    if (colon == std::string::npos) return s;
    std::stringstream ss(spec.substr(colon + 1));
    std::string field;
    while (std::getline(ss, field, ',')) {
        const auto eq = field.find('=');
        if (eq == std::string::npos) {
            s.positional.push_back(field);
        } else {
            const std::string key = field.substr(0, eq);
            if (key.empty()) throw DataError(fmt::format("dataset '{}': field '{}' has no key", printable(spec), printable(field)));
            if (s.options.count(key)) throw DataError(fmt::format("dataset '{}': key '{}' given twice", printable(spec), printable(key)));
            s.options[key] = field.substr(eq + 1);
        }
    }
    return s;
}

namespace {

Split load_spec_checked(const std::string& spec, std::uint64_t seed, const BeforeGenerate& before) {
    const auto announce = [&](const GeneratedSize& size) {
        if (before) before(size);
    };
    const DataSpec s = parse_spec(spec);
    const Kind& kind = find_kind(spec, s.kind);
    for (const auto& [key, value] : s.options) {
        bool known = false;
        for (const std::string& k : kind.keys) known = known || k == key;
        if (!known) {
            std::string valid;
            for (const std::string& k : kind.keys) valid += (valid.empty() ? "" : ", ") + k;
            throw DataError(fmt::format("dataset '{}': unknown key '{}' for {} (valid: {})", printable(spec), printable(key), s.kind,
                                        valid.empty() ? "none" : valid));
        }
    }
    const Options o{spec, s};
    const std::string& k = s.kind;
    const RealRange scale{0, max_scale};

    if (k == "digits" || k == "breast_cancer" || k == "wine" || k == "iris") {
        o.positional(0, "no fields");
        return {load_shipped(k), {}};
    }
    if (k == "modular") {
        o.positional(0, "only key=value options");
        ModularOptions m;
        m.p = o.count("p", m.p, 2, max_modulus);
        m.op = parse_op(o, o.text("op", "add"));
        m.train_fraction = o.number("frac", m.train_fraction, RealRange{0, 1, true, false});
        m.seed = seed;
        const std::size_t p = m.p;
        announce({p * p, 2 * p, p, true, m.train_fraction});
        return modular_arithmetic(m);
    }
    if (k == "parity") {
        o.positional(0, "only key=value options");
        ParityOptions p;
        p.d = o.count("d", p.d, 1, max_dimension);
        p.k = o.count("k", p.k, 1, std::int64_t(p.d));
        p.n = o.count("n", p.n, 1, max_samples);
        if (o.has("support")) {
            p.support = parse_support(o, o.text("support", ""), p.d);
            // experiment parity refuses the same contradiction (--k and --support of another size)
            if (o.has("k") && p.k != p.support.size())
                o.fail(fmt::format("k={} but support={} has {} coordinate{} (give k equal to the support's size, "
                                   "or one of them)",
                                   p.k, printable(o.text("support", "")), p.support.size(),
                                   p.support.size() == 1 ? "" : "s"));
            p.k = p.support.size();
        }
        p.plus_minus_inputs = o.count("pm", 0, 0, 1) != 0;
        const std::string target = o.text("target", "onehot");
        if (target == "onehot") p.target = ParityTarget::onehot;
        else if (target == "01") p.target = ParityTarget::zero_one;
        else if (target == "pm") p.target = ParityTarget::plus_minus;
        else o.fail(fmt::format("target={} (valid: onehot, 01, pm)", printable(target)));
        p.seed = seed;
        const bool onehot = p.target == ParityTarget::onehot;
        announce({p.n, p.d, onehot ? 2u : 1u, onehot});
        return {sparse_parity(p), {}};
    }
    if (k == "lowrank") {
        o.positional(0, "only key=value options");
        LowRankOptions l;
        l.d = o.count("d", l.d, 6, max_dimension);
        l.n = o.count("n", l.n, 1, max_samples);
        l.noise = o.number("noise", l.noise, scale);
        l.seed = seed;
        announce({l.n, l.d, 1, false});
        return {lowrank_polynomial(l), {}};
    }
    if (k == "mixture") {
        o.positional(0, "only key=value options");
        MixtureOptions m;
        m.d = o.count("d", m.d, 1, max_dimension);
        m.classes = o.count("classes", m.classes, 1, max_classes);
        m.n = o.count("n", m.n, 1, max_samples);
        m.separation = o.number("sep", m.separation, scale);
        m.seed = seed;
        announce({m.n, m.d, m.classes, true});
        return {gaussian_mixture(m), {}};
    }
    if (k == "csv") {
        o.positional(1, "a file path");
        CsvOptions c;
        c.label = o.text("label", c.label);
        c.task = o.task();
        return {load_csv(s.positional[0], c), {}};
    }
    if (k == "npy") {
        o.positional(2, "the X and Y file paths");
        return {load_npy(s.positional[0], s.positional[1], o.task().value_or(Task::classification)), {}};
    }
    if (k == "idx") {
        o.positional(2, "the images and labels file paths");
        return {load_idx(s.positional[0], s.positional[1]), {}};
    }
    if (k == "cifar") {
        o.positional(1, "a folder or batch file");
        return load_cifar10(s.positional[0]);
    }
    // uci
    o.positional(1, "a dataset folder DIR/NAME");
    return load_uci(s.positional[0]).validation_split();
}

}  // namespace

Split load_spec(const std::string& spec, std::uint64_t seed, const BeforeGenerate& before_generate) {
    try {
        return load_spec_checked(spec, seed, before_generate);
    } catch (const std::bad_alloc&) {
        // The estimates (check_memory) refuse what does not fit before it is allocated; this is the net
        // under them, for memory that went to someone else in between or an estimate that fell short.
        throw DataError(fmt::format("dataset '{}': out of memory while loading it (the memory budget is {}, {})",
                                    printable(spec), format_bytes(double(memory_budget().bytes)),
                                    memory_budget().source));
    }
}

std::string spec_help() {
    std::string out;
    for (const Kind& k : kinds()) out += std::string("  ") + k.usage + "\n";
    return out;
}

}  // namespace data
