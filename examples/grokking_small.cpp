// Grokking without a neural network: a Recursive Feature Machine learns (a + b) mod 13 (docs/MATH.md §5-6,
// experiment E5 in small; Mallinar et al. 2024).
//
// Each pair (a, b) is the input x = e_a ⊕ e_b ∈ R^{26} (two one-hot blocks) with target e_{(a+b) mod 13}.
// Kernel ridge regression with the Gaussian kernel k(x,z) = exp(−‖x − z‖²_M / (2L²)), ridge μ = 0, interpolates
// the training pairs (100 % training accuracy from the start) but, with M = I, two pairs are only "close"
// when they share an operand, and every training pair (a, b′) sharing a with the test pair (a, b) has a label
// a + b′ ≠ a + b: the nearest neighbours all vote for wrong classes, and test accuracy starts at 0, below
// the 1/13 of guessing. The NFA update
//     M_{t+1} = AGOP_t^½,   AGOP_t = (1/n) Σᵢ (G_i − Ḡ)(G_i − Ḡ)ᵀ   (centred gradients G_i = ∇ₓf(xᵢ))
// slowly builds structure into M: its off-diagonal block C = M[0:p, p:2p] (how input a of the first operand
// is compared with input b of the second) becomes constant along classes of (a − b) mod p, a circulant
// matrix. Test accuracy stays below chance while this happens, then jumps to 100 %: that delayed jump is
// grokking. The circulant deviation (docs/MATH.md §6.7)
//     D(C) = Σ_r Σ_{(a,b): (a−b) mod p = r} (C[a,b] − C̄_r)² / ‖C‖²_F      (C̄_r the mean of C over class r)
// is the share of C's squared norm that is not explained by those classes: 0 for a perfectly circulant
// block, undefined (nan) at iteration 0, where M = I and C = 0. It falls while test accuracy is still flat,
// and so shows the hidden progress.
#include <cstdio>
#include <vector>

#include "data/generators.hpp"
#include "fact/grokking.hpp"
#include "fact/kernel/rfm.hpp"

using fact::Matrix;

int main() {
    const std::size_t p = 13, iters = 20;
    // All 13² = 169 pairs, 80 % of them for training (with 50 % there are too few pairs to generalise).
    const data::Split split = data::modular_arithmetic({p, data::ModOp::add, /*train_fraction=*/0.8, /*seed=*/0});

    fact::RfmConfig config;
    config.kernel = {fact::KernelKind::gaussian, /*L=*/2.5};
    config.ridge = 0.0;       // ridgeless: the machine interpolates its training data
    config.iters = iters;
    config.update = fact::RfmUpdate::nfa;
    config.power = 0.5;       // M = AGOP^½
    config.center = true;     // centre the gradients before the AGOP (docs/MATH.md §5.4)
    config.normalize = fact::Normalization::none;   // the nfa default: AGOP^½ has a stable scale

    std::printf("(a + b) mod %zu with NFA-RFM: %zu training pairs, %zu test pairs, ridge 0\n", p, split.train.n(),
                split.test.n());
    const double chance = 1.0 / double(p);
    std::printf("input x = e_a ⊕ e_b ∈ R^%zu, target e_((a+b) mod %zu); Gaussian kernel "
                "k(x, z) = exp(-||x - z||_M^2 / (2 L^2)), L = 2.5\n", 2 * p, p);
    std::printf("feature matrix M (%zux%zu): M_0 = I, then M_(t+1) = AGOP_t^½ of the centred gradients of the machine "
                "fitted under M_t\n", 2 * p, 2 * p);
    std::printf("chance accuracy (guessing a class) is 1/%zu = %.3f\n", p, chance);
    std::printf("test loss: mean squared error against the one-hot targets\n");
    std::printf("D(C): circulant deviation of C = M[0:%zu, %zu:%zu], the block of M that compares a with b "
                "(docs/MATH.md §6.7):\n", p, p, 2 * p);
    std::printf("      the share of ||C||_F^2 off C's means over the classes (a - b) mod %zu; 0 when C is circulant, "
                "nan when C = 0 (M = I)\n\n", p);
    std::printf("%5s %10s %10s %12s %10s\n", "iter", "train acc", "test acc", "test loss", "D(C)");

    std::vector<double> train_acc, test_acc, circ_dev;
    fact::run_rfm(config, {&split.train, &split.test, nullptr}, [&](const fact::RfmIteration& it, const Matrix& M) {
        train_acc.push_back(it.train_acc);
        test_acc.push_back(it.test_acc);
        circ_dev.push_back(fact::circulant_deviation(M, p, data::ModOp::add));
        std::printf("%5zu %10.3f %10.3f %12.5f %10.4f\n", it.iter, it.train_acc, it.test_acc, it.test_loss,
                    circ_dev.back());
        return true;
    });

    // Where the jump happens: the first iteration with test accuracy ≥ 50 % and the first at 100 %.
    std::size_t first_half = test_acc.size(), first_perfect = test_acc.size();
    for (std::size_t t = test_acc.size(); t-- > 0;) {
        if (test_acc[t] >= 0.5) first_half = t;
        if (test_acc[t] == 1.0) first_perfect = t;
    }
    // The plateau: how many iterations test accuracy stays below chance while training accuracy is 100 %.
    std::size_t plateau = 0;
    while (plateau < test_acc.size() && test_acc[plateau] < chance && train_acc[plateau] == 1.0) ++plateau;
    std::printf("\nplateau: %zu iterations (from iteration 0) with train accuracy 1 and test accuracy below chance\n",
                plateau);
    std::printf("jump: test accuracy first >= 0.5 at iteration %zu, first 1.0 at iteration %zu; final test accuracy "
                "%.3f\n", first_half, first_perfect, test_acc.back());
    std::printf("D(C) fell from %.3f (iteration 1) to %.4f (iteration %zu)\n", circ_dev[1], circ_dev.back(),
                circ_dev.size() - 1);

    // The checks: the machine starts below chance, generalises in the end, after a plateau of at least 3
    // iterations, and the off-diagonal block has become (nearly) circulant.
    bool ok = true;
    if (!(test_acc[0] < chance)) {
        std::printf("FAILED: test accuracy at iteration 0 is %.3f, not below chance %.3f\n", test_acc[0], chance);
        ok = false;
    }
    if (!(test_acc.back() >= 0.95)) {
        std::printf("FAILED: final test accuracy %.3f < 0.95\n", test_acc.back());
        ok = false;
    }
    if (!(plateau >= 3)) {
        std::printf("FAILED: no plateau: test accuracy reached chance at iteration %zu\n", plateau);
        ok = false;
    }
    if (!(circ_dev.back() < 0.1)) {
        std::printf("FAILED: D(C) = %.3f: the block did not become circulant\n", circ_dev.back());
        ok = false;
    }
    if (!ok) return 1;
    std::printf("grokking_small done: test accuracy started at 0, below chance, stayed below it through the "
                "plateau, then jumped\n");
    return 0;
}
