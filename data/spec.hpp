/// \file
/// The dataset string of the command line, one parser for every command:
/// ~~~{.unparsed}
///   digits | wine | iris | breast_cancer
///   modular:p=61,op=add,frac=0.5       parity:d=50,k=4,n=25000[,support=7;15;25;29][,pm=1][,target=pm]
///   lowrank:d=20,n=4000[,noise=0.1]    mixture:d=2,classes=3,n=600[,sep=3]
///   csv:PATH[,label=-1][,task=regression|classification]    npy:X.npy,Y.npy[,task=regression]
///   idx:IMAGES,LABELS                  cifar:DIR          uci:DIR/NAME
/// ~~~
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// A dataset string split into its parts (parse_spec), before anything is loaded.
struct DataSpec {
    std::string kind;                          ///< the part before ':'
    std::vector<std::string> positional;       ///< comma-separated fields without '='
    std::map<std::string, std::string> options;  ///< key=value fields
};

/// Split a dataset string into kind, positional fields and options (no file is touched).
/// \throws DataError for an empty kind, a key=value field with no key, or a key given twice.
DataSpec parse_spec(const std::string& spec);

/// The one integer parser of dataset-string parameters (and of anything else that wants the same rule):
/// decimal digits only, a leading '-' only when min < 0 (never '+'), no spaces, no overflow, and the value
/// in min..max. \throws DataError "WHAT=TEXT is not an integer in MIN..MAX".
std::int64_t parse_integer(const std::string& text, const std::string& what, std::int64_t min, std::int64_t max);

/// A closed or half-open interval of doubles, printed as "[0, 1000000]" or "(0, 1]".
struct RealRange {
    double min;               ///< the lower end
    double max;               ///< the upper end
    bool min_open = false;    ///< whether min itself is excluded
    bool max_open = false;    ///< whether max itself is excluded
};

/// The one float parser of dataset-string parameters: the whole text must be a decimal or exponent
/// number (no spaces, no hex), finite (no nan, inf, nor an overflow such as 1e309) and inside range.
/// \throws DataError "WHAT=TEXT is not a finite number in RANGE".
double parse_real(const std::string& text, const std::string& what, const RealRange& range);

/// The size of a generated dataset, known from its string before anything is generated: `n` samples in
/// all (the modular table: the p² pairs, of which `train_fraction` are for training), `d` inputs, `outputs`
/// target columns.
struct GeneratedSize {
    std::size_t n = 0;             ///< samples in all
    std::size_t d = 0;             ///< input features
    std::size_t outputs = 0;       ///< target columns
    bool classification = false;   ///< classes (one-hot targets) or a regression target
    double train_fraction = 1.0;   ///< the part of n that is for training when the source splits itself
};

/// Called by load_spec with a generator's size before it generates anything: the caller's chance to
/// refuse what it would do with such data (a model or a kernel system that cannot fit) before any work.
using BeforeGenerate = std::function<void(const GeneratedSize&)>;

/// Load or generate the dataset a string names. Sources with their own split (modular, cifar folders,
/// uci: train/validation) fill `test`; the others leave it empty. seed drives generators (and the
/// modular split). Unknown kinds or keys throw DataError listing what is valid.
/// Integer parameters go through parse_integer and float parameters through parse_real, each with its
/// range in the message; contradictions (parity's k and a support of another size) are refused.
/// \throws DataError for an unknown kind or key, a malformed or out-of-range value, or data that cannot be
///         loaded or generated (the loaders' and generators' errors, memory refusals included, pass through).
/// `before_generate`, if set, is called with the size of a generated dataset before it is generated.
Split load_spec(const std::string& spec, std::uint64_t seed = 0, const BeforeGenerate& before_generate = {});

/// One line per kind, for --help texts.
std::string spec_help();

}  // namespace data
