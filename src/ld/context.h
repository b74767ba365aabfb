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
#include <string_view>
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
  // an absolute IRI -> itself; otherwise @vocab + term. A term that the
  // context maps to null expands to "" (JSON-LD would drop it; callers reject
  // it instead of losing data). Keyword aliases expand to the keyword ("id" -> "@id").
  std::string expand(std::string_view term) const;
  // The inverse, in the order of JSON-LD IRI compaction: the shortest defined
  // term for an IRI, else the IRI without @vocab when it starts with @vocab
  // (and the rest is not itself a term), else the shortest compact IRI with a
  // defined prefix, else the IRI itself. expand(compact(iri)) == iri.
  std::string compact(std::string_view iri) const;
  // The @context value to send back to a client for this context (a URL
  // string or an array), used for the Link header / @context member.
  const Json& source() const { return source_; }
  // True for the context that is the core context alone.
  bool is_core_only() const { return core_only_; }

 private:
  friend class ContextResolver;
  friend class ContextBuilder;
  // Transparent hashing so that lookups by string_view allocate nothing.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;
  // A user context keeps only its own terms and defers to the core context
  // (base_), whose terms win: resolved contexts stay small and cheap to build.
  std::shared_ptr<const Context> base_;
  const std::string* find_term(std::string_view term) const;    // base first
  const std::string* find_prefix(std::string_view term) const;  // base first
  Map terms_;         // term -> IRI ("" for a term mapped to null)
  Map prefix_terms_;  // the terms usable as "prefix:suffix" -> their IRI
  Map reverse_;       // IRI -> best (shortest) term
  std::vector<std::pair<std::string, std::string>> prefixes_;  // prefix -> IRI, longest IRI first
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
