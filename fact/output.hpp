/// \file
/// Output directories of the `fact` commands: built under a temporary sibling name and renamed into place
/// when complete, so an interrupted or failed command leaves nothing half-written behind.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>

#include "data/files.hpp"
#include "nn/error.hpp"

namespace fact {

/// A fresh sibling path of dir for building it before the rename: "<dir>.tmp-<hex>".
inline std::filesystem::path temp_sibling(const std::filesystem::path& dir) {
    std::random_device rd;
    return std::filesystem::path(dir.string() + fmt::format(".tmp-{:08x}", rd()));
}

/// Build dir under a temporary name with fill(tmp), then rename it to dir; on any failure the temporary
/// directory is removed. An existing dir is replaced only when `replace` (derived outputs such as
/// analysis/); otherwise it is an nn::ConfigError.
template <class Fill>
void build_directory(const std::filesystem::path& dir, bool replace, const Fill& fill) {
    namespace fs = std::filesystem;
    if (fs::exists(dir) && !replace)
        throw nn::ConfigError(fmt::format("'{}' already exists; choose a new --out", dir.string()));
    const fs::path tmp = temp_sibling(dir);
    try {
        fs::create_directories(tmp);
        fill(tmp);
        if (fs::exists(dir)) {
            if (!replace) throw nn::ConfigError(fmt::format("'{}' already exists; choose a new --out", dir.string()));
            fs::remove_all(dir);
        }
        fs::rename(tmp, dir);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
}

/// Write text to path atomically (data::write_file).
inline void write_text(const std::filesystem::path& path, const std::string& text) {
    data::write_file(path.string(), text);
}

}  // namespace fact
