/// \file
/// The dataset string of the command line, one parser for every command:
/// ~~~{.unparsed}
///   digits | wine | iris | breast_cancer
///   modular:p=61,op=add,frac=0.5       parity:d=50,k=4,n=25000[,support=7;15;25;29][,pm=1][,target=pm]
///   lowrank:d=20,n=4000[,noise=0.1]    mixture:d=2,classes=3,n=600[,sep=3]
///   csv:PATH[,label=-1][,task=regression]    npy:X.npy,Y.npy[,task=regression]
///   idx:IMAGES,LABELS                  cifar:DIR          uci:DIR/NAME
/// ~~~
#pragma once

#include <cstdint>
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

/// Load or generate the dataset a string names. Sources with their own split (modular, cifar folders,
/// uci: train/validation) fill `test`; the others leave it empty. seed drives generators (and the
/// modular split). Unknown kinds or keys throw DataError listing what is valid.
/// \throws DataError for an unknown kind or key, a malformed value, or data that cannot be loaded or
///         generated (the loaders' and generators' errors pass through).
Split load_spec(const std::string& spec, std::uint64_t seed = 0);

/// One line per kind, for --help texts.
std::string spec_help();

}  // namespace data
