/// \file
/// Image datasets in their distribution formats, for users who have the files: IDX (MNIST, Fashion-MNIST;
/// optionally gzipped) and the CIFAR-10 binary format. Pixels are scaled to [0, 1].
#pragma once

#include <string>

#include "data/dataset.hpp"

namespace data {

/// IDX images (magic 0x00000803: n × rows × cols unsigned bytes) and labels (0x00000801: n bytes).
/// Throws DataError for a wrong magic number, a count mismatch or a truncated file. The number of classes
/// is max label + 1 (so EMNIST-style label sets load too).
Dataset load_idx(const std::string& images_path, const std::string& labels_path);

/// CIFAR-10 binary batches: records of 1 label byte + 3072 pixel bytes (3×32×32, channel-major).
/// `path` is one batch file, or a folder holding data_batch_1.bin .. data_batch_5.bin and test_batch.bin;
/// for a folder, train = the five data batches and test = test_batch. X is (n, 3072), 10 classes.
/// \throws DataError for a missing batch file, a size that is not a multiple of the record size, or a
///         label outside 0..9.
Split load_cifar10(const std::string& path);

}  // namespace data
