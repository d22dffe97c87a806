// See common.hpp.
#include "common.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "autodiff/parallel.hpp"
#include "blas.hpp"

namespace bench {

namespace {

std::size_t parse_size(const char* text, const char* what) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (end == text || *end != '\0' || v == 0)
        throw std::invalid_argument(std::string(what) + ": '" + text + "' is not a positive integer");
    return static_cast<std::size_t>(v);
}

const char* env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : fallback;
}

}  // namespace

Options parse_options(int& argc, char** argv) {
    Options o;
    if (const char* n = std::getenv("FACT_BENCH_RFM_N"); n != nullptr && *n != '\0')
        o.rfm_n = parse_size(n, "FACT_BENCH_RFM_N");
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strcmp(a, "--quick") == 0) o.quick = true;
        else if (std::strncmp(a, "--rfm_n=", 8) == 0) o.rfm_n = parse_size(a + 8, "--rfm_n");
        else if (std::strncmp(a, "--rfm_d=", 8) == 0) o.rfm_d = parse_size(a + 8, "--rfm_d");
        else if (std::strncmp(a, "--rfm_c=", 8) == 0) o.rfm_c = parse_size(a + 8, "--rfm_c");
        else argv[kept++] = argv[i];
    }
    argc = kept;
    argv[argc] = nullptr;
    return o;
}

std::vector<int> thread_counts() {
    if (std::thread::hardware_concurrency() >= 2) return {1, 2};
    return {1};
}

void pin_threads(int t) {
    ad::set_num_threads(t);
    blas::set_threads(t);
}

std::string name(const std::string& workload, const std::string& impl, const std::string& dtype,
                 const std::string& shape, int threads) {
    return workload + "/" + impl + "/" + dtype + "/" + shape + "/threads:" + std::to_string(threads);
}

std::string dims(std::size_t a, std::size_t b) { return std::to_string(a) + "x" + std::to_string(b); }

int run(int argc, char** argv, const std::function<void(const Options&)>& register_all) {
    try {
        register_all(parse_options(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 2;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("openblas_core", blas::corename());
    benchmark::AddCustomContext("openblas_config", blas::config());
    benchmark::AddCustomContext("OPENBLAS_CORETYPE", env_or("OPENBLAS_CORETYPE", "(unset)"));
    benchmark::AddCustomContext("OPENBLAS_L2_SIZE", env_or("OPENBLAS_L2_SIZE", "(unset)"));
    benchmark::AddCustomContext("OPENBLAS_NUM_THREADS", env_or("OPENBLAS_NUM_THREADS", "(unset)"));
    benchmark::AddCustomContext("OMP_NUM_THREADS", env_or("OMP_NUM_THREADS", "(unset)"));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace bench
