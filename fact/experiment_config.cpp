// config.json of the kernel experiments: every field of GrokkingConfig, ParityConfig and TauConfig as JSON
// and back (their --resume reads it), in one place apart from the experiments themselves. The machine is
// to_json(RfmConfig) of fact/rfm_run.hpp, shared with `fact rfm`.
#include <nlohmann/json.hpp>

#include "data/generators.hpp"
#include "fact/grokking.hpp"
#include "fact/parity.hpp"
#include "fact/rfm_run.hpp"
#include "fact/run.hpp"
#include "fact/tau.hpp"

namespace fact {

namespace {

nlohmann::json update_names(const std::vector<RfmUpdate>& updates) {
    nlohmann::json names = nlohmann::json::array();
    for (RfmUpdate u : updates) names.push_back(to_string(u));
    return names;
}

}  // namespace

nlohmann::json to_json(const GrokkingConfig& c) {
    return {{"p", c.p}, {"op", data::to_string(c.op)}, {"frac", c.frac}, {"updates", update_names(c.updates)},
            {"rfm", to_json(c.rfm)}, {"snapshots", c.snapshots}, {"seed", c.seed}, {"out", c.out},
            {"quiet", c.quiet}};
}

GrokkingConfig grokking_config_from_json(const nlohmann::json& j, const std::string& where) {
    const JsonFields f(j, where);
    GrokkingConfig c;
    c.p = f.count("p");
    c.op = f.parsed("op", data::parse_mod_op);
    c.frac = f.number("frac");
    c.updates = f.parsed_list("updates", parse_update);
    c.rfm = rfm_config_from_json(f.at("rfm"), where, "rfm.");
    c.snapshots = f.counts("snapshots");
    c.seed = f.count("seed");
    c.out = f.text("out");
    c.quiet = f.boolean("quiet");
    return c;
}

nlohmann::json to_json(const ParityConfig& c) {
    return {{"d", c.d}, {"k", c.k}, {"support", c.support}, {"n", c.n}, {"sweep", c.sweep}, {"test_n", c.test_n},
            {"updates", update_names(c.updates)}, {"rfm", to_json(c.rfm)}, {"threshold", c.threshold}, {"seed", c.seed},
            {"out", c.out}, {"quiet", c.quiet}};
}

ParityConfig parity_config_from_json(const nlohmann::json& j, const std::string& where) {
    const JsonFields f(j, where);
    ParityConfig c;
    c.d = f.count("d");
    c.k = f.count("k");
    c.support = f.counts("support");
    c.n = f.count("n");
    c.sweep = f.counts("sweep");
    c.test_n = f.count("test_n");
    c.updates = f.parsed_list("updates", parse_update);
    c.rfm = rfm_config_from_json(f.at("rfm"), where, "rfm.");
    c.threshold = f.number("threshold");
    c.seed = f.count("seed");
    c.out = f.text("out");
    c.quiet = f.boolean("quiet");
    return c;
}

nlohmann::json to_json(const TauConfig& c) {
    return {{"p", c.p}, {"op", data::to_string(c.op)}, {"train_fraction", c.train_fraction}, {"rfm", to_json(c.rfm)},
            {"seed", c.seed}, {"scatter_points", c.scatter_points}, {"out", c.out}, {"quiet", c.quiet}};
}

TauConfig tau_config_from_json(const nlohmann::json& j, const std::string& where) {
    const JsonFields f(j, where);
    TauConfig c;
    c.p = f.count("p");
    c.op = f.parsed("op", data::parse_mod_op);
    c.train_fraction = f.number("train_fraction");
    c.rfm = rfm_config_from_json(f.at("rfm"), where, "rfm.");
    c.seed = f.count("seed");
    c.scatter_points = f.count("scatter_points");
    c.out = f.text("out");
    c.quiet = f.boolean("quiet");
    return c;
}

}  // namespace fact
