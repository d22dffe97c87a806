/// \file
/// Output directories of the `fact` commands: built under a temporary sibling name and renamed into place
/// when complete (nn::OutputDir), so an interrupted or failed command leaves nothing half-written behind.
#pragma once

#include <filesystem>
#include <string>

#include "data/files.hpp"
#include "nn/output_dir.hpp"

namespace fact {

/// Build dir with fill(tmp) in a fresh nn::OutputDir and commit it. An existing dir is replaced only when
/// `replace` (derived outputs such as analysis/); otherwise it is an nn::ConfigError before fill runs.
/// Commands whose work comes before the writing create their nn::OutputDir first instead, so that an
/// unusable --out fails before the work.
template <class Fill>
void build_directory(const std::filesystem::path& dir, bool replace, const Fill& fill) {
    nn::OutputDir out(dir.string(), replace ? nn::Existing::replace : nn::Existing::refuse);
    fill(out.path());
    out.commit();
}

/// Write text to path atomically (data::write_file).
inline void write_text(const std::filesystem::path& path, const std::string& text) {
    data::write_file(path.string(), text);
}

}  // namespace fact
