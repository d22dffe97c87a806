/// \file
/// The UCI classification collection of Fernández-Delgado et al. (2014), as used by the FACT paper's
/// tabular benchmark: one folder per dataset with NAME.txt (key= value lines), the data file fich1 (a
/// header line, then: row number, d features, integer label), conxuntos.dat (train and validation
/// indices) and conxuntos_kfold.dat (four train/test index pairs).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.hpp"

namespace data {

/// One dataset of the collection: all its rows, and the given splits as row indices into them.
struct UciDataset {
    std::string name;                               ///< the folder's name
    Dataset all;                                    ///< every row of fich1, labels 0..c−1
    ///@{
    std::vector<std::size_t> train, validation;     ///< conxuntos.dat (0-based rows of `all`)
    ///@}
    std::array<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>, 4> folds;  ///< (train, test)

    Split validation_split() const;                 ///< (train, validation) as datasets
    /// Fold i = 0..3 as datasets (train, test). \throws DataError for i > 3.
    Split fold(std::size_t i) const;
};

/// What a dataset's NAME.txt says about its data file.
struct UciDescription {
    ///@{
    std::size_t d = 0, classes = 0, rows = 0;   ///< n_entradas, n_clases, n_patrons1
    ///@}
    std::string data_file;                      ///< fich1: a file name in the dataset folder
};

/// Read NAME.txt (key= value lines). \throws DataError naming the file (and line): a missing file or key, a
/// count that is not a positive integer, more classes than rows, an fich1 that is not a plain file name.
UciDescription read_uci_description(const std::string& txt_path);

/// Load the dataset in `folder` (named after the folder: DIR/NAME). Throws DataError naming the file for
/// a missing file, a key missing from NAME.txt, a row count or feature count that disagrees with it, a
/// label out of range, or an index out of range in the index files.
UciDataset load_uci(const std::string& folder);

/// Names of the dataset folders under root that hold a NAME.txt and its data file, sorted.
std::vector<std::string> list_uci(const std::string& root);

}  // namespace data
