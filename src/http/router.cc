#include "http/router.h"

#include <cstdio>
#include <exception>

#include "http/problem.h"

namespace machi::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // A trailing slash leaves an empty last segment; "/a/" routes as "/a".
  if (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), pattern, {}, std::move(handler)};
  for (auto segment : split_path(pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& route : routes_) out.push_back({route.method, route.pattern});
  return out;
}

bool Router::match(const Route& route, const std::vector<std::string_view>& segments, Request& request) const {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') continue;
    if (want != segments[i]) return false;
  }
  request.path_params.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      std::string decoded;
      if (!percent_decode(segments[i], decoded)) {
        throw Error(ErrorType::kBadRequestData, "malformed percent-encoding in the path");
      }
      if (decoded.empty()) throw Error(ErrorType::kBadRequestData, "empty path segment");
      request.path_params[want.substr(1, want.size() - 2)] = std::move(decoded);
    }
  }
  return true;
}

Response Router::dispatch(Request& request) const {
  try {
    auto segments = split_path(request.raw_path);
    std::string allowed;
    for (const auto& route : routes_) {
      if (!match(route, segments, request)) continue;
      // HEAD runs the GET handler; the server sends only the headers.
      bool head_as_get = request.method == "HEAD" && route.method == "GET";
      if (route.method == request.method || head_as_get) {
        if (guard_) guard_(request, {route.method, route.pattern});
        return route.handler(request);
      }
      if (!allowed.empty()) allowed += ", ";
      allowed += route.method;
    }
    if (!allowed.empty()) {
      Response response = problem_response(ErrorType::kMethodNotAllowed, "use one of: " + allowed);
      response.set_header("Allow", allowed);
      return response;
    }
    if (fallback_) return fallback_(request);
    return problem_response(ErrorType::kResourceNotFound, "no resource at " + request.path);
  } catch (const Error& error) {
    Response response = problem_response(error);
    if (error.type() == ErrorType::kUnauthorized) response.set_header("WWW-Authenticate", "Bearer realm=\"machi\"");
    return response;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "machi: internal error on %s %s: %s\n", request.method.c_str(), request.path.c_str(), e.what());
    return problem_response(ErrorType::kInternalError, "internal error");
  }
}

}  // namespace machi::http
