// The dataset string: see spec.hpp.
#include "data/spec.hpp"

#include <cerrno>
#include <cstdlib>
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
        {"csv", "csv:PATH,label=-1,task=classification   label column by index or name", {"label", "task"}},
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
    throw DataError(fmt::format("dataset '{}': unknown kind '{}' (valid: {})", spec, name, valid));
}

// Typed option access with messages naming the dataset string, the key and the value.
struct Options {
    const std::string& spec;
    const DataSpec& s;

    bool has(const char* key) const { return s.options.count(key) != 0; }

    double number(const char* key, double fallback) const {
        auto it = s.options.find(key);
        if (it == s.options.end()) return fallback;
        const char* begin = it->second.c_str();
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(begin, &end);
        if (it->second.empty() || *end != '\0' || errno == ERANGE)
            throw DataError(fmt::format("dataset '{}': {}={} is not a number", spec, key, it->second));
        return v;
    }

    std::size_t count(const char* key, std::size_t fallback) const {
        auto it = s.options.find(key);
        if (it == s.options.end()) return fallback;
        const std::string& v = it->second;
        if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 12)
            throw DataError(fmt::format("dataset '{}': {}={} is not a non-negative integer", spec, key, v));
        return static_cast<std::size_t>(std::stoull(v));
    }

    std::string text(const char* key, const std::string& fallback) const {
        auto it = s.options.find(key);
        return it == s.options.end() ? fallback : it->second;
    }

    Task task() const {
        const std::string t = text("task", "classification");
        if (t == "classification") return Task::classification;
        if (t == "regression") return Task::regression;
        throw DataError(fmt::format("dataset '{}': task={} (valid: classification, regression)", spec, t));
    }

    void positional(std::size_t n, const char* what) const {
        if (s.positional.size() != n)
            throw DataError(fmt::format("dataset '{}': expected {} ({} field{}), got {}", spec, what, n,
                                        n == 1 ? "" : "s", s.positional.size()));
    }
};

ModOp parse_op(const std::string& spec, const std::string& op) {
    try {
        return parse_mod_op(op);
    } catch (const DataError&) {
        throw DataError(fmt::format("dataset '{}': op={} (valid: add, sub, mul, div)", spec, op));
    }
}

std::vector<std::size_t> parse_support(const std::string& spec, const std::string& list) {
    std::vector<std::size_t> out;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ';')) {
        if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 12)
            throw DataError(fmt::format("dataset '{}': support entry '{}' is not a coordinate index", spec, item));
        out.push_back(static_cast<std::size_t>(std::stoull(item)));
    }
    return out;
}

}  // namespace

DataSpec parse_spec(const std::string& spec) {
    DataSpec s;
    const auto colon = spec.find(':');
    s.kind = spec.substr(0, colon);
    if (s.kind.empty()) throw DataError(fmt::format("dataset '{}': empty kind", spec));
    if (colon == std::string::npos) return s;
    std::stringstream ss(spec.substr(colon + 1));
    std::string field;
    while (std::getline(ss, field, ',')) {
        const auto eq = field.find('=');
        if (eq == std::string::npos) {
            s.positional.push_back(field);
        } else {
            const std::string key = field.substr(0, eq);
            if (key.empty()) throw DataError(fmt::format("dataset '{}': field '{}' has no key", spec, field));
            if (s.options.count(key)) throw DataError(fmt::format("dataset '{}': key '{}' given twice", spec, key));
            s.options[key] = field.substr(eq + 1);
        }
    }
    return s;
}

Split load_spec(const std::string& spec, std::uint64_t seed) {
    const DataSpec s = parse_spec(spec);
    const Kind& kind = find_kind(spec, s.kind);
    for (const auto& [key, value] : s.options) {
        bool known = false;
        for (const std::string& k : kind.keys) known = known || k == key;
        if (!known) {
            std::string valid;
            for (const std::string& k : kind.keys) valid += (valid.empty() ? "" : ", ") + k;
            throw DataError(fmt::format("dataset '{}': unknown key '{}' for {} (valid: {})", spec, key, s.kind,
                                        valid.empty() ? "none" : valid));
        }
    }
    const Options o{spec, s};
    const std::string& k = s.kind;

    if (k == "digits" || k == "breast_cancer" || k == "wine" || k == "iris") {
        o.positional(0, "no fields");
        return {load_shipped(k), {}};
    }
    if (k == "modular") {
        o.positional(0, "only key=value options");
        ModularOptions m;
        m.p = o.count("p", m.p);
        m.op = parse_op(spec, o.text("op", "add"));
        m.train_fraction = o.number("frac", m.train_fraction);
        m.seed = seed;
        return modular_arithmetic(m);
    }
    if (k == "parity") {
        o.positional(0, "only key=value options");
        ParityOptions p;
        p.d = o.count("d", p.d);
        p.k = o.count("k", p.k);
        p.n = o.count("n", p.n);
        if (o.has("support")) p.support = parse_support(spec, o.text("support", ""));
        p.plus_minus_inputs = o.count("pm", 0) != 0;
        const std::string target = o.text("target", "onehot");
        if (target == "onehot") p.target = ParityTarget::onehot;
        else if (target == "01") p.target = ParityTarget::zero_one;
        else if (target == "pm") p.target = ParityTarget::plus_minus;
        else throw DataError(fmt::format("dataset '{}': target={} (valid: onehot, 01, pm)", spec, target));
        p.seed = seed;
        return {sparse_parity(p), {}};
    }
    if (k == "lowrank") {
        o.positional(0, "only key=value options");
        LowRankOptions l;
        l.d = o.count("d", l.d);
        l.n = o.count("n", l.n);
        l.noise = o.number("noise", l.noise);
        l.seed = seed;
        return {lowrank_polynomial(l), {}};
    }
    if (k == "mixture") {
        o.positional(0, "only key=value options");
        MixtureOptions m;
        m.d = o.count("d", m.d);
        m.classes = o.count("classes", m.classes);
        m.n = o.count("n", m.n);
        m.separation = o.number("sep", m.separation);
        m.seed = seed;
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
        return {load_npy(s.positional[0], s.positional[1], o.task()), {}};
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

std::string spec_help() {
    std::string out;
    for (const Kind& k : kinds()) out += std::string("  ") + k.usage + "\n";
    return out;
}

}  // namespace data
