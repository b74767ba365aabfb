// JSON-LD @context handling for NGSI-LD: term expansion and IRI compaction.
//
// machi implements the part of JSON-LD 1.1 that NGSI-LD brokers need, by hand,
// because no maintained C++ JSON-LD processor is packaged in Debian: a context
// (the core context plus any user contexts, in array order, core last and
// immutable) is flattened into a term -> IRI map with prefixes and @vocab.
// Entity ids, values and nested JSON are not touched.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.h"

namespace machi::ld {

inline constexpr const char* kCoreContextUrl = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld";
inline constexpr const char* kDefaultVocab = "https://uri.etsi.org/ngsi-ld/default-context/";
inline constexpr const char* kNgsiLdPrefix = "https://uri.etsi.org/ngsi-ld/";

// The core @context document (Annex B of ETSI GS CIM 009), shipped inside machi.
const Json& core_context_document();

// A resolved, immutable active context.
class Context {
 public:
  // Expands a term used as an attribute name or entity type:
  // a defined term -> its IRI; "prefix:suffix" with a defined prefix -> IRI;
  // an absolute IRI -> itself; otherwise @vocab + term.
  std::string expand(std::string_view term) const;
  // The inverse: the shortest defined term for an IRI, else a compact IRI
  // with a defined prefix, else the IRI without @vocab when it starts with
  // @vocab, else the IRI itself.
  std::string compact(std::string_view iri) const;
  // The @context value to send back to a client for this context (a URL
  // string or an array), used for the Link header / @context member.
  const Json& source() const { return source_; }
  // True for the context that is the core context alone.
  bool is_core_only() const { return core_only_; }

 private:
  friend class ContextResolver;
  std::unordered_map<std::string, std::string> terms_;    // term -> IRI
  std::unordered_map<std::string, std::string> reverse_;  // IRI -> best term
  std::vector<std::pair<std::string, std::string>> prefixes_;  // prefix -> IRI
  std::string vocab_ = kDefaultVocab;
  Json source_;
  bool core_only_ = false;
};

using ContextPtr = std::shared_ptr<const Context>;

// Where user contexts stored through /jsonldContexts are kept durably. The
// store module implements it; tests may use an in-memory one.
class ContextPersistence {
 public:
  virtual ~ContextPersistence() = default;
  virtual void save_context(const std::string& url, const std::string& document_text) = 0;
  virtual void remove_context(const std::string& url) = 0;
  virtual std::vector<std::pair<std::string, std::string>> load_contexts() = 0;
};

// Fetches a remote context document: returns the body text, or nullopt when
// not available. Must honour a short timeout: the caller never waits longer.
using ContextFetcher = std::function<std::optional<std::string>(const std::string& url)>;

struct StoredContextInfo {
  std::string url;        // where machi serves it: <base>/ngsi-ld/v1/jsonldContexts/<id>
  std::string id;         // the local id
  std::string kind;       // "Hosted" (stored by a client) or "Cached" (fetched) or "ImplicitlyCreated"
  std::string created_at;
};

// Resolves @context values (from a Link header or an @context member) into
// active contexts, with a cache, and keeps user contexts stored by clients.
class ContextResolver {
 public:
  // allow_list: URL prefixes that may be fetched with fetcher. Any other URL
  // that is not stored answers LdContextNotAvailable (503) at once.
  ContextResolver(ContextPersistence* persistence, ContextFetcher fetcher, std::vector<std::string> allow_list,
                  std::string self_base_url);

  // The core context alone (used when a request has no context).
  ContextPtr core() const;
  // Resolves a @context value: a URL string, an object, or an array of both.
  // Throws Error(LdContextNotAvailable) for an unreachable URL,
  // Error(BadRequestData) for an invalid context.
  ContextPtr resolve(const Json& context_value);

  // /jsonldContexts operations.
  StoredContextInfo store(const Json& document);            // POST; document has "@context"
  std::vector<StoredContextInfo> list() const;
  std::optional<Json> get(const std::string& id) const;     // the stored document
  bool remove(const std::string& id);                        // DELETE

 private:
  // implementation detail members are declared in context.cc via pimpl
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace machi::ld
