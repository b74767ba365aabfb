// machi's HTTP/1.1 server (Boost.Beast), one thread per connection.
//
// Why threads and not an event loop: handlers are plain synchronous
// functions that may wait for a group commit to reach the disk. With a
// thread per connection, many connections wait on one commit at once and
// the store batches them; an event loop would need every handler to be
// asynchronous. Connections are capped; keep-alive connections idle longer
// than idle_timeout_seconds are closed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "http/router.h"

namespace machi::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_connections = 2048;
  int idle_timeout_seconds = 60;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();

  // Binds the port; throws std::runtime_error when it cannot.
  void listen();
  // The bound port (useful with port 0).
  unsigned short port() const;
  // Accepts connections until stop(); then waits for in-flight requests.
  void run();
  // Stops accepting, lets in-flight requests finish, closes idle
  // connections. Safe to call from a signal-watching thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace machi::http
