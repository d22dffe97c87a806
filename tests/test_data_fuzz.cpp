// Fuzzing of every file loader: random bytes, random text, and valid fixtures with bytes flipped,
// inserted, deleted or cut off. The contract under test is the one of error.hpp: a loader either returns
// a consistent dataset (check() passes) or throws data::DataError; any other exception, a crash, or (in
// the sanitized build) an out-of-bounds read or a leak fails. Inputs come from one seeded data::Rng per
// loader, so a failure is reproduced by running the suite again; each loader runs for a bounded time and
// a bounded number of iterations, whichever ends first.
#define BOOST_TEST_MODULE data_fuzz
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <unistd.h>

// The headers that include xtensor come first: xtl's variant calls an unqualified data(...), which a
// namespace `data` declared before it (error.hpp, random.hpp alone) would hide.
#include "data/csv.hpp"
#include "data/images.hpp"
#include "data/npy.hpp"
#include "data/uci.hpp"
#include "data/error.hpp"
#include "data/random.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

// Budget per loader: 0.8 s, 5 loaders, 4 s in all (under 5 s with the set-up); the iteration cap ends the
// run first on a fast machine, the time limit on a slow (sanitized) one.
constexpr double kSecondsPerLoader = 0.8;
constexpr std::size_t kMaxIterations = 3000;
constexpr std::size_t kMaxReportedFailures = 3;

// ---- inputs -------------------------------------------------------------------------------------------

// The files of one attempt, kept so that a failure can show what the loader was given.
struct Inputs {
    fs::path dir;
    std::vector<std::pair<std::string, std::string>> files;

    std::string write(const std::string& name, const std::string& bytes) {
        const fs::path p = dir / name;
        std::ofstream f(p, std::ios::binary | std::ios::trunc);
        f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        BOOST_REQUIRE_MESSAGE(f.good(), "cannot write fuzz input " << p);
        files.emplace_back(name, bytes);
        return p.string();
    }

    // The inputs as C-escaped text, each cut to its first 200 bytes.
    std::string describe() const {
        std::string out;
        for (const auto& [name, bytes] : files) {
            out += "\n  " + name + " (" + std::to_string(bytes.size()) + " bytes): \"";
            for (std::size_t i = 0; i < bytes.size() && i < 200; ++i) {
                const auto c = static_cast<unsigned char>(bytes[i]);
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    out += static_cast<char>(c);
                } else {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
            }
            out += bytes.size() > 200 ? "\"..." : "\"";
        }
        return out;
    }
};

std::size_t below(data::Rng& rng, std::size_t n) { return static_cast<std::size_t>(rng.below(n)); }

std::string random_bytes(data::Rng& rng, std::size_t max_len) {
    std::string s(below(rng, max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng.bits() & 0xff);
    return s;
}

std::string random_text(data::Rng& rng, const std::string& alphabet, std::size_t max_len) {
    std::string s(below(rng, max_len + 1), ' ');
    for (char& c : s) c = alphabet[below(rng, alphabet.size())];
    return s;
}

// Characters that steer number and line parsers into their edge cases.
const std::string kTextAlphabet = "0123456789012345678901234567890123456789...,,,;;\t\t\n\n\n\r --+eE=xna_ \"'#";

// 1 to 3 edits of `s`: a byte changed (to a random or a text character), bytes inserted, a slice deleted
// or repeated, or the end cut off.
std::string mutate(data::Rng& rng, std::string s) {
    const std::size_t edits = 1 + below(rng, 3);
    for (std::size_t e = 0; e < edits; ++e) {
        const std::size_t at = below(rng, s.size() + 1);
        switch (below(rng, 6)) {
        case 0:
            if (at < s.size()) s[at] = static_cast<char>(rng.bits() & 0xff);
            break;
        case 1:
            if (at < s.size()) s[at] = kTextAlphabet[below(rng, kTextAlphabet.size())];
            break;
        case 2:
            s.insert(at, random_text(rng, kTextAlphabet, 8));
            break;
        case 3:
            s.erase(at, below(rng, 16));
            break;
        case 4:
            if (at < s.size()) s.insert(at, s.substr(at, below(rng, 32)));
            break;
        default:
            s.resize(at);
            break;
        }
    }
    return s;
}

// A gzip file with stored deflate blocks (RFC 1951/1952), so that mutated gzip streams reach read_file's
// inflater. CRC-32 bit by bit (reflected polynomial 0xEDB88320).
std::string gzip_stored(const std::string& bytes) {
    std::uint32_t crc = 0xffffffffu;
    for (char ch : bytes) {
        crc ^= static_cast<unsigned char>(ch);
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    crc = ~crc;
    std::string gz = {'\x1f', '\x8b', '\x08', '\0', '\0', '\0', '\0', '\0', '\0', '\xff'};
    std::size_t at = 0;
    do {
        const std::size_t len = std::min<std::size_t>(65535, bytes.size() - at);
        gz.push_back(at + len == bytes.size() ? '\x01' : '\x00');
        for (std::size_t v : {len, ~len & 0xffff}) {
            gz.push_back(static_cast<char>(v & 0xff));
            gz.push_back(static_cast<char>((v >> 8) & 0xff));
        }
        gz.append(bytes, at, len);
        at += len;
    } while (at < bytes.size());
    for (std::uint32_t v : {crc, static_cast<std::uint32_t>(bytes.size())})
        for (int shift = 0; shift < 32; shift += 8) gz.push_back(static_cast<char>((v >> shift) & 0xff));
    return gz;
}

// One fuzz input from a valid fixture: mostly mutated, sometimes pure noise, sometimes gzipped (and then
// possibly mutated in its compressed form).
std::string fuzzed(data::Rng& rng, const std::string& fixture, std::size_t noise_len) {
    switch (below(rng, 8)) {
    case 0: return random_bytes(rng, noise_len);
    case 1: return random_text(rng, kTextAlphabet, noise_len);
    case 2: return gzip_stored(mutate(rng, fixture));
    case 3: return mutate(rng, gzip_stored(fixture));
    default: return mutate(rng, fixture);
    }
}

// ---- the driver ---------------------------------------------------------------------------------------

// Runs attempt(rng, inputs) with fresh inputs until the budget is spent. An attempt that returns was
// accepted (it has checked its dataset), one that throws DataError rejected; anything else fails.
void fuzz(const std::string& loader, std::uint64_t seed, const std::function<void(data::Rng&, Inputs&)>& attempt) {
    test::TempDir dir("fact_test_data_fuzz_" + loader);
    data::Rng rng(seed);
    std::size_t accepted = 0, rejected = 0, failures = 0, iterations = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (; iterations < kMaxIterations && elapsed() < kSecondsPerLoader; ++iterations) {
        BOOST_TEST_CHECKPOINT(loader << " iteration " << iterations << " (seed " << seed << ")");
        Inputs inputs{dir.path, {}};
        try {
            attempt(rng, inputs);
            ++accepted;
        } catch (const data::DataError&) {
            ++rejected;
        } catch (const std::exception& e) {
            if (++failures <= kMaxReportedFailures)
                BOOST_ERROR(loader << " iteration " << iterations << " (seed " << seed << "): "
                                   << typeid(e).name() << " instead of data::DataError: " << e.what()
                                   << inputs.describe());
        }
    }
    BOOST_TEST(failures == 0u, loader << ": " << failures << " inputs raised exceptions other than DataError");
    BOOST_TEST_MESSAGE(loader << ": " << iterations << " inputs in " << elapsed() << " s: " << accepted
                              << " accepted, " << rejected << " rejected with DataError, " << failures
                              << " other exceptions");
}

// A valid fixture must load before its mutations mean anything.
template <class Load>
void require_fixture_loads(const std::string& loader, Load load) {
    try {
        load();
    } catch (const std::exception& e) {
        BOOST_FAIL(loader << ": the unmutated fixture does not load: " << e.what());
    }
}

// ---- fixtures -----------------------------------------------------------------------------------------

const std::string kCsvFixture = "sepal,petal,species\n5.1,3.5,setosa\n-4.9e0,3,versicolor\n6.25,.5,setosa\n";
const std::string kCsvFixtureTabs = "1\t2\t0\n3\t4\t1\n5\t6\t1\n";

std::string npy_fixture(const std::string& descr, const std::string& shape, const std::string& body) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string s = "\x93NUMPY";
    s += '\x01';
    s += '\x00';
    s += static_cast<char>(header.size() & 0xff);
    s += static_cast<char>(header.size() >> 8);
    return s + header + body;
}

std::string le_doubles(const std::vector<double>& v) {
    std::string s;
    for (double x : v) {
        std::uint64_t bits;
        std::memcpy(&bits, &x, 8);
        for (int shift = 0; shift < 64; shift += 8) s.push_back(static_cast<char>((bits >> shift) & 0xff));
    }
    return s;
}

std::string be32(std::uint32_t v) {
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
    return s;
}

// Three 2×2 images and their labels.
const std::string kIdxImages = be32(0x803) + be32(3) + be32(2) + be32(2) +
                               std::string("\x00\x10\x20\xff\x01\x02\x03\x04\x80\x81\x82\x83", 12);
const std::string kIdxLabels = be32(0x801) + be32(3) + std::string("\x01\x00\x02", 3);

std::string cifar_fixture() {
    std::string s;
    for (int r = 0; r < 2; ++r) {
        s.push_back(static_cast<char>(r == 0 ? 3 : 9));
        for (int k = 0; k < 3072; ++k) s.push_back(static_cast<char>((r * 31 + k * 7) & 0xff));
    }
    return s;
}

const std::string kUciTxt = "n_entradas= 2\nn_clases= 3\nn_arquivos= 1\nfich1= fz_R.dat\nn_patrons1= 5\n"
                            "n_patrons_entrena= 3\nn_patrons_valida= 2\nn_conxuntos= 1\n";
const std::string kUciData = "\tf1\tf2\tclase\n1\t0.5\t-1.25\t0\n2\t1e-3\t2\t1\n3\t-0.75\t0\t2\n4\t3.5\t-2.5e2\t1\n"
                             "5\t0\t0.125\t0\n";
const std::string kUciSplit = "0 2 4 \n1 3 \n";
const std::string kUciKfold = "1 2 3 4 \n0 \n0 2 3 4 \n1 \n0 1 3 4 \n2 \n0 1 2 \n4 3 \n";

}  // namespace

BOOST_AUTO_TEST_CASE(csv_loader_rejects_or_loads_consistently) {
    {
        test::TempDir dir("fact_test_data_fuzz_csv_fixture");
        Inputs in{dir.path, {}};
        const std::string path = in.write("f.csv", kCsvFixture);
        require_fixture_loads("load_csv", [&] { data::load_csv(path).check(); });
    }
    fuzz("load_csv", 101, [](data::Rng& rng, Inputs& in) {
        const std::string& fixture = below(rng, 2) ? kCsvFixture : kCsvFixtureTabs;
        const std::string path = in.write("f.csv", fuzzed(rng, fixture, 120));
        data::CsvOptions options;  // the defaults half of the time, so that mutated fixtures often load
        if (below(rng, 2) == 0) {
            data::load_csv(path).check();
            return;
        }
        const char* labels[] = {"-1", "0", "1", "-3", "7", "species", "nope", "", "-"};
        options.label = labels[below(rng, std::size(labels))];
        options.task = below(rng, 3) == 0 ? data::Task::regression : data::Task::classification;
        const char delimiters[] = {'\0', ',', ';', '\t', ' '};
        options.delimiter = delimiters[below(rng, std::size(delimiters))];
        const std::size_t header = below(rng, 3);
        if (header < 2) options.header = header == 1;
        data::load_csv(path, options).check();
    });
}

BOOST_AUTO_TEST_CASE(npy_loader_rejects_or_loads_consistently) {
    const std::vector<std::string> fixtures = {
        npy_fixture("<f8", "(3, 2)", le_doubles({1, -2, 3.5, 0, 1e300, -0.0})),
        npy_fixture("<i2", "(4,)", std::string("\x01\x00\xff\xff\x00\x80\x10\x00", 8)),
        npy_fixture("|u1", "(2, 3)", "abcdef"),
        npy_fixture(">f4", "(1, 1)", std::string("\x3f\x80\x00\x00", 4)),
    };
    {
        test::TempDir dir("fact_test_data_fuzz_npy_fixture");
        Inputs in{dir.path, {}};
        for (std::size_t k = 0; k < fixtures.size(); ++k) {
            const std::string path = in.write("f" + std::to_string(k) + ".npy", fixtures[k]);
            require_fixture_loads("load_npy_matrix", [&] { data::load_npy_matrix(path); });
        }
    }
    fuzz("load_npy_matrix", 202, [&](data::Rng& rng, Inputs& in) {
        std::string bytes = fuzzed(rng, fixtures[below(rng, fixtures.size())], 200);
        if (below(rng, 8) == 0) bytes = "\x93NUMPY" + random_bytes(rng, 100);  // noise behind a valid magic
        const data::Matrix m = data::load_npy_matrix(in.write("f.npy", bytes));
        BOOST_TEST_REQUIRE(m.size() == m.shape(0) * m.shape(1));
    });
}

BOOST_AUTO_TEST_CASE(idx_loader_rejects_or_loads_consistently) {
    {
        test::TempDir dir("fact_test_data_fuzz_idx_fixture");
        Inputs in{dir.path, {}};
        const std::string images = in.write("i.idx", kIdxImages), labels = in.write("l.idx", kIdxLabels);
        require_fixture_loads("load_idx", [&] { data::load_idx(images, labels).check(); });
    }
    fuzz("load_idx", 303, [](data::Rng& rng, Inputs& in) {
        std::string images = kIdxImages, labels = kIdxLabels;
        switch (below(rng, 4)) {
        case 0: images = fuzzed(rng, images, 64); break;
        case 1: labels = fuzzed(rng, labels, 32); break;
        case 2:
            images = fuzzed(rng, images, 64);
            labels = fuzzed(rng, labels, 32);
            break;
        default:
            // A valid magic number with random dimensions and body: the size checks, not the magic, must
            // stop it.
            images = be32(0x803) + random_bytes(rng, 40);
            break;
        }
        data::load_idx(in.write("i.idx", images), in.write("l.idx", labels)).check();
    });
}

BOOST_AUTO_TEST_CASE(cifar10_loader_rejects_or_loads_consistently) {
    const std::string fixture = cifar_fixture();
    {
        test::TempDir dir("fact_test_data_fuzz_cifar_fixture");
        Inputs in{dir.path, {}};
        const std::string path = in.write("batch.bin", fixture);
        require_fixture_loads("load_cifar10", [&] { data::load_cifar10(path).train.check(); });
    }
    fuzz("load_cifar10", 404, [&](data::Rng& rng, Inputs& in) {
        std::string bytes;
        if (below(rng, 4) == 0) {
            // Whole records of noise: the sizes are right, so the labels must be checked one by one.
            for (std::size_t r = 1 + below(rng, 2); r > 0; --r) {
                std::string record(3073, '\0');
                for (char& c : record) c = static_cast<char>(rng.bits() & 0xff);
                record[0] = static_cast<char>(below(rng, 12));
                bytes += record;
            }
        } else {
            bytes = fuzzed(rng, fixture, 4000);
        }
        const data::Split s = data::load_cifar10(in.write("batch.bin", bytes));
        s.train.check();
        s.test.check();
    });
}

BOOST_AUTO_TEST_CASE(uci_loader_rejects_or_loads_consistently) {
    const std::vector<std::pair<std::string, std::string>> fixture = {
        {"fz.txt", kUciTxt}, {"fz_R.dat", kUciData}, {"conxuntos.dat", kUciSplit}, {"conxuntos_kfold.dat", kUciKfold}};
    test::TempDir root("fact_test_data_fuzz_uci");
    const fs::path folder = root.path / "fz";
    fs::create_directories(folder);
    {
        Inputs in{folder, {}};
        for (const auto& [name, text] : fixture) in.write(name, text);
        require_fixture_loads("load_uci", [&] { data::load_uci(folder.string()).all.check(); });
    }
    fuzz("load_uci", 505, [&](data::Rng& rng, Inputs& in) {
        in.dir = folder;
        // Every file is rewritten; one or two of them are damaged, or one is missing.
        const std::size_t damaged = below(rng, fixture.size()), also = below(rng, 2 * fixture.size());
        const bool remove_one = below(rng, 16) == 0;
        for (std::size_t k = 0; k < fixture.size(); ++k) {
            const auto& [name, text] = fixture[k];
            if (remove_one && k == damaged) {
                fs::remove(folder / name);
                continue;
            }
            const bool damage = k == damaged || k == also;
            in.write(name, damage ? (below(rng, 6) == 0 ? random_text(rng, kTextAlphabet, 100) : fuzzed(rng, text, 100))
                                  : text);
        }
        const data::UciDataset uci = data::load_uci(folder.string());
        uci.all.check();
        // load_uci has checked the indices, so the splits built from them must succeed.
        const data::Split v = uci.validation_split();
        v.train.check();
        v.test.check();
        for (std::size_t i = 0; i < 4; ++i) {
            const data::Split f = uci.fold(i);
            f.train.check();
            f.test.check();
        }
    });
}
