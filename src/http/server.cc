#include "http/server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <thread>

#include "http/problem.h"

namespace machi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable all_done;
  std::set<tcp::socket*> connections;  // guarded by mutex
  size_t active = 0;                    // guarded by mutex

  Impl(ServerOptions o, const Router& r) : options(std::move(o)), router(r) {}

  void serve_connection(tcp::socket& socket);
  bool handle_one(tcp::socket& socket, beast::flat_buffer& buffer);
  void finish_connection(tcp::socket* socket);
};

namespace {

Request to_request(const bhttp::request<bhttp::string_body>& in) {
  Request out;
  out.method = std::string(in.method_string());
  std::string_view target(in.target().data(), in.target().size());
  size_t qmark = target.find('?');
  out.raw_path = std::string(target.substr(0, qmark));
  if (out.raw_path.empty() || out.raw_path[0] != '/') throw Error(ErrorType::kInvalidRequest, "bad request target");
  if (!percent_decode(out.raw_path, out.path)) throw Error(ErrorType::kBadRequestData, "malformed percent-encoding");
  if (qmark != std::string_view::npos && !parse_query_string(target.substr(qmark + 1), out.query)) {
    throw Error(ErrorType::kBadRequestData, "malformed percent-encoding in the query string");
  }
  for (const auto& field : in) {
    std::string name(field.name_string());
    std::string value(field.value());
    auto [it, inserted] = out.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;  // repeated fields join, as RFC 9110 allows
  }
  out.body = in.body();
  return out;
}

bhttp::response<bhttp::string_body> to_beast(Response&& in, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  for (auto& [name, value] : in.headers) out.set(name, value);
  out.set(bhttp::field::server, "machi");
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

void write_problem(tcp::socket& socket, ErrorType type, const std::string& detail) {
  Response problem = problem_response(type, detail);
  auto out = to_beast(std::move(problem), 11, false);
  beast::error_code ec;
  bhttp::write(socket, out, ec);
}

}  // namespace

// Reads one request, answers it; false when the connection should close.
bool Server::Impl::handle_one(tcp::socket& socket, beast::flat_buffer& buffer) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(64 * 1024);
  beast::error_code ec;
  bhttp::read(socket, buffer, parser, ec);
  if (ec == bhttp::error::body_limit) {
    write_problem(socket, ErrorType::kPayloadTooLarge,
                  "the body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
    return false;
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted || ec == asio::error::would_block || ec == asio::error::try_again ||
      ec == asio::error::shut_down || ec == asio::error::bad_descriptor) {
    return false;
  }
  if (ec) {
    write_problem(socket, ErrorType::kInvalidRequest, "malformed HTTP request: " + ec.message());
    return false;
  }
  auto& in = parser.get();
  bool keep_alive = in.keep_alive() && !stopping.load();
  Response response;
  try {
    Request request = to_request(in);
    response = router.dispatch(request);
  } catch (const Error& error) {
    response = problem_response(error);
  }
  try {
    auto out = to_beast(std::move(response), in.version(), keep_alive);
    if (in.method() == bhttp::verb::head) {
      // HEAD answers the GET's headers, Content-Length included, and no body.
      bhttp::response_serializer<bhttp::string_body> serializer{out};
      bhttp::write_header(socket, serializer, ec);
    } else {
      bhttp::write(socket, out, ec);
    }
  } catch (const std::exception& e) {
    // E.g. a header value over Beast's limit: answer, never abort.
    std::fprintf(stderr, "machi: cannot send response: %s\n", e.what());
    write_problem(socket, ErrorType::kInternalError, "the response could not be encoded");
    return false;
  }
  return !ec && keep_alive;
}

void Server::Impl::serve_connection(tcp::socket& socket) {
  // Idle keep-alive connections time out through SO_RCVTIMEO: the blocking
  // read fails and the thread ends.
  timeval tv{options.idle_timeout_seconds, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  socket.set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  while (!stopping.load() && handle_one(socket, buffer)) {
  }
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  finish_connection(&socket);
}

void Server::Impl::finish_connection(tcp::socket* socket) {
  std::lock_guard lock(mutex);
  connections.erase(socket);
  --active;
  all_done.notify_all();
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() { stop(); }

void Server::listen() {
  auto address = asio::ip::make_address(impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  Impl& s = *impl_;
  while (!s.stopping.load()) {
    beast::error_code ec;
    tcp::socket socket(s.io);
    s.acceptor.accept(socket, ec);
    if (ec) {
      if (s.stopping.load()) break;
      continue;  // e.g. EMFILE or a reset before accept: keep serving
    }
    std::unique_lock lock(s.mutex);
    if (s.active >= s.options.max_connections) {
      lock.unlock();
      write_problem(socket, ErrorType::kServiceUnavailable, "too many connections");
      continue;
    }
    ++s.active;
    lock.unlock();
    std::thread([&s, sock = std::move(socket)]() mutable {
      {
        std::lock_guard guard(s.mutex);
        s.connections.insert(&sock);
      }
      s.serve_connection(sock);
    }).detach();
  }
  // Wake connections that wait for a next request; a connection handling
  // a request finishes it (reads are shut, writes are not).
  std::unique_lock lock(s.mutex);
  for (tcp::socket* socket : s.connections) {
    beast::error_code ec;
    socket->shutdown(tcp::socket::shutdown_receive, ec);
  }
  s.all_done.wait(lock, [&s] { return s.active == 0; });
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  beast::error_code ec;
  // shutdown() unblocks accept() on Linux; close() alone may not.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->acceptor.close(ec);
}

}  // namespace machi::http
