// Writes JSON text straight into a string, member by member, for responses
// that would otherwise build a JSON tree only to dump it at once (a GET of an
// entity, a page of query results): the tree's allocations, copies and frees
// were a fifth of such a request's CPU time.
//
// The text equals what Json::dump(-1, ' ', false, error_handler_t::replace)
// writes for the same members in the same order: compact, UTF-8 kept as is,
// invalid UTF-8 replaced by U+FFFD. The caller keeps the structure valid
// (a key before each member value, every container closed).
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"

namespace machi {

class JsonWriter {
 public:
  // Appends to out, which must outlive the writer.
  explicit JsonWriter(std::string& out);

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);
  void string(std::string_view text);
  void value(const Json& value);

 private:
  void separate();
  void open(char bracket);
  void close(char bracket);
  void write_string(std::string_view text);

  std::string& out_;
  nlohmann::detail::serializer<Json> serializer_;
  bool need_comma_ = false;
};

}  // namespace machi
