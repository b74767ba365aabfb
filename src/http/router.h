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

// The route a request matched, as registered.
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;  // e.g. "/ngsi-ld/v1/entities/{entityId}"
};

// Runs before every matched handler (authentication and the endpoint
// policy); throws machi::Error to refuse the request.
using Guard = std::function<void(Request&, const RouteInfo&)>;

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

  // Installs the guard that every routed request passes (not the fallback).
  void set_guard(Guard guard) { guard_ = std::move(guard); }

  // Every registered route, for the authorization-matrix check.
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  bool match(const Route& route, const std::vector<std::string_view>& segments, Request& request) const;
  std::vector<Route> routes_;
  Handler fallback_;
  Guard guard_;
};

}  // namespace machi::http
