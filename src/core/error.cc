#include "core/error.h"

namespace machi {
namespace {

struct ErrorInfo {
  std::string_view uri;
  std::string_view title;
  int status;
};

ErrorInfo info(ErrorType type) {
  switch (type) {
    case ErrorType::kInvalidRequest:
      return {"https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "Invalid request", 400};
    case ErrorType::kBadRequestData:
      return {"https://uri.etsi.org/ngsi-ld/errors/BadRequestData", "Bad request data", 400};
    case ErrorType::kAlreadyExists:
      return {"https://uri.etsi.org/ngsi-ld/errors/AlreadyExists", "Already exists", 409};
    case ErrorType::kOperationNotSupported:
      return {"https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported", "Operation not supported", 422};
    case ErrorType::kResourceNotFound:
      return {"https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound", "Resource not found", 404};
    case ErrorType::kInternalError:
      return {"https://uri.etsi.org/ngsi-ld/errors/InternalError", "Internal error", 500};
    case ErrorType::kTooComplexQuery:
      return {"https://uri.etsi.org/ngsi-ld/errors/TooComplexQuery", "Too complex query", 403};
    case ErrorType::kTooManyResults:
      return {"https://uri.etsi.org/ngsi-ld/errors/TooManyResults", "Too many results", 403};
    case ErrorType::kLdContextNotAvailable:
      return {"https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable", "JSON-LD context not available", 503};
    case ErrorType::kNonexistentTenant:
      return {"https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant", "Nonexistent tenant", 404};
    case ErrorType::kUnsupportedMediaType:
      return {"https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "Unsupported media type", 415};
    case ErrorType::kNotAcceptable:
      return {"https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "Not acceptable", 406};
    case ErrorType::kPayloadTooLarge:
      return {"https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "Payload too large", 413};
    case ErrorType::kMethodNotAllowed:
      return {"https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "Method not allowed", 405};
    case ErrorType::kUnauthorized:
      return {"https://machi.city/problems/Unauthorized", "Unauthorized", 401};
    case ErrorType::kForbidden:
      return {"https://machi.city/problems/Forbidden", "Forbidden", 403};
    case ErrorType::kTooManyRequests:
      return {"https://machi.city/problems/TooManyRequests", "Too many requests", 429};
    case ErrorType::kServiceUnavailable:
      return {"https://machi.city/problems/ServiceUnavailable", "Service unavailable", 503};
  }
  return {"https://uri.etsi.org/ngsi-ld/errors/InternalError", "Internal error", 500};
}

}  // namespace

std::string_view error_type_uri(ErrorType type) { return info(type).uri; }
std::string_view error_title(ErrorType type) { return info(type).title; }
int error_status(ErrorType type) { return info(type).status; }

}  // namespace machi
