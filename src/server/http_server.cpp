#include "nmtx/server/http_server.h"

#include <httplib.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "nmtx/io/json_fields.h"
#include "nmtx/page/assets.h"

using nlohmann::json;

namespace nmtx {

namespace {

bool is_ip_literal(const std::string& name) {
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {  // IPv6
    for (char c : name.substr(1, name.size() - 2)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    return true;
  }
  if (name.empty()) return false;
  int dots = 0;
  for (char c : name) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Invalid UTF-8 (never produced by nmtx's readers, but a model's tokens are not ours to
  // vouch for) is replaced rather than thrown.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}, {"status", status}});
}

// Every answer is whole: cpp-httplib would cut any body, the API's JSON included, to the
// bytes a Range header asks for (and answer a range past the end with 416 and nothing).
// The request is const in handlers but not where it lives (a local of httplib's
// Server::process_request), so clearing its parsed ranges is defined behaviour.
void answer_whole(const httplib::Request& req) { const_cast<httplib::Request&>(req).ranges.clear(); }

// The body of a POST as a JSON object (400 otherwise).
json request_body(const httplib::Request& req) {
  try {
    return parse_json_object(req.body, "request body");
  } catch (const JsonFileError& e) {
    throw RequestError(400, e.what());
  }
}

// cpp-httplib's default sets SO_REUSEPORT, with which a second server binds the port a
// first one holds and the kernel splits the connections between them: a page would then
// talk to two servers with different runs. SO_REUSEADDR alone still lets a server restart
// at once on a port whose old connections linger in TIME_WAIT, and refuses a held port.
void exclusive_port(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

// Whether binding host:port fails because something listens there (EADDRINUSE), to tell
// that apart from a host that is not an address of this machine.
bool port_in_use(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool in_use = false;
  for (addrinfo* a = found; a != nullptr && !in_use; a = a->ai_next) {
    const int sock = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (sock < 0) continue;
    exclusive_port(sock);
    in_use = ::bind(sock, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE;
    ::close(sock);
  }
  freeaddrinfo(found);
  return in_use;
}

// Shuts down every TCP connection of this process whose local port is `port`: the
// connections the server accepted. A client that holds a half-sent request (or does not
// read its answer) would otherwise keep a worker in its read (write) timeout, and the
// server's run() waits for its workers. httplib keeps no list of its connections, so they
// are found among the process's descriptors; the listening socket is closed by then.
void shut_connections_on(int port) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    struct stat info {};
    if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) continue;
    const int local_port = local.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port)
                           : local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
                                                          : -1;
    if (local_port == port) ::shutdown(fd, SHUT_RDWR);  // the worker's read or write returns at once
  }
}

}  // namespace

bool host_header_allowed(const std::string& header, const std::string& host, int port) {
  std::string name = header, port_text = "80";  // browsers leave out the default port
  const std::size_t colon = header.rfind(':'), bracket = header.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    name = header.substr(0, colon);
    port_text = header.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  if (std::stoi(port_text) != port) return false;
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "localhost" || is_ip_literal(lower) || (!host.empty() && lower == host);
}

struct InspectServer::Impl {
  const Inspector& inspector;
  ServerOptions options;
  httplib::Server server;
  int port = 0;

  Impl(const Inspector& i, const ServerOptions& o) : inspector(i), options(o) {}

  // A POST route: the body's JSON object to the inspector's answer; errors as JSON.
  template <class Handler>
  void post(const char* path, Handler handler) {
    server.Post(path, [this, handler](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] { return handler(request_body(req)); });
    });
  }

  template <class Compute>
  void answer(httplib::Response& res, Compute compute) {
    try {
      send_json(res, 200, compute());
    } catch (const RequestError& e) {
      send_error(res, e.status(), e.what());
    } catch (const std::invalid_argument& e) {
      send_error(res, 400, e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    }
  }

  void routes() {
    server.set_payload_max_length(inspector.limits().request_bytes);
    server.set_read_timeout(10, 0);
    server.set_write_timeout(10, 0);
    server.new_task_queue = [n = options.threads] { return new httplib::ThreadPool(static_cast<std::size_t>(n)); };
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      answer_whole(req);  // a Range header is ignored
      const std::string host = req.get_header_value("Host");
      if (!host_header_allowed(host, options.host, port)) {
        send_error(res, 403, "Host header \"" + host.substr(0, 100) + "\" is not an address this server serves");
        return httplib::Server::HandlerResponse::Handled;
      }
      res.set_header("Cache-Control", "no-store");
      res.set_header("X-Content-Type-Options", "nosniff");
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.Get(R"(/|/[a-z_]+\.(js|css))", [](const httplib::Request& req, httplib::Response& res) {
      const PageAsset* asset = find_page_asset(req.path);
      if (asset == nullptr) return send_error(res, 404, "no page at " + req.path);
      res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
      res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
    });
    server.Get("/api/runs", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] { return inspector.runs(); });
    });
    post("/api/sentences", [this](const json& j) { return inspector.sentences(j); });
    post("/api/translate", [this](const json& j) { return inspector.translate(j); });
    post("/api/score", [this](const json& j) { return inspector.score(j); });
    post("/api/triage", [this](const json& j) { return inspector.triage(j); });
    post("/api/training", [this](const json& j) { return inspector.training(j); });
    post("/api/snapshot", [this](const json& j) { return inspector.snapshot(j); });
    // Everything else: a JSON error (httplib calls this for any status >= 400 without a body).
    // httplib refuses a Range header it cannot parse (416) before any route; the answer is
    // whole JSON all the same.
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      answer_whole(req);
      if (!res.body.empty()) return;
      const std::string what =
          res.status == 404   ? "no such resource: " + req.method + " " + req.path.substr(0, 200)
          : res.status == 413 ? "request body larger than the limit"
          : res.status == 416 ? "Range header \"" + req.get_header_value("Range").substr(0, 100) +
                                    "\" cannot be parsed (nmtx inspect answers whole documents and ignores a valid one)"
                              : "bad request";
      send_error(res, res.status, what);
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_error(res, 500, "internal error: " + what);
    });
  }
};

InspectServer::InspectServer(const Inspector& inspector, const ServerOptions& options)
    : impl_(std::make_unique<Impl>(inspector, options)) {
  if (options.port < 0 || options.port > 65535) throw std::runtime_error("--port must be in [0, 65535]");
  if (options.threads < 1) throw std::runtime_error("server threads must be at least 1");
  impl_->routes();
  impl_->server.set_socket_options(exclusive_port);
  if (options.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(options.host);
  } else if (impl_->server.bind_to_port(options.host, options.port)) {
    impl_->port = options.port;
  }
  if (impl_->port <= 0 && port_in_use(options.host, options.port)) {
    throw std::runtime_error("port " + std::to_string(options.port) + " is in use (another nmtx inspect?); " +
                             "`--port 0` picks a free one");
  }
  if (impl_->port <= 0) {
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                             " (address in use, or not an address of this machine)");
  }
}

InspectServer::~InspectServer() = default;

int InspectServer::port() const { return impl_->port; }

std::string InspectServer::url() const {
  const std::string& h = impl_->options.host;
  const std::string shown = h == "0.0.0.0" ? "127.0.0.1" : h.find(':') != std::string::npos ? "[" + h + "]" : h;
  return "http://" + shown + ":" + std::to_string(impl_->port) + "/";
}

void InspectServer::run() { impl_->server.listen_after_bind(); }

void InspectServer::stop() {
  impl_->server.stop();  // no new connections
  shut_connections_on(impl_->port);
}

}  // namespace nmtx
