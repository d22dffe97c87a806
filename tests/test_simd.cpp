// SIMD must not be silently off: the vector width the kernels are compiled with must be the one the
// `simd` build option asked for (a missing -m flag falls back to 4-lane SSE2 without any error).
#define BOOST_TEST_MODULE simd
#include <boost/test/unit_test.hpp>

#include <xsimd/xsimd.hpp>

#include "autodiff/kernels/map.hpp"

BOOST_AUTO_TEST_CASE(float_lanes_match_the_simd_option) {
    // FACT_EXPECTED_FLOAT_LANES comes from meson.build, which derives it from the option (and, for
    // `native`, from what the compiler says -march=native enables), not from these flags.
    BOOST_TEST(xsimd::batch<float>::size == FACT_EXPECTED_FLOAT_LANES);
    BOOST_TEST(ad::Pack<float>::size == FACT_EXPECTED_FLOAT_LANES);
    BOOST_TEST(ad::Pack<double>::size * 2 == ad::Pack<float>::size);
}

BOOST_AUTO_TEST_CASE(xtensor_uses_xsimd_unless_simd_is_none) {
#ifdef XTENSOR_USE_XSIMD
    const bool xtensor_simd = true;
#else
    const bool xtensor_simd = false;
#endif
    BOOST_TEST(xtensor_simd == bool(FACT_SIMD_ENABLED));
}
