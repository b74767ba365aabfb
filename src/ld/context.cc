// Flattening of JSON-LD @context values into term maps (ContextBuilder) and
// the expand/compact operations on the result (Context). The resolver that
// loads, caches and stores context documents is in context_resolver.cc.
//
// Choices, where NGSI-LD and JSON-LD leave room:
// - Contexts are processed in array order, later definitions override, and
//   the core context is applied after everything else, so a user context
//   can never redefine a core term (NGSI-LD: the core is immutable).
// - @vocab: the core's "@vocab" (the default-context) is only a default. A
//   user "@vocab" anywhere in the chain wins over it even though the core
//   comes last, because otherwise a user @vocab could never have any effect;
//   "@vocab": null in a user context falls back to the default again.
// - Prefixes: a term without ':' or '/' whose IRI ends with a JSON-LD
//   gen-delim (:/?#[]@), or any term with "@prefix": true, can be used in
//   "prefix:suffix". While user term definitions are read, the core terms
//   and prefixes ("ngsi-ld:", "geojson:") are known wherever the core is
//   listed (after the user's own definitions), so that user contexts written
//   as {"x": "ngsi-ld:x"} mean what they say.
// - A resolved user context holds only its own terms and defers to the
//   flattened core (Context::base_), so resolving one is cheap.
// - Null-mapped terms are kept as such and expand to "" (see context.h).
// - Scoped contexts, @protected, @propagate, @version, @language,
//   @direction and @base are checked for shape but otherwise ignored: NGSI-LD
//   only uses the term -> IRI part of a context.
#include <algorithm>

#include "core/error.h"
#include "ld/context_builder.h"

namespace machi::ld {
namespace {

constexpr int kMaxDepth = 8;  // nested URL references within one @context value

[[noreturn]] void bad_context(const std::string& detail) {
  throw Error(ErrorType::kBadRequestData, "invalid @context: " + detail);
}

bool is_keyword(std::string_view s) {
  static constexpr std::string_view kKeywords[] = {
      "@base", "@container",   "@context",  "@default",  "@direction", "@embed",     "@explicit",   "@graph",
      "@id",   "@import",      "@included", "@index",    "@json",      "@language",  "@list",       "@nest",
      "@none", "@omitDefault", "@prefix",   "@preserve", "@propagate", "@protected", "@requireAll", "@reverse",
      "@set",  "@type",        "@value",    "@version",  "@vocab"};
  return std::find(std::begin(kKeywords), std::end(kKeywords), s) != std::end(kKeywords);
}

// "@" followed only by letters: JSON-LD reserves these for future keywords
// and says to ignore them.
bool has_keyword_form(std::string_view s) {
  if (s.size() < 2 || s[0] != '@') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

bool ends_with_gen_delim(std::string_view iri) {
  return !iri.empty() && std::string_view(":/?#[]@").find(iri.back()) != std::string_view::npos;
}

bool has_colon_or_slash(std::string_view s) { return s.find_first_of(":/") != std::string_view::npos; }

}  // namespace

bool is_uri_scheme(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  });
}

bool is_valid_name(std::string_view s) {
  if (s.empty() || s[0] == '@') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f ||
           std::string_view("<>\"'=;()").find(c) != std::string_view::npos;
  });
}

bool is_core_context_url(std::string_view url) {
  constexpr std::string_view kStem = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context";
  if (!url.starts_with(kStem)) return false;
  std::string_view rest = url.substr(kStem.size());
  if (rest == ".jsonld") return true;
  // "-v1.3.jsonld" .. "-v1.9.jsonld": every published version is a subset of
  // what is embedded, so all of them resolve to the embedded document.
  return rest.size() == 12 && rest.starts_with("-v1.") && rest[4] >= '3' && rest[4] <= '9' &&
         rest.substr(5) == ".jsonld";
}

// ---------------------------------------------------------------------------
// Context

const std::string* Context::find_term(std::string_view term) const {
  if (base_) {
    if (auto it = base_->terms_.find(term); it != base_->terms_.end()) return &it->second;
  }
  auto it = terms_.find(term);
  return it == terms_.end() ? nullptr : &it->second;
}

const std::string* Context::find_prefix(std::string_view term) const {
  if (base_) {
    if (auto it = base_->prefix_terms_.find(term); it != base_->prefix_terms_.end()) return &it->second;
  }
  auto it = prefix_terms_.find(term);
  return it == prefix_terms_.end() ? nullptr : &it->second;
}

std::string Context::expand(std::string_view term) const {
  if (term.empty()) return {};
  if (term[0] == '@') return std::string(term);
  if (const std::string* iri = find_term(term)) return *iri;
  size_t colon = term.find(':');
  if (colon != std::string_view::npos) {
    std::string_view prefix = term.substr(0, colon);
    std::string_view suffix = term.substr(colon + 1);
    if (prefix == "_" || suffix.starts_with("//")) return std::string(term);
    if (const std::string* prefix_iri = find_prefix(prefix)) {
      std::string out;
      out.reserve(prefix_iri->size() + suffix.size());
      out.append(*prefix_iri).append(suffix);
      return out;
    }
    if (is_uri_scheme(prefix)) return std::string(term);
  }
  std::string out;
  out.reserve(vocab_.size() + term.size());
  out.append(vocab_).append(term);
  return out;
}

std::string Context::compact(std::string_view iri) const {
  // 1. The shortest term, from either the core or this context.
  const std::string* term = nullptr;
  if (base_) {
    if (auto it = base_->reverse_.find(iri); it != base_->reverse_.end()) term = &it->second;
  }
  if (auto it = reverse_.find(iri); it != reverse_.end()) {
    const std::string& own = it->second;
    if (!term || own.size() < term->size() || (own.size() == term->size() && own < *term)) term = &own;
  }
  if (term) return *term;
  // 2. Relative to @vocab, when the rest expands back to the same IRI: not
  // a term, not "x:y", not a keyword.
  if (iri.size() > vocab_.size() && iri.starts_with(vocab_)) {
    std::string_view rest = iri.substr(vocab_.size());
    if (rest.find(':') == std::string_view::npos && rest[0] != '@' && !find_term(rest)) return std::string(rest);
  }
  // 3. The shortest compact IRI.
  const std::pair<std::string, std::string>* best = nullptr;
  size_t best_size = 0;
  auto consider = [&](const std::vector<std::pair<std::string, std::string>>& prefixes) {
    for (const auto& entry : prefixes) {
      const std::string& prefix_iri = entry.second;
      if (iri.size() <= prefix_iri.size() || !iri.starts_with(prefix_iri)) continue;
      std::string_view suffix = iri.substr(prefix_iri.size());
      if (suffix.starts_with("//")) continue;
      size_t size = entry.first.size() + 1 + suffix.size();
      if (!best || size < best_size || (size == best_size && entry.first < best->first)) {
        best = &entry;
        best_size = size;
      }
    }
  };
  if (base_) consider(base_->prefixes_);
  consider(prefixes_);
  if (best) {
    std::string out;
    out.reserve(best_size);
    out.append(best->first).append(1, ':').append(iri.substr(best->second.size()));
    if (!find_term(out)) return out;  // else "p:s" is itself a term meaning something else
  }
  return std::string(iri);
}

// ---------------------------------------------------------------------------
// ContextBuilder

ContextBuilder::ContextBuilder(Loader loader, const TermDefs* core) : loader_(std::move(loader)), core_(core) {}

void ContextBuilder::process(const Json& value, int depth) {
  if (depth > kMaxDepth) bad_context("URL references nested deeper than " + std::to_string(kMaxDepth) + " levels");
  if (!value.is_array()) return process_one(value, depth);
  for (const Json& item : value) {
    if (item.is_array()) bad_context("an array inside a context array");
    process_one(item, depth);
  }
}

void ContextBuilder::process_one(const Json& value, int depth) {
  if (value.is_null()) {
    // JSON-LD: null resets the active context; the core is re-applied at the end anyway.
    defs_.clear();
    user_vocab_.reset();
  } else if (value.is_string()) {
    process_url(value.get_ref<const std::string&>(), depth);
  } else if (value.is_object()) {
    core_only_ = false;
    process_object(value, depth);
  } else {
    bad_context("a context must be a URL, an object or an array of these, not " + std::string(value.type_name()));
  }
}

void ContextBuilder::process_url(const std::string& url, int depth) {
  // The core is applied last anyway, and its terms are visible to user
  // definitions wherever it is listed (see expand_iri).
  if (core_ && is_core_context_url(url)) return;
  size_t colon = url.find(':');
  if (colon == std::string::npos || !is_uri_scheme(std::string_view(url).substr(0, colon))) {
    bad_context("'" + url + "' is not an absolute URL");
  }
  if (!loader_) throw Error(ErrorType::kLdContextNotAvailable, "the @context URL " + url + " is not available");
  if (std::find(url_stack_.begin(), url_stack_.end(), url) != url_stack_.end()) {
    bad_context("recursive inclusion of " + url);
  }
  core_only_ = false;
  std::shared_ptr<const Json> document = loader_(url);
  url_stack_.push_back(url);
  process(document->at("@context"), depth + 1);
  url_stack_.pop_back();
}

void ContextBuilder::process_object(const Json& object, int depth) {
  if (auto it = object.find("@import"); it != object.end()) return process_import(object, *it, depth);
  check_context_keywords(object);
  std::string vocab = user_vocab_.value_or(kDefaultVocab);
  if (auto it = object.find("@vocab"); it != object.end()) {
    if (it->is_null()) {
      if (core_) user_vocab_.reset();
      vocab = kDefaultVocab;
    } else if (it->is_string()) {
      vocab = expand_vocab(it->get_ref<const std::string&>());
      if (core_) user_vocab_ = vocab;  // the core's own @vocab is only the default (see top)
    } else {
      bad_context("@vocab must be a string or null");
    }
  }
  LocalState local{object, vocab, {}};
  for (const auto& [key, value] : object.items()) {
    if (key.empty()) bad_context("an empty term");
    if (key[0] == '@') continue;  // keywords were checked above; keyword-like terms are ignored
    define(key, local);
  }
}

void ContextBuilder::process_import(const Json& object, const Json& import, int depth) {
  if (!import.is_string()) bad_context("@import must be a URL string");
  const std::string& url = import.get_ref<const std::string&>();
  if (is_core_context_url(url)) bad_context("@import of the core context");
  if (!loader_) throw Error(ErrorType::kLdContextNotAvailable, "the @context URL " + url + " is not available");
  if (std::find(url_stack_.begin(), url_stack_.end(), url) != url_stack_.end()) {
    bad_context("recursive inclusion of " + url);
  }
  std::shared_ptr<const Json> document = loader_(url);
  const Json& imported = document->at("@context");
  if (!imported.is_object()) bad_context("@import of " + url + " does not reference a context object");
  if (imported.contains("@import")) bad_context("@import of " + url + " itself has an @import");
  // JSON-LD 1.1: the imported definitions are merged under the local ones.
  Json merged = imported;
  for (const auto& [key, value] : object.items()) {
    if (key != "@import") merged[key] = value;
  }
  url_stack_.push_back(url);
  process_object(merged, depth + 1);
  url_stack_.pop_back();
}

void ContextBuilder::check_context_keywords(const Json& object) {
  for (const auto& [key, value] : object.items()) {
    if (key.empty() || key[0] != '@') continue;
    if (key == "@version") {
      if (!value.is_number() || value.get<double>() != 1.1) bad_context("@version must be 1.1");
    } else if (key == "@protected" || key == "@propagate") {
      if (!value.is_boolean()) bad_context(key + " must be true or false");
    } else if (key == "@base" || key == "@language" || key == "@direction") {
      if (!value.is_string() && !value.is_null()) bad_context(key + " must be a string or null");
    } else if (key == "@type") {
      if (!value.is_object()) bad_context("@type in a context must be an object");
    } else if (key == "@vocab" || key == "@import") {
      // handled by the caller
    } else if (is_keyword(key)) {
      bad_context("the keyword " + key + " cannot be defined in a context");
    }
  }
}

std::string ContextBuilder::expand_vocab(const std::string& value) {
  if (auto it = defs_.find(value);
      it != defs_.end() && !it->second.null && !it->second.iri.empty() && it->second.iri[0] != '@') {
    return it->second.iri;
  }
  size_t colon = value.find(':');
  if (colon != std::string::npos) {
    std::string_view prefix = std::string_view(value).substr(0, colon);
    if (const TermDef* def = find_prefix(prefix)) return def->iri + value.substr(colon + 1);
    if (is_uri_scheme(prefix)) return value;
  }
  bad_context("@vocab '" + value + "' is not an absolute IRI");
}

const TermDef* ContextBuilder::find_prefix(std::string_view prefix) const {
  std::string key(prefix);
  if (auto it = defs_.find(key); it != defs_.end() && it->second.prefix && !it->second.null) return &it->second;
  if (core_) {
    if (auto it = core_->find(key); it != core_->end() && it->second.prefix) return &it->second;
  }
  return nullptr;
}

void ContextBuilder::define(const std::string& term, LocalState& local) {
  auto [state, inserted] = local.state.try_emplace(term, false);
  if (!inserted) {
    if (state->second) return;  // already defined
    bad_context("cyclic IRI mapping involving the term '" + term + "'");
  }
  const Json& value = local.object.at(term);
  std::optional<bool> explicit_prefix;
  std::optional<std::string> iri;  // nullopt: mapped to null
  bool skip = false;
  if (value.is_null()) {
    iri.reset();
  } else if (value.is_string()) {
    iri = definition_iri(term, value.get_ref<const std::string&>(), local, skip);
  } else if (value.is_object()) {
    iri = object_definition_iri(term, value, local, explicit_prefix, skip);
  } else {
    bad_context("the definition of '" + term + "' must be a string, an object or null");
  }
  local.state[term] = true;
  if (skip) return;
  TermDef def;
  def.null = !iri.has_value();
  if (iri) def.iri = std::move(*iri);
  if (explicit_prefix && *explicit_prefix && has_colon_or_slash(term)) {
    bad_context("'" + term + "' cannot be a prefix: it contains ':' or '/'");
  }
  bool keyword_iri = !def.null && !def.iri.empty() && def.iri[0] == '@';
  def.prefix =
      !def.null && !keyword_iri && !has_colon_or_slash(term) && explicit_prefix.value_or(ends_with_gen_delim(def.iri));
  defs_[term] = std::move(def);
}

std::optional<std::string> ContextBuilder::definition_iri(const std::string& term, const std::string& value,
                                                          LocalState& local, bool& skip) {
  if (is_keyword(value)) return value;  // a keyword alias such as "id": "@id"
  if (has_keyword_form(value)) {
    skip = true;  // JSON-LD: ignored
    return std::nullopt;
  }
  return expand_iri(value, term, local);
}

std::optional<std::string> ContextBuilder::object_definition_iri(const std::string& term, const Json& value,
                                                                 LocalState& local,
                                                                 std::optional<bool>& explicit_prefix, bool& skip) {
  for (const auto& [key, member] : value.items()) {
    if (key == "@id" || key == "@reverse") {
      if (!member.is_string() && !(key == "@id" && member.is_null()))
        bad_context(key + " of '" + term + "' must be a string");
    } else if (key == "@type" || key == "@language" || key == "@direction" || key == "@index" || key == "@nest") {
      if (!member.is_string() && !member.is_null()) bad_context(key + " of '" + term + "' must be a string");
    } else if (key == "@container") {
      bool ok =
          member.is_string() || member.is_null() ||
          (member.is_array() && std::all_of(member.begin(), member.end(), [](const Json& c) { return c.is_string(); }));
      if (!ok) bad_context("@container of '" + term + "' must be a string or an array of strings");
    } else if (key == "@prefix" || key == "@protected") {
      if (!member.is_boolean()) bad_context(key + " of '" + term + "' must be true or false");
      if (key == "@prefix") explicit_prefix = member.get<bool>();
    } else if (key == "@context") {
      // Scoped contexts are not used by NGSI-LD (clause 5.5.7): shape-checked, never loaded.
      if (!member.is_object() && !member.is_array() && !member.is_string() && !member.is_null()) {
        bad_context("the scoped @context of '" + term + "' is not a context");
      }
    } else {
      bad_context("'" + key + "' is not allowed in the definition of '" + term + "'");
    }
  }
  if (value.contains("@reverse")) {
    skip = true;  // reverse properties have no meaning for NGSI-LD attribute names
    return std::nullopt;
  }
  if (auto it = value.find("@id"); it != value.end()) {
    if (it->is_null()) return std::nullopt;
    return definition_iri(term, it->get_ref<const std::string&>(), local, skip);
  }
  // No @id: the term itself is a compact IRI, an absolute IRI or relative to @vocab.
  return expand_iri(term, term, local);
}

std::optional<std::string> ContextBuilder::expand_iri(const std::string& value, const std::string& self,
                                                      LocalState& local) {
  if (is_keyword(value)) return value;
  // A term defined through another term ("temp": "temperature"); a term that
  // maps to itself (as "attributeCount" in the core) is relative to @vocab.
  if (value != self) {
    if (local.object.contains(value)) define(value, local);
    const TermDef* def = nullptr;
    if (auto it = defs_.find(value); it != defs_.end()) {
      def = &it->second;
    } else if (core_) {
      if (auto core = core_->find(value); core != core_->end()) def = &core->second;
    }
    if (def) {
      if (def->null) return std::nullopt;
      return def->iri;
    }
  }
  size_t colon = value.find(':');
  if (colon != std::string::npos) {
    std::string prefix = value.substr(0, colon);
    std::string_view suffix = std::string_view(value).substr(colon + 1);
    if (prefix == "_" || suffix.starts_with("//")) return value;
    if (prefix != self && local.object.contains(prefix)) define(prefix, local);
    if (const TermDef* def = find_prefix(prefix)) return def->iri + std::string(suffix);
    if (is_uri_scheme(prefix)) return value;
  }
  return local.vocab + value;
}

ContextPtr ContextBuilder::finish(Json source) {
  auto ctx = std::make_shared<Context>();
  if (core_) ctx->base_ = core_context_data().context;
  for (const auto& [term, def] : defs_) {
    if (core_ && core_->count(term)) continue;  // the core's definition wins (applied last)
    ctx->terms_.emplace(term, def.null ? std::string() : def.iri);
    // Terms that are not NGSI-LD names are still expanded, never produced by compaction.
    if (def.null || def.iri.empty() || def.iri[0] == '@' || !is_valid_name(term)) continue;
    if (def.prefix) {
      ctx->prefix_terms_.emplace(term, def.iri);
      ctx->prefixes_.emplace_back(term, def.iri);
    }
    auto [it, inserted] = ctx->reverse_.try_emplace(def.iri, term);
    if (!inserted && (term.size() < it->second.size() || (term.size() == it->second.size() && term < it->second))) {
      it->second = term;
    }
  }
  std::sort(ctx->prefixes_.begin(), ctx->prefixes_.end(), [](const auto& a, const auto& b) {
    return a.second.size() != b.second.size() ? a.second.size() > b.second.size() : a.first < b.first;
  });
  ctx->vocab_ = user_vocab_.value_or(kDefaultVocab);
  ctx->source_ = std::move(source);
  ctx->core_only_ = core_only_ || !core_;  // building the core itself
  return ctx;
}

const CoreContextData& core_context_data() {
  static const CoreContextData data = [] {
    ContextBuilder builder(nullptr, nullptr);
    builder.process(core_context_document().at("@context"), 0);
    CoreContextData out;
    out.defs = builder.defs();
    out.context = builder.finish(Json(kCoreContextUrl));
    return out;
  }();
  return data;
}

}  // namespace machi::ld
