// The training loop end to end: fitting XOR-like data, converging to a critical point of L_λ in float64,
// stopping cleanly on divergence, reproducibility across thread counts, history and observers.
#define BOOST_TEST_MODULE nn_train
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "autodiff/parallel.hpp"
#include "data/generators.hpp"
#include "data/random.hpp"
#include "data/transforms.hpp"
#include "nn/init.hpp"
#include "nn/train.hpp"

namespace {

// XOR-like: 4 clusters at (±1, ±1) with small noise, label = XOR of the signs.
data::Dataset xor_clusters(std::size_t n, std::uint64_t seed) {
    data::Rng rng(seed);
    data::Matrix X = data::Matrix::from_shape({n, 2});
    std::vector<std::size_t> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        const int a = int(i % 2), b = int((i / 2) % 2);
        X(i, 0) = (a ? 1.0 : -1.0) + 0.1 * rng.normal();
        X(i, 1) = (b ? 1.0 : -1.0) + 0.1 * rng.normal();
        y[i] = std::size_t(a ^ b);
    }
    return data::make_classification("xor", std::move(X), std::move(y), 2);
}

template <class T>
void init(nn::MLP<T>& model, std::uint64_t seed) {
    data::Rng rng(seed);
    nn::initialize(model, {}, rng);
}

}  // namespace

BOOST_AUTO_TEST_CASE(mlp_fits_xor_to_full_training_accuracy) {
    const data::Dataset d = xor_clusters(64, 1);
    nn::MLP<float> model({2, {16}, 2, nn::Activation::relu, true});
    init(model, 2);
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::adam;
    c.lr = 0.05;
    c.loss = nn::Loss::cross_entropy;
    c.batch = 16;
    c.epochs = 200;
    c.quiet = true;
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST(r.history.back().train_accuracy == 1.0);
    BOOST_TEST((r.stop == nn::StopReason::max_epochs));
    BOOST_TEST(!r.fact_exact_expected);  // mini-batch: FACT is not expected to hold exactly
}

BOOST_AUTO_TEST_CASE(float64_mlp_reaches_a_critical_point_of_the_regularised_objective) {
    // A smooth activation so that a critical point exists and L-BFGS can reach it (docs/MATH.md §6, E0).
    const data::Dataset d = data::gaussian_mixture({4, 3, 60, 2.0, 5});
    nn::MLP<double> model({4, {10}, 3, nn::Activation::tanh, true});
    init(model, 3);
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::lbfgs;
    c.loss = nn::Loss::mse;
    c.weight_decay = 1e-2;
    c.epochs = 5000;
    c.tolerance = 1e-10;
    c.eval_every = 100;
    c.quiet = true;
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST_MESSAGE(r.message);
    BOOST_TEST((r.stop == nn::StopReason::converged), r.message);
    BOOST_TEST(r.grad_norm_ratio < 1e-9);
    BOOST_TEST(r.fact_exact_expected);
}

BOOST_AUTO_TEST_CASE(gradient_descent_converges_in_convergence_mode) {
    // Full-batch GD with momentum on a tiny regression (full batch: the gradient norm is seen every epoch).
    const data::Dataset d = data::lowrank_polynomial({6, 40, 0.0, 2});
    nn::MLP<double> model({6, {8}, 1, nn::Activation::softplus, true});
    init(model, 4);
    nn::TrainConfig c;
    c.optimizer.momentum = 0.9;
    c.lr = 0.05;
    c.weight_decay = 0.05;
    c.epochs = 20000;
    c.tolerance = 1e-8;
    c.check_every = 10;
    c.eval_every = 1000;
    c.quiet = true;
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST((r.stop == nn::StopReason::converged), r.message);
    BOOST_TEST(r.grad_norm_ratio < 1e-8);
    BOOST_TEST(r.epochs < 20000u);
}

BOOST_AUTO_TEST_CASE(divergence_stops_cleanly_and_keeps_the_last_finite_weights) {
    const data::Dataset d = data::lowrank_polynomial({6, 50, 0.0, 3});
    nn::MLP<double> model({6, {32, 32}, 1, nn::Activation::relu, true});
    init(model, 5);
    nn::TrainConfig c;
    c.lr = 1e6;  // on purpose
    c.epochs = 100;
    c.quiet = true;
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST((r.stop == nn::StopReason::diverged), r.message);
    BOOST_TEST(r.message.find("diverged at epoch") == 0u, r.message);
    BOOST_TEST(r.epochs < 100u);
    bool finite = true;
    for (const auto& p : model.parameters())
        for (double v : p.value()) finite = finite && std::isfinite(v);
    BOOST_TEST(finite);
}

BOOST_AUTO_TEST_CASE(same_seed_same_losses_for_1_and_2_threads) {
    // Mini-batches large enough that the kernels go parallel; shuffling from the seed.
    const data::Dataset d = data::gaussian_mixture({64, 4, 3000, 1.0, 6});
    auto run = [&](int threads) {
        ad::set_num_threads(threads);
        nn::MLP<float> model({64, {256, 256}, 4, nn::Activation::gelu, true});
        init(model, 7);
        nn::TrainConfig c;
        c.optimizer.kind = nn::OptimizerKind::sgd;
        c.optimizer.momentum = 0.9;
        c.lr = 0.01;
        c.loss = nn::Loss::cross_entropy;
        c.batch = 1024;
        c.epochs = 3;
        c.seed = 11;
        c.quiet = true;
        const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
        std::vector<double> losses;
        for (const auto& e : r.history) losses.push_back(e.train_loss);
        ad::set_num_threads(0);
        return std::make_pair(losses, model.get("layers.0.weight"));
    };
    const auto one = run(1), two = run(2);
    BOOST_TEST(one.first.size() == 3u);
    BOOST_TEST(std::memcmp(one.first.data(), two.first.data(), 3 * sizeof(double)) == 0);
    BOOST_TEST(std::memcmp(one.second.data(), two.second.data(), one.second.size() * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(history_observers_and_test_set) {
    const data::Split s = data::train_test_split(xor_clusters(80, 8), 0.25, 1);
    nn::MLP<double> model({2, {8}, 2, nn::Activation::tanh, true});
    init(model, 9);
    nn::TrainConfig c;
    c.lr = 0.5;
    c.loss = nn::Loss::cross_entropy;
    c.epochs = 20;
    c.eval_every = 5;
    c.quiet = true;
    std::vector<std::size_t> seen;
    nn::Observer<double> every4{4, [&](nn::MLP<double>&, std::size_t epoch) {
                                    seen.push_back(epoch);
                                    return epoch < 12;  // stop after the observer at epoch 12
                                }};
    const nn::TrainResult r = nn::train(model, s.train, s.test, c, {every4});
    BOOST_TEST((seen == std::vector<std::size_t>{4, 8, 12}));
    BOOST_TEST((r.stop == nn::StopReason::observer));
    BOOST_TEST(r.epochs == 12u);
    BOOST_TEST(r.history.size() == 2u);  // epochs 5 and 10
    BOOST_TEST(r.history[0].test_loss >= 0.0);
    BOOST_TEST(r.history[1].epoch == 10u);

    const std::string path = (std::filesystem::temp_directory_path() / "fact_history_test.csv").string();
    nn::write_history_csv(path, r.history);
    std::ifstream in(path);
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    BOOST_TEST(header == "epoch,lr,train_loss,train_objective,train_acc,test_loss,test_acc,grad_ratio,seconds");
    BOOST_TEST(first.rfind("5,0.5,", 0) == 0u);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(resuming_from_the_optimizer_state_continues_exactly) {
    // 6 epochs in one run = 3 epochs, then 3 more from the returned parameters and optimizer state.
    const data::Dataset d = data::gaussian_mixture({5, 3, 90, 2.0, 12});
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::adam;
    c.lr = 0.01;
    c.loss = nn::Loss::cross_entropy;
    c.weight_decay = 1e-3;
    c.quiet = true;
    nn::MLP<double> straight({5, {8}, 3, nn::Activation::tanh, true}), resumed({5, {8}, 3, nn::Activation::tanh, true});
    init(straight, 1);
    init(resumed, 1);
    c.epochs = 6;
    nn::train(straight, d, data::Dataset{}, c);
    c.epochs = 3;
    const nn::TrainResult first = nn::train(resumed, d, data::Dataset{}, c);
    BOOST_TEST(first.optimizer_state.count("exp_avg/layers.0.weight") == 1u);
    c.resume = first.optimizer_state;
    nn::train(resumed, d, data::Dataset{}, c);
    for (const std::string& name : straight.parameter_names())
        BOOST_TEST(std::memcmp(straight.get(name).data(), resumed.get(name).data(),
                               straight.get(name).size() * sizeof(double)) == 0, name);
}

BOOST_AUTO_TEST_CASE(run_record_states_the_weight_decay_convention) {
    nn::TrainConfig c;
    c.weight_decay = 1e-4;
    c.optimizer.kind = nn::OptimizerKind::adamw;
    BOOST_TEST(nn::to_json(c)["weight_decay_coupled"] == false);
    c.optimizer.kind = nn::OptimizerKind::adam;
    const nlohmann::json j = nn::to_json(c);
    BOOST_TEST(j["weight_decay_coupled"] == true);
    BOOST_TEST(j["weight_decay"] == 1e-4);
    BOOST_TEST(j["optimizer"] == "adam");
}

BOOST_AUTO_TEST_CASE(lbfgs_history_has_no_learning_rate_and_ends_at_the_converged_iteration) {
    // L-BFGS has no learning rate (a line search): its lr cells are empty and the run record says null,
    // not the unused TrainConfig::lr. With eval_every larger than the run, the converged iteration is still
    // the last row, and its numbers are those of the final parameters.
    const data::Dataset d = data::gaussian_mixture({4, 3, 60, 2.0, 5});
    nn::MLP<double> model({4, {10}, 3, nn::Activation::tanh, true});
    init(model, 3);
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::lbfgs;
    c.weight_decay = 1e-2;
    c.epochs = 5000;
    c.tolerance = 1e-10;
    c.eval_every = 4000;
    c.quiet = true;
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST_REQUIRE((r.stop == nn::StopReason::converged), r.message);
    BOOST_TEST_REQUIRE(r.epochs < 4000u);
    BOOST_REQUIRE_EQUAL(r.history.size(), 1u);
    const nn::EpochRecord& last = r.history.back();
    BOOST_TEST(last.epoch == r.epochs);
    BOOST_TEST(std::isnan(last.lr));
    BOOST_TEST(last.grad_norm_ratio < 1e-10);
    BOOST_TEST(last.grad_norm_ratio == r.grad_norm_ratio, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(last.train_loss == r.train_loss, boost::test_tools::tolerance(1e-12));

    std::istringstream csv(nn::history_csv(r.history));
    std::string header, row;
    std::getline(csv, header);
    std::getline(csv, row);
    BOOST_TEST(row.rfind(std::to_string(r.epochs) + ",,", 0) == 0u, row);  // epoch, then an empty lr

    BOOST_TEST(nn::to_json(c)["lr"].is_null());
    c.optimizer.kind = nn::OptimizerKind::sgd;
    BOOST_TEST(nn::to_json(c)["lr"] == 0.1);
}

BOOST_AUTO_TEST_CASE(full_batch_history_rows_carry_the_gradient_ratio_of_their_epoch) {
    // Without a tolerance, full-batch gradient descent still records ‖∇L_λ‖/‖θ‖ on every row (a row evaluates
    // with the gradient, which the next epoch's step reuses). The oracle: a run stopped at epoch k ends with
    // exactly the parameters of epoch k of a longer run, and reports their ratio itself.
    const data::Dataset d = data::gaussian_mixture({4, 3, 60, 2.0, 6});
    nn::TrainConfig c;
    c.lr = 0.2;
    c.weight_decay = 1e-3;
    c.epochs = 12;
    c.eval_every = 4;
    c.quiet = true;
    nn::MLP<double> model({4, {8}, 3, nn::Activation::tanh, true});
    init(model, 7);
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_REQUIRE_EQUAL(r.history.size(), 3u);  // epochs 4, 8, 12
    for (const nn::EpochRecord& e : r.history) {
        nn::MLP<double> shorter({4, {8}, 3, nn::Activation::tanh, true});
        init(shorter, 7);
        nn::TrainConfig cs = c;
        cs.epochs = e.epoch;
        const nn::TrainResult rs = nn::train(shorter, d, data::Dataset{}, cs);
        BOOST_TEST(e.grad_norm_ratio > 0.0, "epoch " << e.epoch);
        BOOST_TEST(e.grad_norm_ratio == rs.grad_norm_ratio, boost::test_tools::tolerance(1e-12));
        BOOST_TEST(e.lr == 0.2);
    }
}

BOOST_AUTO_TEST_CASE(an_observer_that_uses_the_tape_does_not_change_a_full_batch_run) {
    // A full-batch step reuses the gradient its epoch's history row computed, unless an observer ran in
    // between: observers may use the model's tape (FACT tracking does) and overwrite the gradients. Here one
    // evaluates the gradient on other data every 3 epochs; the run must be bitwise the one without it.
    const data::Dataset d = data::gaussian_mixture({4, 3, 60, 2.0, 6});
    const nn::Examples<double> other = nn::to_examples<double>(data::gaussian_mixture({4, 3, 40, 1.0, 11}));
    nn::TrainConfig c;
    c.lr = 0.2;
    c.weight_decay = 1e-3;
    c.epochs = 10;
    c.quiet = true;
    nn::MLP<double> plain({4, {8}, 3, nn::Activation::tanh, true}), observed({4, {8}, 3, nn::Activation::tanh, true});
    init(plain, 7);
    init(observed, 7);
    std::size_t calls = 0;
    const nn::Observer<double> clobber{3, [&](nn::MLP<double>& m, std::size_t) {
                                           nn::evaluate_objective(m, other, {c.loss, 0.5, true});
                                           ++calls;
                                           return true;
                                       }};
    const nn::TrainResult a = nn::train(plain, d, data::Dataset{}, c);
    const nn::TrainResult b = nn::train(observed, d, data::Dataset{}, c, {clobber});
    BOOST_TEST(calls == 3u);
    BOOST_REQUIRE_EQUAL(a.history.size(), b.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        BOOST_TEST(a.history[i].train_loss == b.history[i].train_loss, "epoch " << a.history[i].epoch);
        BOOST_TEST(a.history[i].grad_norm_ratio == b.history[i].grad_norm_ratio, "epoch " << a.history[i].epoch);
    }
    BOOST_TEST(a.grad_norm_ratio == b.grad_norm_ratio);
    const auto pa = plain.parameters(), pb = observed.parameters();
    for (std::size_t i = 0; i < pa.size(); ++i)
        BOOST_TEST(std::memcmp(pa[i].value().data(), pb[i].value().data(), pa[i].value().size() * sizeof(double)) == 0,
                   pa[i].name());
}

// --- divergence rules (nn/train.hpp): non-finite, explosion (1e3 × L₀), rising for `patience` evaluations ---

namespace {

// L_λ of model on d, computed as train() does for an evaluated epoch without a gradient.
template <class T>
double objective_of(nn::MLP<T>& model, const data::Dataset& d, const nn::TrainConfig& c) {
    const nn::Examples<T> e = nn::to_examples<T>(d);
    double s = 0;
    for (const auto& p : model.parameters())
        for (T v : p.value()) s += double(v) * double(v);
    return nn::evaluate_loss(model, e, c.loss).loss + 0.5 * c.weight_decay * s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sgd_with_a_huge_learning_rate_stops_at_the_explosion_rule_and_keeps_good_weights) {
    const data::Dataset d = data::lowrank_polynomial({6, 50, 0.0, 3});
    nn::MLP<double> model({6, {32, 32}, 1, nn::Activation::relu, true});
    init(model, 5);
    nn::TrainConfig c;
    c.lr = 1e6;
    c.epochs = 100;
    c.quiet = true;
    const double initial = objective_of(model, d, c);
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST_MESSAGE(r.message);
    BOOST_TEST((r.stop == nn::StopReason::diverged), r.message);
    BOOST_TEST(r.epochs <= 2u, r.message);   // was 26 epochs to a loss of 3e303 before the explosion rule
    BOOST_TEST(r.message.find("exceeds 1000 × its initial value") != std::string::npos, r.message);
    BOOST_TEST(r.message.find("kept the initial parameters") != std::string::npos, r.message);
    BOOST_TEST(objective_of(model, d, c) <= initial);
}

BOOST_AUTO_TEST_CASE(adam_with_a_huge_learning_rate_is_reported_as_diverged) {
    const data::Dataset d = data::gaussian_mixture({5, 3, 90, 2.0, 12});
    nn::MLP<double> model({5, {16}, 3, nn::Activation::tanh, true});
    init(model, 1);
    nn::TrainConfig c;
    c.optimizer.kind = nn::OptimizerKind::adam;
    c.lr = 1e6;
    c.loss = nn::Loss::mse;
    c.batch = 30;
    c.epochs = 200;
    c.quiet = true;
    const double initial = objective_of(model, d, c);
    const nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
    BOOST_TEST_MESSAGE(r.message);
    BOOST_TEST((r.stop == nn::StopReason::diverged), r.message);   // was "max_epochs" at a loss of 2e13
    BOOST_TEST(r.epochs < 10u, r.message);
    BOOST_TEST(objective_of(model, d, c) <= initial);
    BOOST_TEST(r.train_loss <= initial);
}

BOOST_AUTO_TEST_CASE(a_slowly_rising_objective_stops_after_the_patience) {
    // Full-batch gradient descent on a linear least-squares problem with lr just above the stable 2/h_max:
    // the top direction's error grows by a few percent per epoch, far below the explosion factor.
    const data::Dataset d = data::lowrank_polynomial({6, 40, 0.0, 2});
    auto run = [&](std::size_t patience, double lr, std::size_t epochs) {
        nn::MLP<double> model({6, {}, 1, nn::Activation::relu, true});
        init(model, 4);
        nn::TrainConfig c;
        c.lr = lr;
        c.epochs = epochs;
        c.divergence_patience = patience;
        c.quiet = true;
        const double initial = objective_of(model, d, c);
        nn::TrainResult r = nn::train(model, d, data::Dataset{}, c);
        return std::make_tuple(r, initial, objective_of(model, d, c));
    };
    // GD is stable here up to lr ≈ 0.67; at 0.685 L_λ first falls, then grows by about 3 % per epoch.
    const auto [r, initial, final_objective] = run(20, 0.685, 1000);
    BOOST_TEST_MESSAGE(r.message);
    BOOST_TEST((r.stop == nn::StopReason::diverged), r.message);
    BOOST_TEST(r.message.find("rose at 20 consecutive evaluated epochs") != std::string::npos, r.message);
    BOOST_TEST(final_objective <= initial);
    BOOST_TEST(r.history.size() >= 20u);
    BOOST_TEST(r.history.back().train_objective < 1e3 * initial);   // the explosion rule did not fire
    BOOST_TEST(r.epochs < 200u);
    // Without the rising rule the same run goes on until the explosion rule stops it, much later.
    const auto [late, initial_late, final_late] = run(0, 0.685, 1000);
    BOOST_TEST((late.stop == nn::StopReason::diverged), late.message);
    BOOST_TEST(late.message.find("exceeds 1000 × its initial value") != std::string::npos, late.message);
    BOOST_TEST(late.epochs > r.epochs);
}
