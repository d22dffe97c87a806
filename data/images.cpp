// Loaders for the IDX format (MNIST, Fashion-MNIST) and the CIFAR-10 binary batches. Both formats are raw
// unsigned bytes behind a tiny header, so every size is checked against the file length before a single
// pixel is read: a malformed or truncated file gives a DataError, never an out-of-bounds read.
#include "data/images.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/files.hpp"

namespace data {
namespace {

namespace fs = std::filesystem;

// Unsigned bytes 0..255 → [0, 1]. A division, not a multiplication by 1/255: b/255 is then the correctly
// rounded value, the same on every machine and in every test that computes it.
double pixel_value(unsigned char b) { return b / 255.0; }

// The dataset name of a file or folder: "train-images-idx3-ubyte.gz" → "train-images-idx3-ubyte",
// "data_batch_1.bin" → "data_batch_1", "cifar-10-batches-bin/" → "cifar-10-batches-bin".
std::string dataset_name(const std::string& path, bool is_folder) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec).lexically_normal();  // so that "." and "dir/.." have a name
    if (ec) p = fs::path(path);
    if (!p.has_filename()) p = p.parent_path();  // a trailing separator
    if (is_folder) return p.filename().string();
    if (p.extension() == ".gz") p = p.stem();
    return p.stem().string();
}

// IDX stores its header as big-endian 32-bit integers. The caller has checked offset + 4 ≤ size.
std::uint32_t big_endian_u32(const std::string& bytes, std::size_t offset) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(bytes[offset + k]);
    return v;
}

// product = a·b; false when it does not fit in 64 bits (a hostile header can announce 2^96 bytes).
bool checked_multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& product) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
    product = a * b;
    return true;
}

// Checks an IDX header: the magic number, and that the file holds exactly the bytes its dimensions
// announce after the header. `dims` receives the dimensions (n, then rows and cols for images).
void check_idx_header(const std::string& path, const std::string& bytes, std::uint32_t expected_magic,
                      std::size_t num_dims, const char* what, std::vector<std::uint64_t>& dims) {
    // The magic number first: a labels file given as images is then reported as such, not as truncated.
    const std::size_t header_bytes = 4 + 4 * num_dims;
    if (bytes.size() >= 4 && big_endian_u32(bytes, 0) != expected_magic)
        throw DataError(fmt::format("{}: magic number 0x{:08x}, expected 0x{:08x} (IDX {})", path,
                                    big_endian_u32(bytes, 0), expected_magic, what));
    if (bytes.size() < header_bytes)
        throw DataError(fmt::format("{}: truncated: {} bytes, but an IDX {} header alone is {} bytes", path,
                                    bytes.size(), what, header_bytes));
    dims.clear();
    std::uint64_t body_bytes = 1;
    bool overflow = false;
    for (std::size_t k = 0; k < num_dims; ++k) {
        dims.push_back(big_endian_u32(bytes, 4 + 4 * k));
        overflow = overflow || !checked_multiply(body_bytes, dims.back(), body_bytes);
    }
    const std::uint64_t actual_body = bytes.size() - header_bytes;
    if (overflow || body_bytes != actual_body) {
        std::string shape = std::to_string(dims[0]);
        for (std::size_t k = 1; k < num_dims; ++k) shape += "x" + std::to_string(dims[k]);
        throw DataError(fmt::format("{}: the header announces {} {} ({} bytes after the {}-byte header), but the "
                                    "file has {} bytes there{}",
                                    path, shape, what, overflow ? "more than 2^64" : std::to_string(body_bytes),
                                    header_bytes, actual_body,
                                    overflow || body_bytes > actual_body ? " (truncated)" : " (trailing bytes)"));
    }
}

const std::array<const char*, 10> kCifarClassNames = {"airplane", "automobile", "bird", "cat", "deer",
                                                      "dog",      "frog",       "horse", "ship", "truck"};
constexpr std::size_t kCifarPixels = 3 * 32 * 32;            // channel-major: R plane, G plane, B plane
constexpr std::size_t kCifarRecord = 1 + kCifarPixels;       // label byte, then the pixels

// Checks one batch file's length and labels; returns its record count.
std::size_t check_cifar_batch(const std::string& path, const std::string& bytes) {
    if (bytes.empty() || bytes.size() % kCifarRecord != 0)
        throw DataError(fmt::format("{}: {} bytes is not a positive multiple of the CIFAR-10 record size {} "
                                    "(1 label byte + 3x32x32 pixel bytes)",
                                    path, bytes.size(), kCifarRecord));
    const std::size_t records = bytes.size() / kCifarRecord;
    for (std::size_t r = 0; r < records; ++r) {
        const auto label = static_cast<unsigned char>(bytes[r * kCifarRecord]);
        if (label >= kCifarClassNames.size())
            throw DataError(fmt::format("{}: record {} (byte offset {}): label {}, expected 0..9", path, r,
                                        r * kCifarRecord, label));
    }
    return records;
}

// The records of already checked batches, in file order, as one dataset (X is n × 3072, Y one-hot of 10).
// The record layout is the feature layout (byte 1 + c·1024 + i·32 + j is feature c·1024 + i·32 + j), so a
// record is copied as it stands.
Dataset cifar_dataset(const std::string& name, const std::vector<const std::string*>& batches) {
    std::size_t n = 0;
    for (const std::string* b : batches) n += b->size() / kCifarRecord;
    check_memory(fmt::format("{}: {} images", name, n), double(n) * (double(kCifarPixels) + 11.0) * 8.0,
                 "images × 3072 pixels and 10 one-hot outputs, doubles");
    Matrix X = Matrix::from_shape({n, kCifarPixels});
    std::vector<std::size_t> labels;
    labels.reserve(n);
    std::size_t row = 0;
    for (const std::string* b : batches) {
        for (std::size_t offset = 0; offset < b->size(); offset += kCifarRecord, ++row) {
            labels.push_back(static_cast<unsigned char>((*b)[offset]));
            double* x = &X(row, 0);
            for (std::size_t k = 0; k < kCifarPixels; ++k)
                x[k] = pixel_value(static_cast<unsigned char>((*b)[offset + 1 + k]));
        }
    }
    Dataset d = make_classification(name, std::move(X), std::move(labels), kCifarClassNames.size());
    d.class_names.assign(kCifarClassNames.begin(), kCifarClassNames.end());
    return d;
}

// The n = 0 test part of a single batch file: same features and classes as train, no rows.
Dataset empty_like(const Dataset& d) {
    Dataset e;
    e.name = d.name;
    e.task = d.task;
    e.X = Matrix::from_shape({0, d.d()});
    e.Y = Matrix::from_shape({0, d.outputs()});
    e.num_classes = d.num_classes;
    e.class_names = d.class_names;
    return e;
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
    const std::string images = read_file(images_path);
    const std::string label_bytes = read_file(labels_path);

    std::vector<std::uint64_t> image_dims, label_dims;
    check_idx_header(images_path, images, 0x00000803, 3, "images", image_dims);    // magic, n, rows, cols
    check_idx_header(labels_path, label_bytes, 0x00000801, 1, "labels", label_dims);  // magic, n

    // Both bodies now match their headers (16 and 8 bytes), so n·rows·cols and n are real byte counts.
    const std::size_t n = image_dims[0], rows = image_dims[1], cols = image_dims[2];
    if (n == 0) throw DataError(fmt::format("{}: 0 images, expected at least one", images_path));
    if (rows == 0 || cols == 0)
        throw DataError(fmt::format("{}: images of {}x{} pixels, expected both sizes ≥ 1", images_path, rows, cols));
    if (label_dims[0] != n)
        throw DataError(fmt::format("{}: {} labels, but {} holds {} images", labels_path, label_dims[0],
                                    images_path, n));

    // Row r of X is image r read row by row: feature i·cols + j is pixel (i, j).
    const std::size_t d = rows * cols;
    check_memory(fmt::format("{}: {} images of {}x{} pixels", images_path, n, rows, cols),
                 double(n) * (double(d) + 11.0) * 8.0, "images × pixels doubles, one-hot outputs and the labels");
    Matrix X = Matrix::from_shape({n, d});
    const auto* pixels = reinterpret_cast<const unsigned char*>(images.data()) + 16;
    double* x = X.data();
    for (std::size_t k = 0; k < n * d; ++k) x[k] = pixel_value(pixels[k]);

    std::vector<std::size_t> labels(n);
    std::size_t max_label = 0;
    for (std::size_t r = 0; r < n; ++r) {
        labels[r] = static_cast<unsigned char>(label_bytes[8 + r]);
        if (labels[r] > max_label) max_label = labels[r];
    }
    return make_classification(dataset_name(images_path, false), std::move(X), std::move(labels), max_label + 1);
}

Split load_cifar10(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        const std::string bytes = read_file(path);
        check_cifar_batch(path, bytes);
        Split s;
        s.train = cifar_dataset(dataset_name(path, false), {&bytes});
        s.test = empty_like(s.train);
        return s;
    }

    const std::vector<std::string> train_files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                  "data_batch_4.bin", "data_batch_5.bin"};
    const std::string test_file = "test_batch.bin";
    std::string missing;
    for (const std::string& f : train_files)
        if (!fs::exists(fs::path(path) / f, ec)) missing += (missing.empty() ? "" : ", ") + f;
    if (!fs::exists(fs::path(path) / test_file, ec)) missing += (missing.empty() ? "" : ", ") + test_file;
    if (!missing.empty())
        throw DataError(fmt::format("{}: missing {} (a CIFAR-10 folder holds data_batch_1.bin .. "
                                    "data_batch_5.bin and test_batch.bin)",
                                    path, missing));

    // All five training batches are held as bytes (150 MB) so that X is allocated once, at its final size.
    std::vector<std::string> train_bytes;
    for (const std::string& f : train_files) {
        const std::string file = (fs::path(path) / f).string();
        train_bytes.push_back(read_file(file));
        check_cifar_batch(file, train_bytes.back());
    }
    const std::string test_path = (fs::path(path) / test_file).string();
    const std::string test_bytes = read_file(test_path);
    check_cifar_batch(test_path, test_bytes);

    const std::string name = dataset_name(path, true);
    std::vector<const std::string*> train_batches;
    for (const std::string& b : train_bytes) train_batches.push_back(&b);
    Split s;
    s.train = cifar_dataset(name, train_batches);
    train_bytes.clear();
    s.test = cifar_dataset(name, {&test_bytes});
    return s;
}

}  // namespace data
