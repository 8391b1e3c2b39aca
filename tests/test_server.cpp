// The inspector's server apart from sockets: which Host headers it answers (DNS rebinding),
// and that a request naming no loaded run is refused before anything is read.
#include <doctest/doctest.h>

#include "nmtx/server/http_server.h"

using namespace nmtx;

TEST_CASE("the Host header must name a local or IP address, or --host, with the server's port") {
  CHECK(host_header_allowed("127.0.0.1:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("localhost:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("LOCALHOST:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("[::1]:8017", "::1", 8017));
  CHECK(host_header_allowed("192.168.1.20:8017", "0.0.0.0", 8017));
  CHECK(host_header_allowed("inspector.lab:8017", "inspector.lab", 8017));  // the name the user gave
  CHECK(host_header_allowed("127.0.0.1", "127.0.0.1", 80));                // default port left out
  CHECK_FALSE(host_header_allowed("127.0.0.1", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:8018", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("attacker.example:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1.attacker.example:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("1.2.3:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed(":8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:99999999", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:80a", "127.0.0.1", 80));
  CHECK_FALSE(host_header_allowed("[::1]", "::1", 8017));
}

TEST_CASE("an inspector needs at least one run") {
  CHECK_THROWS_AS(Inspector({}), std::invalid_argument);
}
