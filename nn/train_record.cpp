// The training loop's records: TrainConfig and TrainState as JSON (run records, checkpoints) and the history
// as CSV. See train.hpp.
#include "nn/train.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "data/files.hpp"
#include "nn/error.hpp"

namespace nn {

nlohmann::json to_json(const TrainConfig& c) {
    const bool adamw = c.optimizer.kind == OptimizerKind::adamw;
    nlohmann::json j = {
        {"optimizer", to_string(c.optimizer.kind)},
        // L-BFGS has no learning rate (a line search): null, as history.csv leaves its lr cells empty.
        {"lr", c.optimizer.kind == OptimizerKind::lbfgs ? nlohmann::json(nullptr) : nlohmann::json(c.lr)},
        {"weight_decay", c.weight_decay},
        {"weight_decay_coupled", !adamw},
        {"decay_biases", c.decay_biases},
        {"loss", to_string(c.loss)},
        {"batch", c.batch},
        {"epochs", c.epochs},
        {"tolerance", c.tolerance},
        {"seed", c.seed},
    };
    if (c.optimizer.kind == OptimizerKind::sgd) {
        j["momentum"] = c.optimizer.momentum;
        j["nesterov"] = c.optimizer.nesterov;
    } else if (c.optimizer.kind == OptimizerKind::lbfgs) {
        j["history"] = c.lbfgs.history;
    } else {
        j["betas"] = {c.optimizer.beta1, c.optimizer.beta2};
        j["eps"] = c.optimizer.eps;
    }
    j["schedule"] = {{"kind", to_string(c.schedule.kind)}, {"warmup_epochs", c.schedule.warmup_epochs}};
    return j;
}

namespace {

// A double for JSON: NaN and ±inf have no JSON number, so null (read back as NaN).
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) throw CheckpointError(fmt::format("{}: lacks the field \"{}\"", where, key));
    return *it;
}

double read_number(const nlohmann::json& j, const char* key, const std::string& where) {
    const nlohmann::json& v = field(j, key, where);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number())
        throw CheckpointError(fmt::format("{}: field \"{}\" is {}, expected a number", where, key, v.dump()));
    return v.get<double>();
}

std::size_t read_count(const nlohmann::json& j, const char* key, const std::string& where) {
    const nlohmann::json& v = field(j, key, where);
    if (!v.is_number_unsigned())
        throw CheckpointError(fmt::format("{}: field \"{}\" is {}, expected a whole number ≥ 0", where, key,
                                          v.dump()));
    return v.get<std::size_t>();
}

}  // namespace

nlohmann::json to_json(const TrainState& s) {
    nlohmann::json history = nlohmann::json::array();
    for (const EpochRecord& r : s.history)
        history.push_back({{"epoch", r.epoch}, {"lr", number(r.lr)}, {"train_loss", number(r.train_loss)},
                           {"train_objective", number(r.train_objective)}, {"train_accuracy", number(r.train_accuracy)},
                           {"test_loss", number(r.test_loss)}, {"test_accuracy", number(r.test_accuracy)},
                           {"grad_norm_ratio", number(r.grad_norm_ratio)}, {"seconds", number(r.seconds)}});
    return {{"epoch", s.epoch},
            {"initial_objective", number(s.initial_objective)},
            {"previous_objective", number(s.previous_objective)},
            {"rising", s.rising},
            {"kept_epoch", s.kept_epoch},
            {"kept_objective", number(s.kept_objective)},
            {"seconds", number(s.seconds)},
            {"history", std::move(history)}};
}

TrainState train_state_from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw CheckpointError(fmt::format("{}: the training state is {}, expected an object", where,
                                                          j.type_name()));
    TrainState s;
    s.epoch = read_count(j, "epoch", where);
    s.initial_objective = read_number(j, "initial_objective", where);
    s.previous_objective = read_number(j, "previous_objective", where);
    s.rising = read_count(j, "rising", where);
    s.kept_epoch = read_count(j, "kept_epoch", where);
    s.kept_objective = read_number(j, "kept_objective", where);
    s.seconds = read_number(j, "seconds", where);
    const nlohmann::json& history = field(j, "history", where);
    if (!history.is_array())
        throw CheckpointError(fmt::format("{}: field \"history\" is {}, expected an array", where, history.type_name()));
    for (std::size_t i = 0; i < history.size(); ++i) {
        const std::string row = fmt::format("{}: history[{}]", where, i);
        const nlohmann::json& h = history[i];
        if (!h.is_object()) throw CheckpointError(fmt::format("{} is {}, expected an object", row, h.dump()));
        EpochRecord r;
        r.epoch = read_count(h, "epoch", row);
        r.lr = read_number(h, "lr", row);
        r.train_loss = read_number(h, "train_loss", row);
        r.train_objective = read_number(h, "train_objective", row);
        r.train_accuracy = read_number(h, "train_accuracy", row);
        r.test_loss = read_number(h, "test_loss", row);
        r.test_accuracy = read_number(h, "test_accuracy", row);
        r.grad_norm_ratio = read_number(h, "grad_norm_ratio", row);
        r.seconds = read_number(h, "seconds", row);
        s.history.push_back(r);
    }
    return s;
}

std::string history_csv(const std::vector<EpochRecord>& history) {
    auto cell = [](double v) { return v < 0 ? std::string() : fmt::format("{:.17g}", v); };
    std::ostringstream out;
    out << "epoch,lr,train_loss,train_objective,train_acc,test_loss,test_acc,grad_ratio,seconds\n";
    for (const EpochRecord& r : history)
        out << r.epoch << ',' << (std::isfinite(r.lr) ? fmt::format("{:.17g}", r.lr) : std::string()) << ',' << fmt::format("{:.17g}", r.train_loss) << ','
            << fmt::format("{:.17g}", r.train_objective) << ',' << cell(r.train_accuracy) << ',' << cell(r.test_loss)
            << ',' << cell(r.test_accuracy) << ',' << cell(r.grad_norm_ratio) << ',' << fmt::format("{:.6g}", r.seconds)
            << '\n';
    return out.str();
}

void write_history_csv(const std::string& path, const std::vector<EpochRecord>& history) {
    data::write_file(path, history_csv(history));
}

}  // namespace nn
