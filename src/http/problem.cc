#include "http/problem.h"

#include "core/json.h"

namespace machi::http {

Response problem_response(const Error& error) {
  Json body = {{"type", error_type_uri(error.type())},
               {"title", error_title(error.type())},
               {"status", error.status()},
               {"detail", error.what()}};
  Response response;
  response.status = error.status();
  response.set_header("Content-Type", "application/json");
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

Response problem_response(ErrorType type, std::string detail) { return problem_response(Error(type, std::move(detail))); }

}  // namespace machi::http
