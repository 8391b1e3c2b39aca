// The inspector's web page (src/page/: HTML, JavaScript, CSS written for nmtx), built into
// the binary by cmake/embed_page.cmake, so `nmtx inspect` serves it from any directory
// and the page fetches nothing from elsewhere.
#pragma once

#include <string_view>

namespace nmtx {

struct PageAsset {
  std::string_view path;          // as requested: "/", "/inspect.js", ...
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path`, or null.
const PageAsset* find_page_asset(std::string_view path);

}  // namespace nmtx
