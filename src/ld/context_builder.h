// Internal to src/ld: turns @context values into Context objects. Used by
// ContextResolver (context_resolver.cc); not part of the public interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "ld/context.h"

namespace machi::ld {

// One flattened term definition.
struct TermDef {
  std::string iri;      // the IRI, or a keyword for an alias ("@id")
  bool null = false;    // mapped to null
  bool prefix = false;  // usable as "prefix:suffix"
};
using TermDefs = std::unordered_map<std::string, TermDef>;

// "http", "urn", ...: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986).
bool is_uri_scheme(std::string_view s);
// An NGSI-LD name (clause 4.6.2): not empty, no leading '@', no whitespace,
// controls or <>"'=;(). Compaction only produces such names, so that
// whatever machi renders can be read back.
bool is_valid_name(std::string_view s);
// The core context URLs of V1.3..V1.9 and the unversioned one.
bool is_core_context_url(std::string_view url);

class ContextBuilder {
 public:
  // Loads the document at a URL (never a core URL); the result has an
  // "@context" member. Throws Error(LdContextNotAvailable) when it cannot.
  using Loader = std::function<std::shared_ptr<const Json>(const std::string& url)>;

  // core: the core definitions, applied last; nullptr while building the core itself.
  ContextBuilder(Loader loader, const TermDefs* core);

  // Applies one @context value (URL, object, array). Throws Error(BadRequestData).
  void process(const Json& value, int depth);
  // Applies the core last and builds the lookup tables.
  ContextPtr finish(Json source);
  const TermDefs& defs() const { return defs_; }

 private:
  // The local context being read: which of its terms are done (true) or in progress (false).
  struct LocalState {
    const Json& object;
    std::string vocab;
    std::unordered_map<std::string, bool> state;
  };
  void process_one(const Json& value, int depth);
  void process_url(const std::string& url, int depth);
  void process_object(const Json& object, int depth);
  void process_import(const Json& object, const Json& import, int depth);
  void check_context_keywords(const Json& object);
  std::string expand_vocab(const std::string& value);
  const TermDef* find_prefix(std::string_view prefix) const;
  void define(const std::string& term, LocalState& local);
  std::optional<std::string> definition_iri(const std::string& term, const std::string& value, LocalState& local,
                                            bool& skip);
  std::optional<std::string> object_definition_iri(const std::string& term, const Json& value, LocalState& local,
                                                   std::optional<bool>& explicit_prefix, bool& skip);
  std::optional<std::string> expand_iri(const std::string& value, const std::string& self, LocalState& local);

  Loader loader_;
  const TermDefs* core_;
  TermDefs defs_;
  std::optional<std::string> user_vocab_;
  std::vector<std::string> url_stack_;  // for cycle detection
  bool core_only_ = true;
};

struct CoreContextData {
  TermDefs defs;
  ContextPtr context;
};
// The core context, flattened once.
const CoreContextData& core_context_data();

}  // namespace machi::ld
