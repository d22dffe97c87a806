// The list flags the kernel-machine commands share: see commands.hpp.
#include "cli/commands.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "data/error.hpp"
#include "nn/error.hpp"

namespace cli {

CLI::Option* add_kernel_dtype(CLI::App* cmd, fact::Dtype& dtype) {
    return cmd
        ->add_option_function<std::string>(
            "--dtype", [&dtype](const std::string& name) { dtype = fact::parse_dtype(name); },
            "type of the kernel system and the gradients (f32: half the memory; falls back to f64 where it fails)")
        ->check(CLI::IsMember({"f64", "f32"}))
        ->default_str(fact::to_string(dtype));
}

std::vector<std::string> split_list(const std::string& flag, const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
        if (item.empty()) throw nn::ConfigError(flag + ": empty item in '" + text + "' (expected e.g. a,b,c)");
        out.push_back(item);
    }
    if (out.empty()) throw nn::ConfigError(flag + ": empty list");
    return out;
}

std::vector<std::size_t> parse_sizes(const std::string& flag, const std::string& text, const SizeList& what) {
    const std::string expected = fmt::format("expected {}s in {}..{}, e.g. {}", what.item, what.min, what.max,
                                             what.example);
    if (text.empty()) throw nn::ConfigError(fmt::format("{}: empty; {}", flag, expected));
    std::vector<std::size_t> out;
    std::size_t begin = 0;
    while (true) {   // not getline: a trailing comma must count as an empty item
        const std::size_t end = std::min(text.find(',', begin), text.size());
        const std::string item = text.substr(begin, end - begin);
        if (item.empty())
            throw nn::ConfigError(fmt::format("{}: '{}' has an empty item; {}", flag, data::printable(text), expected));
        const std::string digits = std::to_string(what.max);
        if (item.find_first_not_of("0123456789") != std::string::npos || item.size() > digits.size() ||
            std::stoull(item) < what.min || std::stoull(item) > what.max)
            throw nn::ConfigError(fmt::format("{}: '{}' is not {} {} in {}..{} (expected e.g. {})", flag,
                                              data::printable(item), what.item.find_first_of("aeiou") == 0 ? "an" : "a",
                                              what.item, what.min, what.max, what.example));
        out.push_back(std::stoull(item));
        if (end == text.size()) break;
        begin = end + 1;
    }
    return out;
}

std::vector<fact::RfmUpdate> parse_updates(const std::string& flag, const std::string& text) {
    std::vector<fact::RfmUpdate> out;
    for (const std::string& item : split_list(flag, text)) {
        const fact::RfmUpdate u = fact::parse_update(item);
        if (std::find(out.begin(), out.end(), u) != out.end())
            throw nn::ConfigError(flag + ": '" + item + "' is given twice in '" + text + "'");
        out.push_back(u);
    }
    return out;
}

}  // namespace cli
