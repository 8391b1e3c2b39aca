// Whole files on disk: written atomically (a reader never sees half a file, a crash
// leaves the old file or the new one), and read with a limit (a damaged or hostile file
// cannot make nmtx read gigabytes it has no use for).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace nmtx {

// Writes `content` to `path` through a temporary file in the same directory, fsynced
// before it is renamed over `path`: `path` is always either old or complete.
void write_file_atomically(const std::string& path, const std::string& content);
// The same for content in pieces, written one after the other (no copy of them joined).
void write_file_atomically(const std::string& path, std::initializer_list<std::string_view> pieces);
// fsyncs a directory, so that renames inside it are durable.
void sync_directory(const std::string& dir);

// The directory a user named, as one path with no trailing separator and no `.` or `..`
// parts: "att/", "att//", "./att" and "/abs/att" name a directory whose siblings (a
// partial copy, an old copy) can sit beside it, never inside it.
std::string directory_path(const std::string& dir);

// Puts the finished directory `partial` in place of `target` (directory_path form, both in
// the same parent): rename cannot replace a directory, so an existing `target` is moved
// aside first (to the hidden `.old-NAME-PID` beside it) and removed once `partial` stands
// in its place; if that rename fails, the old `target` is moved back, so `target` is
// always either old or complete.
void replace_directory(const std::string& partial, const std::string& target);

// The directories `path` needs that do not exist yet, created; `remove_created()` takes
// them away again, so a failed export leaves nothing where the user pointed it.
class CreatedParents {
 public:
  explicit CreatedParents(const std::string& path);
  void remove_created() noexcept;

 private:
  std::string first_created_;  // the outermost directory made here; empty: none
};

// Reads `path` whole, refusing a file above `max_bytes`; throws std::runtime_error
// naming the file (missing, a directory, too large, unreadable).
std::string read_file_limited(const std::string& path, std::size_t max_bytes);

}  // namespace nmtx
