// The FACT/NFA analysis of an MLP (fact::analyze, docs/MATH.md §2-4): one forward and c + 1 backward
// passes per chunk of rows, then the d×d matrices and their functions through LAPACK, for every layer.
// The model is freshly initialised (PyTorch's default) on random data: the cost does not depend on training.
//   agop.analyze/fact/f32/n<n>:<widths>/threads:<t>
//     n1797:64-64-64-10      a digits-sized network on the digits data
//     n4000:784-256-256-10   an MNIST-sized one (not in --quick)
// The torch peer (bench/peers/peer_torch.py) computes the same quantities and metrics, its Jacobians by
// vmap(jacrev) and its d×d matrices in float64, so the ratio compares like with like.
#include <cstddef>
#include <string>
#include <vector>

#include "common.hpp"
#include "data/dataset.hpp"
#include "data/random.hpp"
#include "fact/analysis.hpp"
#include "nn/init.hpp"

namespace {

struct AgopCase {
    std::size_t n;
    std::vector<std::size_t> widths;
    std::string str() const {
        std::string s = "n" + std::to_string(n) + ":";
        for (std::size_t i = 0; i < widths.size(); ++i) s += (i ? "-" : "") + std::to_string(widths[i]);
        return s;
    }
};

// X uniform in [−1, 1), uniform labels, from one seeded generator.
data::Dataset random_classification(std::size_t n, std::size_t d, std::size_t c) {
    data::Rng rng(0);
    data::Matrix X = data::Matrix::from_shape({n, d});
    for (double& v : X) v = rng.uniform(-1.0, 1.0);
    std::vector<std::size_t> labels(n);
    for (auto& l : labels) l = rng.below(c);
    return data::make_classification("random", std::move(X), std::move(labels), c);
}

void analysis(benchmark::State& state, const AgopCase& c) {
    const data::Dataset d = random_classification(c.n, c.widths.front(), c.widths.back());
    nn::MLPConfig mc;
    mc.input = c.widths.front();
    mc.hidden.assign(c.widths.begin() + 1, c.widths.end() - 1);
    mc.output = c.widths.back();
    nn::MLP<float> model(mc);
    data::Rng rng(1);
    nn::initialize(model, nn::InitConfig{}, rng);
    fact::AnalysisOptions options;
    options.objective.loss = nn::Loss::mse;
    options.objective.weight_decay = 1e-3;
    for (auto _ : state) {
        const fact::Analysis a = fact::analyze(model, d, options);
        benchmark::DoNotOptimize(a.layers.front().agop.data());
        benchmark::ClobberMemory();
    }
}

}  // namespace

int main(int argc, char** argv) {
    return bench::run(argc, argv, [](const bench::Options& o) {
        std::vector<AgopCase> cases{{1797, {64, 64, 64, 10}}};
        if (!o.quick) cases.push_back({4000, {784, 256, 256, 10}});
        for (const AgopCase& c : cases)
            for (int t : bench::thread_counts())
                bench::add("agop.analyze", "fact", "f32", c.str(), t, benchmark::kMillisecond,
                           [c](benchmark::State& s) { analysis(s, c); });
    });
}
