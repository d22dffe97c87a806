// The RFM loop and its feature-matrix updates: see rfm.hpp.
#include "fact/kernel/rfm.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "autodiff/kernels/gemm.hpp"
#include "nn/progress.hpp"

namespace fact {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double frobenius_distance(const Matrix& A, const Matrix& B) {
    double s = 0;
    for (std::size_t i = 0; i < A.size(); ++i) s += (A.data()[i] - B.data()[i]) * (A.data()[i] - B.data()[i]);
    return std::sqrt(s);
}

bool all_finite(const Matrix& A) {
    for (double v : A)
        if (!std::isfinite(v)) return false;
    return true;
}

}  // namespace

RfmUpdate parse_update(const std::string& name) {
    if (name == "nfa") return RfmUpdate::nfa;
    if (name == "fact") return RfmUpdate::fact;
    if (name == "fact-geo") return RfmUpdate::fact_geo;
    throw ad::ValueError(fmt::format("rfm: unknown update '{}'; expected nfa, fact or fact-geo", name));
}

std::string to_string(RfmUpdate update) {
    switch (update) {
        case RfmUpdate::nfa: return "nfa";
        case RfmUpdate::fact: return "fact";
        case RfmUpdate::fact_geo: return "fact-geo";
    }
    return "?";
}

Normalization parse_normalization(const std::string& name) {
    if (name == "none") return Normalization::none;
    if (name == "max") return Normalization::max;
    if (name == "trace") return Normalization::trace;
    throw ad::ValueError(fmt::format("rfm: unknown normalisation '{}'; expected none, max or trace", name));
}

std::string to_string(Normalization n) {
    switch (n) {
        case Normalization::none: return "none";
        case Normalization::max: return "max";
        case Normalization::trace: return "trace";
    }
    return "?";
}

Normalization default_normalization(RfmUpdate update) {
    return update == RfmUpdate::nfa ? Normalization::none : Normalization::max;
}

Normalization normalization_of(const RfmConfig& config) {
    return config.normalize ? *config.normalize : default_normalization(config.update);
}

void check_config(const RfmConfig& c) {
    if (!(c.ridge >= 0) || !std::isfinite(c.ridge))
        throw ad::ValueError(fmt::format("rfm: ridge μ = {}; expected a finite μ >= 0", c.ridge));
    if (is_distance_kernel(c.kernel.kind) && !(c.kernel.bandwidth > 0 && std::isfinite(c.kernel.bandwidth)))
        throw ad::ValueError(fmt::format("rfm: bandwidth L = {}; expected a finite L > 0", c.kernel.bandwidth));
    if (!std::isfinite(c.power))
        throw ad::ValueError(fmt::format("rfm: power s = {}; expected a finite number", c.power));
}

// M (d,d) PSD -> M rescaled: largest eigenvalue 1 (max) or trace d (trace).
Matrix normalize_feature_matrix(const Matrix& M, Normalization n) {
    if (n == Normalization::none) return M;
    const std::size_t d = M.shape(0);
    double scale = 0;
    if (n == Normalization::max) {
        const SymmetricEigen e = eigh(symmetrize(M));
        scale = e.values.back();
    } else {
        for (std::size_t i = 0; i < d; ++i) scale += M(i, i);
        scale /= static_cast<double>(d);
    }
    if (!(scale > 0) || !std::isfinite(scale)) return M;
    Matrix out = M;
    out /= scale;
    return out;
}

// (α under M_t, gradients at X) -> M_{t+1} (d,d).
Matrix rfm_update(const RfmConfig& config, const Matrix& X, const Matrix& alpha, const Matrix& M,
                  const KernelGradients& g) {
    Matrix next;
    switch (config.update) {
        case RfmUpdate::nfa: {
            const Matrix A = agop(g, config.center);
            if (!all_finite(A)) return A;
            next = matrix_power(A, config.power);
            break;
        }
        case RfmUpdate::fact: {
            const Matrix F = fact_matrix_direct(g, alpha, X);
            if (!all_finite(F)) return F;
            next = sqrt_of_outer(F);                                  // (F Fᵀ)^{1/2}
            break;
        }
        case RfmUpdate::fact_geo: {
            const Matrix F = fact_matrix_direct(g, alpha, X);
            if (!all_finite(F)) return F;
            const Matrix FM = ad::matmul(F, M);                       // F M, so (FM)(FM)ᵀ = F M² Fᵀ
            next = matrix_power(ad::matmul(FM, FM, ad::Trans::no, ad::Trans::yes), 0.25);
            break;
        }
    }
    next = normalize_feature_matrix(next, normalization_of(config));
    if (config.diagonal)
        for (std::size_t i = 0; i < next.shape(0); ++i)
            for (std::size_t j = 0; j < next.shape(1); ++j)
                if (i != j) next(i, j) = 0;
    return next;
}

RfmResult run_rfm(const RfmConfig& config, const RfmData& data, const RfmObserver& observer, const RfmHooks& hooks) {
    check_config(config);
    if (data.train == nullptr || data.train->n() == 0)
        throw ad::ValueError("rfm: no training data; expected at least one training sample");
    const data::Dataset& train = *data.train;
    const std::size_t d = train.d();
    const auto usable = [&](const data::Dataset* s) {
        if (s == nullptr || s->n() == 0) return false;
        if (s->d() != d || s->outputs() != train.outputs())
            throw ad::ShapeError(fmt::format("rfm: {} has X {} and Y {}, the training set X {} and Y {}; expected "
                                             "the same features and outputs", s->name, ad::shape_str(s->X),
                                             ad::shape_str(s->Y), ad::shape_str(train.X), ad::shape_str(train.Y)));
        return true;
    };
    const bool has_test = usable(data.test), has_val = usable(data.validation);
    const bool classify = train.task == data::Task::classification && train.outputs() >= 2;

    nn::Progress progress(config.iters + 1, config.quiet);
    const std::string bandwidth = is_distance_kernel(config.kernel.kind)
                                      ? fmt::format(", L = {}", config.kernel.bandwidth) : std::string();
    const double system = kernel_system_bytes(train.n(), d, train.outputs(), config.dtype);
    progress.message(fmt::format("RFM ({} update, {} kernel{}, ridge {}, normalize {}{}{}{}) on {} samples, d = {}",
                                 to_string(config.update), to_string(config.kernel.kind), bandwidth, config.ridge,
                                 to_string(normalization_of(config)),
                                 config.center && config.update == RfmUpdate::nfa ? ", centred" : "",
                                 config.diagonal ? ", diagonal M" : "",
                                 config.dtype == Dtype::f32 ? ", float32" : "", train.n(), d)
                     + (system >= 1e9 ? fmt::format("; the kernel system takes about {}", data::format_bytes(system))
                                      : std::string()));

    RfmResult result;
    Matrix M = ad::zeros<double>(d, d);
    for (std::size_t i = 0; i < d; ++i) M(i, i) = 1.0;
    double previous_change = kNaN;
    double best_metric = kNaN;
    std::size_t first = 0;
    if (const RfmState* r = hooks.resume) {
        if (r->next_iter == 0 || r->next_iter > config.iters || r->M.shape(0) != d || r->M.shape(1) != d ||
            r->history.size() != r->next_iter)
            throw ad::ValueError(fmt::format("rfm: the state to resume from (iteration {}, M {}, {} history rows) does "
                                             "not fit {} iterations on d = {}", r->next_iter, ad::shape_str(r->M),
                                             r->history.size(), config.iters, d));
        first = r->next_iter;
        M = r->M;
        previous_change = r->m_change;
        best_metric = r->best_metric;
        result.best_iter = r->best_iter;
        result.best_M = r->best_M;
        result.history = r->history;
        result.matrices = r->matrices;
    }
    for (std::size_t t = first; t <= config.iters; ++t) {
        const auto start = std::chrono::steady_clock::now();
        RfmIteration row;
        row.iter = t;
        row.m_change = previous_change;
        KrrFit fit = fit_krr(config.kernel, train.X, train.Y, M, config.ridge, config.dtype);
        row.solve = fit.solve.method;
        row.solve_note = fit.solve.note;
        if (!fit.solve.note.empty()) progress.message(fmt::format("iteration {}: {}", t, fit.solve.note));

        // The gradient pass also yields the training predictions; the last iteration needs only those.
        const bool update = t < config.iters;
        KernelGradients g;
        Matrix train_pred;
        if (update) {
            g = kernel_gradients(config.kernel, train.X, train.X, fit.alpha, M, config.dtype);
            train_pred = g.predictions;
        } else {
            train_pred = krr_predict(config.kernel, train.X, train.X, fit.alpha, M, config.dtype);
        }
        row.train_loss = mean_squared_error(train_pred, train.Y);
        row.train_acc = classify ? argmax_accuracy(train_pred, train.Y) : kNaN;
        row.test_loss = row.test_acc = row.val_loss = row.val_acc = kNaN;
        if (has_test) {
            const Matrix p = krr_predict(config.kernel, data.test->X, train.X, fit.alpha, M, config.dtype);
            row.test_loss = mean_squared_error(p, data.test->Y);
            row.test_acc = classify ? argmax_accuracy(p, data.test->Y) : kNaN;
        }
        if (has_val) {
            const Matrix p = krr_predict(config.kernel, data.validation->X, train.X, fit.alpha, M, config.dtype);
            row.val_loss = mean_squared_error(p, data.validation->Y);
            row.val_acc = classify ? argmax_accuracy(p, data.validation->Y) : kNaN;
            // Higher accuracy (lower loss for regression) wins; ties keep the earlier iteration.
            const double metric = classify ? row.val_acc : -row.val_loss;
            if (t == 0 || metric > best_metric) {
                best_metric = metric;
                result.best_iter = t;
                result.best_M = M;
            }
        }

        Matrix next;
        if (update) {
            next = rfm_update(config, train.X, fit.alpha, M, g);
            previous_change = frobenius_distance(next, M);
        }
        row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.history.push_back(row);
        if (config.keep_matrices) result.matrices.push_back(M);
        std::string line = fmt::format("iteration {}/{}  train loss {:.4g}", t, config.iters, row.train_loss);
        if (classify) line += fmt::format("  acc {:.4f}", row.train_acc);
        if (has_test) line += classify ? fmt::format("  test acc {:.4f}", row.test_acc)
                                       : fmt::format("  test loss {:.4g}", row.test_loss);
        if (has_val) line += fmt::format("  val {:.4g}", classify ? row.val_acc : row.val_loss);
        progress.update(t + 1, line, true);

        const bool go_on = !observer || observer(row, M);
        result.M = M;
        result.alpha = std::move(fit.alpha);
        if (!go_on) {
            result.stopped = fmt::format("stopped by the observer after iteration {}", t);
            break;
        }
        if (update) {
            if (!all_finite(next)) {
                result.stopped = fmt::format("the {} matrix of iteration {} is not finite (the solve diverged); "
                                             "stopped", config.update == RfmUpdate::nfa ? "AGOP" : "FACT", t);
                progress.message(result.stopped);
                break;
            }
            M = std::move(next);
            if (hooks.checkpoint) {
                RfmState st;
                st.next_iter = t + 1;
                st.M = M;
                st.m_change = previous_change;
                st.history = result.history;
                st.best_iter = result.best_iter;
                st.best_M = result.best_M;
                st.best_metric = best_metric;
                st.matrices = result.matrices;
                hooks.checkpoint(st);
            }
        }
    }
    if (!has_val) {
        result.best_iter = result.history.back().iter;
        result.best_M = result.M;
    }
    progress.finish(fmt::format("RFM done: {} iterations in {:.1f}s", result.history.size(), progress.elapsed()));
    return result;
}

std::string history_csv(const std::vector<RfmIteration>& history,
                        const std::vector<std::pair<std::string, std::vector<double>>>& extra) {
    std::string out = "iter,train_loss,test_loss,train_acc,test_acc,seconds,m_change,val_loss,val_acc,solve";
    for (const auto& [name, values] : extra) {
        if (values.size() != history.size())
            throw ad::ShapeError(fmt::format("history_csv: column '{}' has {} values for {} rows", name,
                                             values.size(), history.size()));
        out += "," + name;
    }
    out += "\n";
    for (std::size_t r = 0; r < history.size(); ++r) {
        const RfmIteration& h = history[r];
        out += fmt::format("{},{:.17g},{:.17g},{:.17g},{:.17g},{:.6f},{:.17g},{:.17g},{:.17g},{}", h.iter, h.train_loss,
                           h.test_loss, h.train_acc, h.test_acc, h.seconds, h.m_change, h.val_loss, h.val_acc,
                           to_string(h.solve));
        for (const auto& column : extra) out += fmt::format(",{:.17g}", column.second[r]);
        out += "\n";
    }
    return out;
}

}  // namespace fact
