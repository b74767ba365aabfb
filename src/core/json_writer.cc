#include "core/json_writer.h"

namespace machi {

JsonWriter::JsonWriter(std::string& out)
    : out_(out),
      serializer_(nlohmann::detail::output_adapter<char, std::string>(out), ' ', Json::error_handler_t::replace) {}

void JsonWriter::separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = false;
}

void JsonWriter::begin_object() { open('{'); }
void JsonWriter::end_object() { close('}'); }
void JsonWriter::begin_array() { open('['); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
}

void JsonWriter::close(char bracket) {
  out_ += bracket;
  need_comma_ = true;
}

void JsonWriter::key(std::string_view name) {
  separate();
  write_string(name);
  out_ += ':';
}

void JsonWriter::string(std::string_view text) {
  separate();
  write_string(text);
  need_comma_ = true;
}

void JsonWriter::value(const Json& value) {
  separate();
  if (value.is_string()) {
    write_string(value.get_ref<const std::string&>());
  } else {
    serializer_.dump(value, false, false, 0);
  }
  need_comma_ = true;
}

// Names and most values are plain printable ASCII, which needs no escaping;
// anything else goes through nlohmann's serializer so that escapes and the
// handling of invalid UTF-8 stay exactly those of dump().
void JsonWriter::write_string(std::string_view text) {
  bool plain = true;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (!plain) {
    serializer_.dump(Json(std::string(text)), false, false, 0);
    return;
  }
  out_ += '"';
  out_.append(text);
  out_ += '"';
}

}  // namespace machi
