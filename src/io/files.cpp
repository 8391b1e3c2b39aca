#include "nmtx/io/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace nmtx {

namespace fs = std::filesystem;

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string directory_path(const std::string& dir) {
  if (dir.empty()) throw std::invalid_argument("an empty directory name");
  fs::path p = fs::absolute(fs::path(dir)).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "att/" normalises to "/cwd/att/"
  if (p == p.root_path()) throw std::invalid_argument(dir + ": cannot write into the root directory as a whole");
  return p.string();
}

void replace_directory(const std::string& partial, const std::string& target) {
  std::error_code missing;
  if (!fs::exists(target, missing)) {
    fs::rename(partial, target);
  } else {
    const fs::path t(target);
    const std::string old = (t.parent_path() / (".old-" + t.filename().string() + "-" + std::to_string(::getpid()))).string();
    fs::remove_all(old);
    fs::rename(target, old);
    try {
      fs::rename(partial, target);
    } catch (...) {
      std::error_code ignored;
      fs::rename(old, target, ignored);
      throw;
    }
    fs::remove_all(old);
  }
  sync_directory(fs::path(target).parent_path().string());
}

CreatedParents::CreatedParents(const std::string& path) {
  fs::path p = fs::path(path);
  for (fs::path missing = p; !missing.empty() && !fs::exists(missing); missing = missing.parent_path()) {
    first_created_ = missing.string();
    if (missing == missing.parent_path()) break;
  }
  if (!first_created_.empty()) fs::create_directories(p);
}

void CreatedParents::remove_created() noexcept {
  if (first_created_.empty()) return;
  std::error_code ignored;
  fs::remove_all(first_created_, ignored);
  first_created_.clear();
}

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, {std::string_view(content)});
}

void write_file_atomically(const std::string& path, std::initializer_list<std::string_view> pieces) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  for (const std::string_view content : pieces) {
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string why = std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + why);
      }
      done += static_cast<std::size_t>(n);
    }
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + why);
  }
  sync_directory(fs::path(path).parent_path().string());
}

std::string read_file_limited(const std::string& path, std::size_t max_bytes) {
  std::error_code error;
  if (fs::is_directory(path, error)) throw std::runtime_error(path + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (missing file?)");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size > max_bytes) {
    throw std::runtime_error(path + ": " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                             " such a file can hold");
  }
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) throw std::runtime_error(path + ": cannot read");
  return text;
}

}  // namespace nmtx
