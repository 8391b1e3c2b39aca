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

// Reads `path` whole, refusing a file above `max_bytes`; throws std::runtime_error
// naming the file (missing, a directory, too large, unreadable).
std::string read_file_limited(const std::string& path, std::size_t max_bytes);

}  // namespace nmtx
