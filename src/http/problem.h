// RFC 7807 problem details, the body of every error answer.
#pragma once

#include "core/error.h"
#include "http/message.h"

namespace machi::http {

// {"type", "title", "status", "detail"} as application/json.
Response problem_response(const Error& error);
Response problem_response(ErrorType type, std::string detail);

}  // namespace machi::http
