// The message of the exception a call throws, for tests that check error texts.
#pragma once

#include <exception>
#include <string>

namespace test {

/// Run f and return what() of the E it throws; otherwise a text that no expected message equals.
template <class E, class F>
std::string message_of(F f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("wrong exception type: ") + e.what();
    }
    return "no exception";
}

}  // namespace test
