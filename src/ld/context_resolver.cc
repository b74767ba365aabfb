// ContextResolver: where @context documents come from (stored by clients,
// the embedded core, or fetched from allow-listed sites), and the cache of
// resolved contexts that every request goes through.
#include <algorithm>
#include <chrono>
#include <random>
#include <shared_mutex>

#include "core/error.h"
#include "core/time.h"
#include "ld/context_builder.h"

namespace machi::ld {
namespace {

constexpr size_t kMaxResolved = 1024;                      // resolved contexts kept; cleared when full
constexpr size_t kMaxCachedDocuments = 1024;               // fetched documents kept
constexpr auto kFailureMemory = std::chrono::seconds(10);  // a failed fetch is not retried sooner
constexpr std::string_view kContextsPath = "/ngsi-ld/v1/jsonldContexts/";

using SteadyClock = std::chrono::steady_clock;

[[noreturn]] void unavailable(const std::string& url, const std::string& why) {
  throw Error(ErrorType::kLdContextNotAvailable, "the @context at " + url + " is not available: " + why);
}

std::string random_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count())};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  uint64_t bits = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 16 == 0) bits = rng();
    id[i] = kHex[bits & 15];
    bits >>= 4;
  }
  return id;
}

// Cache key of a @context value: its JSON text (with invalid UTF-8 replaced
// rather than throwing, as header-provided strings may contain anything).
std::string cache_key(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool is_context_document(const Json& document) { return document.is_object() && document.contains("@context"); }

}  // namespace

struct ContextResolver::Impl {
  struct Document {
    std::shared_ptr<const Json> json;
    StoredContextInfo info;
  };

  ContextPersistence* persistence;
  ContextFetcher fetcher;
  std::vector<std::string> allow_list;
  std::string self_base_url;

  mutable std::shared_mutex mutex;                      // guards everything below
  std::unordered_map<std::string, Document> documents;  // by URL: "Hosted" and "Cached"
  std::unordered_map<std::string, std::string> url_of_id;
  std::unordered_map<std::string, ContextPtr> resolved;  // by cache_key()
  uint64_t generation = 0;                               // bumped when a document goes away
  std::unordered_map<std::string, SteadyClock::time_point> failures;

  std::string served_url(const std::string& id) const { return self_base_url + std::string(kContextsPath) + id; }
  bool allowed(const std::string& url) const {
    return std::any_of(allow_list.begin(), allow_list.end(), [&](const std::string& p) { return url.starts_with(p); });
  }

  void load_persisted();
  std::shared_ptr<const Json> load(const std::string& url);
  std::shared_ptr<const Json> fetch(const std::string& url);
  [[noreturn]] void fail(const std::string& url, const std::string& why);
  ContextPtr build(const Json& value);
  void insert(const std::string& url, Document document);
};

void ContextResolver::Impl::load_persisted() {
  if (!persistence) return;
  std::string now = format_datetime(now_ms());
  for (auto& [url, text] : persistence->load_contexts()) {
    size_t slash = url.rfind('/');
    std::string id = slash == std::string::npos ? url : url.substr(slash + 1);
    if (id.empty()) continue;
    Json document;
    try {
      document = parse_json(text);
    } catch (const Error&) {
      continue;  // a damaged record must not stop the broker from starting
    }
    if (!is_context_document(document)) continue;
    // Served under the current base URL, whatever it was when stored.
    std::string current = served_url(id);
    insert(current, Document{std::make_shared<const Json>(std::move(document)), {current, id, "Hosted", now}});
  }
}

void ContextResolver::Impl::insert(const std::string& url, Document document) {
  url_of_id[document.info.id] = url;
  documents[url] = std::move(document);
}

std::shared_ptr<const Json> ContextResolver::Impl::load(const std::string& url) {
  {
    std::shared_lock lock(mutex);
    if (auto it = documents.find(url); it != documents.end()) return it->second.json;
    // A stored context named through another host name of this server
    // (localhost, a container name, ...): ids are random, so the id decides.
    if (size_t at = url.find(kContextsPath); at != std::string::npos) {
      auto id = url_of_id.find(url.substr(at + kContextsPath.size()));
      if (id != url_of_id.end()) return documents.at(id->second).json;
    }
    if (auto it = failures.find(url); it != failures.end() && SteadyClock::now() < it->second) {
      unavailable(url, "it could not be fetched a moment ago");
    }
  }
  if (url.starts_with(self_base_url + std::string(kContextsPath))) unavailable(url, "no such stored context");
  // Anything not allow-listed answers at once: no network I/O for arbitrary URLs.
  if (!fetcher || !allowed(url)) unavailable(url, "it is neither stored nor on an allowed site");
  return fetch(url);
}

void ContextResolver::Impl::fail(const std::string& url, const std::string& why) {
  {
    std::unique_lock lock(mutex);
    if (failures.size() >= kMaxCachedDocuments) failures.clear();
    failures[url] = SteadyClock::now() + kFailureMemory;
  }
  unavailable(url, why);
}

std::shared_ptr<const Json> ContextResolver::Impl::fetch(const std::string& url) {
  std::optional<std::string> text;
  try {
    text = fetcher(url);  // no lock held: other requests go on meanwhile
  } catch (...) {
    text.reset();
  }
  if (!text) fail(url, "fetching it failed");
  Json document;
  try {
    document = parse_json(*text);
  } catch (const Error&) {
    fail(url, "it is not valid JSON");
  }
  if (!is_context_document(document)) fail(url, "it is not a JSON-LD document with an @context");
  auto json = std::make_shared<const Json>(std::move(document));
  std::unique_lock lock(mutex);
  failures.erase(url);
  if (auto it = documents.find(url); it != documents.end()) return it->second.json;  // fetched meanwhile
  size_t cached = 0;
  for (const auto& [u, d] : documents) cached += d.info.kind == "Cached";
  if (cached >= kMaxCachedDocuments) {
    auto victim =
        std::find_if(documents.begin(), documents.end(), [](const auto& e) { return e.second.info.kind == "Cached"; });
    url_of_id.erase(victim->second.info.id);
    documents.erase(victim);
  }
  insert(url, Document{json, {url, random_id(), "Cached", format_datetime(now_ms())}});
  return json;
}

ContextPtr ContextResolver::Impl::build(const Json& value) {
  ContextBuilder builder([this](const std::string& url) { return load(url); }, &core_context_data().defs);
  builder.process(value, 0);
  return builder.finish(value);
}

ContextResolver::ContextResolver(ContextPersistence* persistence, ContextFetcher fetcher,
                                 std::vector<std::string> allow_list, std::string self_base_url)
    : impl_(std::make_shared<Impl>()) {
  impl_->persistence = persistence;
  impl_->fetcher = std::move(fetcher);
  impl_->allow_list = std::move(allow_list);
  while (!self_base_url.empty() && self_base_url.back() == '/') self_base_url.pop_back();
  impl_->self_base_url = std::move(self_base_url);
  core_context_data();  // flatten the core now rather than on the first request
  impl_->load_persisted();
}

ContextPtr ContextResolver::core() const { return core_context_data().context; }

ContextPtr ContextResolver::resolve(const Json& context_value) {
  if (context_value.is_null()) return core();
  if (context_value.is_string() && is_core_context_url(context_value.get_ref<const std::string&>())) return core();
  std::string key = cache_key(context_value);
  uint64_t generation;
  {
    std::shared_lock lock(impl_->mutex);
    if (auto it = impl_->resolved.find(key); it != impl_->resolved.end()) return it->second;
    generation = impl_->generation;
  }
  ContextPtr ctx = impl_->build(context_value);
  std::unique_lock lock(impl_->mutex);
  // Not cached if a document went away meanwhile: ctx may have been built from it.
  if (impl_->generation == generation) {
    if (impl_->resolved.size() >= kMaxResolved) impl_->resolved.clear();
    impl_->resolved.emplace(std::move(key), ctx);
  }
  return ctx;
}

StoredContextInfo ContextResolver::store(const Json& document) {
  if (!is_context_document(document)) {
    throw Error(ErrorType::kBadRequestData, "a context document must be a JSON object with an @context member");
  }
  resolve(document.at("@context"));  // validates it, with anything it references
  std::string id = random_id();
  StoredContextInfo info{impl_->served_url(id), id, "Hosted", format_datetime(now_ms())};
  std::unique_lock lock(impl_->mutex);
  if (impl_->persistence) impl_->persistence->save_context(info.url, document.dump());
  impl_->insert(info.url, Impl::Document{std::make_shared<const Json>(document), info});
  return info;
}

std::vector<StoredContextInfo> ContextResolver::list() const {
  std::vector<StoredContextInfo> out;
  {
    std::shared_lock lock(impl_->mutex);
    out.reserve(impl_->documents.size());
    for (const auto& [url, document] : impl_->documents) out.push_back(document.info);
  }
  std::sort(out.begin(), out.end(), [](const StoredContextInfo& a, const StoredContextInfo& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

std::optional<Json> ContextResolver::get(const std::string& id) const {
  std::shared_lock lock(impl_->mutex);
  auto url = impl_->url_of_id.find(id);
  if (url == impl_->url_of_id.end()) return std::nullopt;
  return *impl_->documents.at(url->second).json;
}

bool ContextResolver::remove(const std::string& id) {
  std::unique_lock lock(impl_->mutex);
  auto url = impl_->url_of_id.find(id);
  if (url == impl_->url_of_id.end()) return false;
  auto document = impl_->documents.find(url->second);
  if (document->second.info.kind == "Hosted" && impl_->persistence) impl_->persistence->remove_context(url->second);
  impl_->documents.erase(document);
  impl_->url_of_id.erase(url);
  // Contexts resolved through the removed document must not outlive it.
  impl_->resolved.clear();
  ++impl_->generation;
  return true;
}

}  // namespace machi::ld
