/// \file
/// Output directories built atomically: the one implementation every writer of a directory uses (checkpoints,
/// run directories, analyses, experiments, the demo).
///
/// An nn::OutputDir is created before any work: it normalises the path (trailing slashes, "."), refuses an
/// existing target, and creates `<target>.tmp-<hex>` at once, so an unusable location (a parent that is a
/// file, a read-only mount, a name too long) fails before the work with the path and the OS error. The
/// temporary directory records its owner (pid and start time), so that a later run can tell a directory left
/// by a dead process from one being written now; such leftovers are reported, never deleted. commit() renames
/// the finished directory into place; the destructor removes it if commit() was not reached. With
/// nn::install_interrupt_cleanup(), SIGINT, SIGTERM and SIGHUP remove the live temporary directories and exit
/// 128 + the signal's number.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nn {

/// What an existing target means: an error (every --out), or an older copy to replace (a checkpoint saved
/// again, a run's analysis/ recomputed).
enum class Existing { refuse, replace };

/// dir without trailing separators and "." components ("runs/a/" and "runs/./a" are "runs/a"); ConfigError
/// if empty.
std::filesystem::path normalize_output_path(const std::string& dir);

/// text in single quotes for a POSIX shell ('it'\''s'), for the commands the messages suggest.
std::string shell_quote(const std::string& text);

/// A temporary directory `<target>.tmp-<hex>` found beside its target, and what its owner file says.
struct Leftover {
    std::filesystem::path path;   ///< the temporary directory
    bool owned = false;           ///< it records an owner (pid and start time)
    long pid = 0;                 ///< the owner's pid (when owned)
    bool alive = false;           ///< the owner still runs (same pid and start time)
};

/// Every temporary directory of target beside it (what the OutputDir constructor reports as leftovers).
std::vector<Leftover> find_leftovers(const std::filesystem::path& target);

/// Tag of the OutputDir constructor that adopts a leftover.
struct AdoptLeftover {};

/// A directory under construction beside its target; see the file comment.
class OutputDir {
public:
    /// Adopt `leftover`, a temporary directory of `target` left by a process that no longer runs (to resume
    /// its work): it is renamed to a new `<target>.tmp-<hex>` (atomic, so two processes cannot adopt the same
    /// one) and recorded as this process's, as if the other constructor had created it.
    /// \throws ConfigError if its owner still runs, it records no owner, or the rename fails.
    OutputDir(AdoptLeftover, const Leftover& leftover, const std::string& target, const std::string& operation = "");
    /// Create the temporary directory for target (ConfigError if target exists and existing is refuse, or if
    /// the location is unusable). operation prefixes the messages ("train", "save_checkpoint").
    OutputDir(const std::string& target, Existing existing = Existing::refuse, const std::string& operation = "");
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;
    /// Removes the temporary directory unless committed (or kept: keep_on_failure).
    ~OutputDir();

    /// From now on the temporary directory outlives a failure: the destructor without commit() and an
    /// interrupt (install_interrupt_cleanup) leave it on disk with its owner record, so that the work can be
    /// resumed (a run that has written a checkpoint calls this).
    void keep_on_failure();

    /// The temporary directory to fill.
    const std::filesystem::path& path() const { return tmp_; }
    /// The normalised target.
    const std::filesystem::path& target() const { return target_; }

    /// Rename the temporary directory into place (an existing target is replaced only with Existing::replace;
    /// otherwise ConfigError, and the temporary directory is removed by the destructor).
    void commit();

private:
    std::filesystem::path target_, tmp_;
    Existing existing_;
    std::string operation_;
    bool committed_ = false;
    bool keep_ = false;
};

/// Catch SIGINT, SIGTERM and SIGHUP for the whole process: on one, every live OutputDir's temporary directory
/// is removed, one line is printed on stderr ("interrupted; nothing written to OUT"), and the process exits
/// with 128 + the signal. Call it once, first in main(); a signal ignored by the parent (nohup) stays
/// ignored. program prefixes the messages ("fact" gives "fact: interrupted by SIGTERM; nothing written to
/// 'runs/a'").
void install_interrupt_cleanup(const std::string& program);

}  // namespace nn
