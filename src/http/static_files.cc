#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/problem.h"

namespace machi::http {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool read_file(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

}  // namespace

std::string content_type_for(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},          {".geojson", "application/geo+json"},
      {".svg", "image/svg+xml"},              {".png", "image/png"},
      {".ico", "image/x-icon"},               {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},  {".webmanifest", "application/manifest+json"},
      {".map", "application/json"}};
  for (const auto& [ext, type] : kTypes) {
    if (ends_with(path, ext)) return type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(std::string root, std::vector<std::string> api_prefixes)
    : root_(std::move(root)), api_prefixes_(std::move(api_prefixes)) {}

Response StaticFiles::serve(Request& request) const {
  for (const auto& prefix : api_prefixes_) {
    // A prefix ending in '/' covers a subtree; any other names one path.
    bool api = prefix.back() == '/' ? request.path.rfind(prefix, 0) == 0 : request.path == prefix;
    if (api) return problem_response(ErrorType::kResourceNotFound, "no resource at " + request.path);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return problem_response(ErrorType::kMethodNotAllowed, "the web app only answers GET");
  }
  namespace fs = std::filesystem;
  // Resolve inside the root only: a decoded ".." or a symlink out is refused.
  std::error_code ec;
  fs::path root = fs::weakly_canonical(root_, ec);
  fs::path wanted = fs::weakly_canonical(root / fs::path(request.path).relative_path(), ec);
  bool inside = !ec && wanted.native().rfind(root.native(), 0) == 0;
  Response response;
  if (inside && fs::is_regular_file(wanted, ec) && read_file(wanted, response.body)) {
    response.set_header("Content-Type", content_type_for(wanted.string()));
    // Vite puts content hashes in asset names, so those never change.
    bool hashed = request.path.rfind("/assets/", 0) == 0;
    response.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
    return response;
  }
  // A missing asset is a 404, never index.html: a stale page would
  // otherwise receive HTML where it expects JavaScript.
  std::string last = fs::path(request.path).filename().string();
  if (request.path.rfind("/assets/", 0) == 0 || last.find('.') != std::string::npos) {
    return problem_response(ErrorType::kResourceNotFound, "no file " + request.path);
  }
  if (!read_file(root / "index.html", response.body)) {
    return problem_response(ErrorType::kResourceNotFound, "the web app is not built (no index.html)");
  }
  response.set_header("Content-Type", "text/html; charset=utf-8");
  response.set_header("Cache-Control", "no-cache");
  return response;
}

}  // namespace machi::http
