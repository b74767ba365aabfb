// The one error type that crosses module boundaries. It carries an NGSI-LD
// error type (ETSI GS CIM 009, table 5.5.2-1), which fixes the HTTP status;
// the HTTP layer renders it as RFC 7807 problem details.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace machi {

enum class ErrorType {
  kInvalidRequest,         // 400: malformed request (bad JSON, bad syntax)
  kBadRequestData,         // 400: well-formed but invalid content
  kAlreadyExists,          // 409
  kOperationNotSupported,  // 422
  kResourceNotFound,       // 404
  kInternalError,          // 500
  kTooComplexQuery,        // 403
  kTooManyResults,         // 403
  kLdContextNotAvailable,  // 503
  kNonexistentTenant,      // 404
  kUnsupportedMediaType,   // 415 (no NGSI-LD type of its own)
  kNotAcceptable,          // 406
  kPayloadTooLarge,        // 413
  kMethodNotAllowed,       // 405
  kUnauthorized,           // 401
  kForbidden,              // 403
  kServiceUnavailable,     // 503
  kTooManyRequests,        // 429 (rate limits, e.g. login attempts)
};

// The problem type URI, e.g. "https://uri.etsi.org/ngsi-ld/errors/BadRequestData".
std::string_view error_type_uri(ErrorType type);
// The short title, e.g. "Bad request data".
std::string_view error_title(ErrorType type);
int error_status(ErrorType type);

class Error : public std::runtime_error {
 public:
  Error(ErrorType type, std::string detail) : std::runtime_error(detail), type_(type) {}
  ErrorType type() const { return type_; }
  int status() const { return error_status(type_); }

 private:
  ErrorType type_;
};

}  // namespace machi
