#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

namespace machi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

struct Url {
  std::string host, port, target;
};

std::optional<Url> parse_http_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = "80";
  }
  if (out.host.empty()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ClientResponse> http_request(const std::string& method, const std::string& url,
                                           const std::vector<std::pair<std::string, std::string>>& headers,
                                           const std::string& body, std::chrono::milliseconds timeout,
                                           size_t max_body_bytes, const AddressPolicy* policy) {
  auto parsed = parse_http_url(url);
  if (!parsed) return std::nullopt;
  bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) return std::nullopt;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  std::optional<ClientResponse> result;
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request{verb, parsed->target, 11};
  request.set(bhttp::field::host, parsed->host);
  request.set(bhttp::field::accept, "application/ld+json, application/json");
  request.set(bhttp::field::user_agent, "machi");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put || verb == bhttp::verb::patch) {
    request.body() = body;
    request.prepare_payload();
  }
  auto parser = std::make_shared<bhttp::response_parser<bhttp::string_body>>();
  parser->body_limit(max_body_bytes);

  stream.expires_after(timeout);
  std::vector<asio::ip::tcp::endpoint> allowed;
  resolver.async_resolve(parsed->host, parsed->port, [&](beast::error_code ec, auto endpoints) {
    if (ec) return;
    for (const auto& entry : endpoints) {
      if (!policy || policy->allows(entry.endpoint().address())) allowed.push_back(entry.endpoint());
    }
    if (allowed.empty()) {
      if (endpoints.begin() != endpoints.end()) {
        std::fprintf(stderr, "machi: not calling %s: %s\n", parsed->host.c_str(),
                     AddressPolicy::refusal(endpoints.begin()->endpoint().address()).c_str());
      }
      return;
    }
    stream.async_connect(allowed, [&](beast::error_code ec, auto) {
      if (ec) return;
      bhttp::async_write(stream, request, [&](beast::error_code ec, size_t) {
        if (ec) return;
        bhttp::async_read(stream, buffer, *parser, [&](beast::error_code ec, size_t) {
          if (ec) return;
          auto& message = parser->get();
          result = ClientResponse{static_cast<int>(message.result_int()),
                                  std::string(message[bhttp::field::content_type]), message.body()};
        });
      });
    });
  });
  // The resolver is not covered by the stream's deadline; bound the loop too.
  io.run_for(timeout + std::chrono::milliseconds(50));
  return result;
}

std::optional<ClientResponse> http_get(const std::string& url, std::chrono::milliseconds timeout,
                                       size_t max_body_bytes) {
  return http_request("GET", url, {}, "", timeout, max_body_bytes);
}

std::optional<ClientResponse> http_post(const std::string& url,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body, std::chrono::milliseconds timeout,
                                        size_t max_body_bytes, const AddressPolicy* policy) {
  return http_request("POST", url, headers, body, timeout, max_body_bytes, policy);
}

}  // namespace machi::http
