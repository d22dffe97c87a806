// Whole-file reading with transparent gunzip, and atomic writing (temporary file + rename), so that a
// failed run never leaves a half-written output behind.
#include "data/files.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <zlib.h>

#include "data/dataset.hpp"
#include "data/error.hpp"

namespace data {
namespace {

bool starts_with_gzip_magic(const std::string& bytes, std::size_t at = 0) {
    return bytes.size() >= at + 2 && static_cast<unsigned char>(bytes[at]) == 0x1f &&
           static_cast<unsigned char>(bytes[at + 1]) == 0x8b;
}

// Decompress one or more concatenated gzip members (what `cat a.gz b.gz` or pigz produce). zlib's
// inflate with windowBits 15+32 detects the gzip header itself and stops at the end of each member,
// checking its CRC-32 and length; a new member restarts it with inflateReset. zlib counts in uInt
// (32 bits), so input and output are fed in chunks of at most 1 GiB to allow files past 4 GiB.
// Bytes of the compressed input that zlib has consumed.
std::size_t consumed_so_far(const z_stream& zs, std::size_t in_pos) { return in_pos - zs.avail_in; }

// The decompressed text may fill half the memory budget: the buffer it grows from must fit beside it.
std::string gunzip(const std::string& path, const std::string& compressed) {
    const MemoryBudget budget = memory_budget();
    const std::size_t cap = static_cast<std::size_t>(std::min<std::uint64_t>(budget.bytes / 2, SIZE_MAX / 2));
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) throw DataError(fmt::format("{}: cannot initialise zlib", path));
    struct End {
        z_stream* zs;
        ~End() { inflateEnd(zs); }
    } end{&zs};

    constexpr std::size_t chunk = std::size_t(1) << 30;
    const auto* in = reinterpret_cast<const Bytef*>(compressed.data());
    std::size_t in_pos = 0;               // bytes of `compressed` handed to zlib so far
    std::string out;
    std::size_t out_len = 0;              // bytes of `out` filled
    out.resize(std::min(cap, std::max<std::size_t>(compressed.size() * 4, 1024)));

    for (;;) {
        if (zs.avail_in == 0 && in_pos < compressed.size()) {
            const std::size_t n = std::min(chunk, compressed.size() - in_pos);
            zs.next_in = const_cast<Bytef*>(in + in_pos);
            zs.avail_in = static_cast<uInt>(n);
            in_pos += n;
        }
        if (out_len == out.size()) {
            if (out.size() >= cap)
                throw DataError(fmt::format("{}: the decompressed data pass {} (the cap: half of the {} available, {}) "
                                            "after {} compressed bytes of {}; decompress it yourself if the data "
                                            "are meant to be this large",
                                            path, format_bytes(double(cap)), format_bytes(double(budget.bytes)),
                                            budget.source, consumed_so_far(zs, in_pos), compressed.size()));
            out.resize(std::min(cap, std::max<std::size_t>(out.size() * 2, 1)));
        }
        const std::size_t room = std::min(chunk, out.size() - out_len);
        zs.next_out = reinterpret_cast<Bytef*>(&out[out_len]);
        zs.avail_out = static_cast<uInt>(room);

        const int rc = inflate(&zs, Z_NO_FLUSH);
        out_len += room - zs.avail_out;
        const std::size_t consumed = in_pos - zs.avail_in;   // offset in `compressed` of the next byte

        if (rc == Z_STREAM_END) {
            if (consumed == compressed.size()) break;
            // Another member follows, or garbage: gzip(1) itself rejects trailing garbage, and so do we.
            if (!starts_with_gzip_magic(compressed, consumed))
                throw DataError(fmt::format("{}: {} bytes of trailing garbage after the gzip stream at byte {}",
                                            path, compressed.size() - consumed, consumed));
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
            throw DataError(fmt::format("{}: corrupt gzip stream near byte {} ({})", path, consumed,
                                        zs.msg ? zs.msg : "invalid data"));
        if (rc == Z_MEM_ERROR) throw DataError(fmt::format("{}: out of memory while decompressing", path));
        // Z_OK or Z_BUF_ERROR: inflate wants more. If all input is spent, the stream stops mid-member.
        if (zs.avail_in == 0 && in_pos == compressed.size() && zs.avail_out != 0)
            throw DataError(fmt::format("{}: truncated gzip stream ({} compressed bytes end inside a member)",
                                        path, compressed.size()));
    }
    out.resize(out_len);
    return out;
}

// A name for the temporary file beside `path` that no other writer (thread or process) picks:
// process-wide counter plus random bits; the exclusive open below settles any remaining collision.
std::string temporary_name(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    return fmt::format("{}.tmp-{:08x}{:04x}", path, salt, (counter++) & 0xffffu);
}

}  // namespace

std::string read_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw DataError(fmt::format("{}: is a directory (expected a file)", path));
    std::ifstream f(path, std::ios::binary);
    if (!f) throw DataError(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
    std::string bytes;
    const auto size = std::filesystem::is_regular_file(path, ec) ? std::filesystem::file_size(path, ec)
                                                                  : static_cast<std::uintmax_t>(-1);
    if (!ec && size != static_cast<std::uintmax_t>(-1)) {
        // A regular file: its size is known, so the bytes are checked against the budget and read at once.
        check_memory(path, double(size), "the file's bytes");
        bytes.resize(static_cast<std::size_t>(size));
        f.read(bytes.data(), static_cast<std::streamsize>(size));
        bytes.resize(static_cast<std::size_t>(f.gcount()));
    } else {
        std::ostringstream ss;
        ss << f.rdbuf();
        bytes = ss.str();
    }
    if (f.bad()) throw DataError(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    if (starts_with_gzip_magic(bytes)) return gunzip(path, bytes);
    return bytes;
}

void write_file(const std::string& path, const std::string& bytes) {
    // "wbx" (C11): create exclusively, so an existing file of that name is never clobbered. Unlike
    // mkstemp it keeps the usual 0666 & ~umask permissions, which the renamed file then has.
    std::string tmp;
    std::FILE* f = nullptr;
    for (int attempt = 0; attempt < 16 && !f; ++attempt) {
        tmp = temporary_name(path);
        errno = 0;
        f = std::fopen(tmp.c_str(), "wbx");
        if (!f && errno != EEXIST) break;
    }
    if (!f) throw DataError(fmt::format("{}: cannot create temporary file {} ({})", path, tmp, std::strerror(errno)));

    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const int write_errno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) {
        const int e = written ? errno : write_errno;
        std::remove(tmp.c_str());
        throw DataError(fmt::format("{}: cannot write {} bytes ({})", path, bytes.size(), std::strerror(e)));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(tmp.c_str());
        throw DataError(fmt::format("{}: cannot rename {} to it ({})", path, tmp, std::strerror(e)));
    }
}

}  // namespace data
