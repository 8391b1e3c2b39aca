// The inspector's HTTP server (cpp-httplib): the page at /, the API under /api/ (JSON in,
// JSON out; docs/inspect.md). It binds 127.0.0.1 unless told otherwise, answers only
// requests whose Host header names a local or IP address (or the --host given), caps the
// request size, and answers every bad request with a 4xx JSON error {"error": ...}.
#pragma once

#include <memory>
#include <string>

#include "nmtx/server/inspector.h"

namespace nmtx {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
  int threads = 4;
};

class InspectServer {
 public:
  // Binds the address (throws std::runtime_error when it cannot).
  InspectServer(const Inspector& inspector, const ServerOptions& options);
  ~InspectServer();
  int port() const;
  std::string url() const;
  // Serves until stop() (from any thread): no new connections, and the open ones are shut
  // down, so a stalled client cannot hold it; a request being computed finishes first.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether a Host header may reach a server bound to `host`:`port`: its port must be ours
// and its name "localhost", an IP address, or `host` itself. A name that a DNS rebinding
// attack controls is refused.
bool host_header_allowed(const std::string& header, const std::string& host, int port);

}  // namespace nmtx
