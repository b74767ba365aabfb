// Maps method + path pattern to a handler. Patterns are '/'-separated
// segments where "{name}" captures one segment (percent-decoded after
// splitting, so an entity id may contain an encoded '/').
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace machi::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  // Runs the matching handler. No path match: 404; a path match with
  // another method: 405 with an Allow header. A machi::Error thrown by a
  // handler becomes problem details; any other exception an InternalError
  // (logged), so no client input can take the server down.
  Response dispatch(Request& request) const;

  // Handles requests that no route matches (e.g. the web app's files).
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  bool match(const Route& route, const std::vector<std::string_view>& segments, Request& request) const;
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace machi::http
