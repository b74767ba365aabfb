#include "trust/enforcer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "core/error.h"
#include "trust/encoding.h"
#include "trust/purposes.h"

namespace machi::trust {
namespace {

using GrantPtr = std::shared_ptr<const Grant>;

// The grants a principal holds: a client those its credentials are bound
// to (and that its owning account owns), an account those it owns.
std::vector<GrantPtr> held_grants(const Principal& p, const PrivacyState& s) {
  std::vector<GrantPtr> out;
  // Grants are used by data users only, judged by the roles held now: staff
  // who left their post lose its grants with the next request.
  if (!p.has(Role::kConsumer) && !p.has(Role::kCityStaff)) return out;
  if (p.kind == PrincipalKind::kClient) {
    for (const auto& id : p.grant_ids) {
      auto it = s.grants.find(id);
      if (it != s.grants.end() && it->second->consumer == p.account_id) out.push_back(it->second);
    }
  } else if (p.kind == PrincipalKind::kAccount && !p.account_id.empty()) {
    for (const auto& [id, g] : s.grants) {
      if (g->consumer == p.account_id) out.push_back(g);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
  }
  return out;
}

bool grant_serves(const Grant& g, const std::string& purpose) {
  return std::any_of(g.purposes.begin(), g.purposes.end(), [&](const auto& p) { return covers(p, purpose); });
}

// The grant a request runs under, or the reason there is none.
GrantPtr select_grant(const std::vector<GrantPtr>& held, std::string_view grant_id, const std::string& purpose,
                      TimeMs now, std::string_view& reason) {
  std::vector<GrantPtr> matching;
  for (const auto& g : held) {
    if (!grant_id.empty() && g->id != grant_id) continue;
    if (!purpose.empty() && !grant_serves(*g, purpose)) continue;
    matching.push_back(g);
  }
  if (matching.empty()) {
    if (!grant_id.empty() && std::none_of(held.begin(), held.end(), [&](const auto& g) { return g->id == grant_id; })) {
      reason = "grant_not_held";  // also for unknown ids: existence is not disclosed
    } else {
      reason = held.empty() ? "no_grant" : "purpose_not_in_grant";
    }
    return nullptr;
  }
  std::vector<GrantPtr> usable;
  for (const auto& g : matching) {
    if (grant_status(*g, now) == GrantStatus::kUsable) usable.push_back(g);
  }
  if (usable.empty()) {
    reason = grant_status_reason(grant_status(*matching.front(), now));
    return nullptr;
  }
  if (usable.size() > 1) {
    reason = "ambiguous_grant";  // name the grant or the purpose
    return nullptr;
  }
  return usable.front();
}

bool notice_out(const PrivacyState& s, const std::vector<std::string>& covering, TimeMs now) {
  return std::any_of(covering.begin(), covering.end(), [&](const auto& p) {
    auto it = s.first_notice.find(p);
    return it != s.first_notice.end() && it->second <= now;
  });
}

// The city's setting for the purpose: its own if set, else opt-out only
// when every broader purpose with a setting is opt-out (an opt-in above
// wins, being the protective choice).
bool city_opt_out(const PrivacyState& s, const std::vector<std::string>& covering) {
  if (auto own = s.purpose_settings.find(covering.front()); own != s.purpose_settings.end()) {
    return own->second.mode == PurposeMode::kOptOut;
  }
  bool any_opt_out = false;
  for (size_t i = 1; i < covering.size(); ++i) {
    auto it = s.purpose_settings.find(covering[i]);
    if (it == s.purpose_settings.end()) continue;
    if (it->second.mode == PurposeMode::kOptIn) return false;
    any_opt_out = true;
  }
  return any_opt_out;
}

// The entity's personal types: the first registered one names the subject
// attribute; special care if any of them is special-care data.
struct EntityKind {
  const PersonalType* first = nullptr;
  bool special_care = false;
  bool type_in_grant = false;
};

template <class Visit>
void for_each_type(const Json& entity, Visit&& visit) {
  auto types = entity.find("type");
  if (types == entity.end()) return;
  if (types->is_string()) {
    visit(types->get_ref<const std::string&>());
  } else if (types->is_array()) {
    for (const auto& t : *types) {
      if (t.is_string()) visit(t.get_ref<const std::string&>());
    }
  }
}

EntityKind classify(const PrivacyState& s, const Json& entity, const AccessScope* scope) {
  EntityKind kind;
  for_each_type(entity, [&](const std::string& type) {
    auto it = s.personal_types.find(type);
    if (it == s.personal_types.end() || !it->second.personal) return;
    if (!kind.first) kind.first = &it->second;
    kind.special_care |= it->second.special_care;
    if (scope && scope->entity_types.count(type)) kind.type_in_grant = true;
  });
  return kind;
}

Decision verdict(Decision d, bool allowed, std::string_view reason) {
  d.allowed = allowed;
  d.reason = reason;
  return d;
}

void replace_last_segment(std::string& id, const std::string& replacement) {
  auto colon = id.rfind(':');
  id = (colon == std::string::npos ? "" : id.substr(0, colon + 1)) + replacement;
}

void pseudonymize_subject(Json& instances, const Grant& grant) {
  auto apply = [&](Json& instance) {
    if (!instance.is_object()) return;
    if (auto v = instance.find("value"); v != instance.end() && v->is_string()) {
      *v = pseudonym(grant, v->get_ref<const std::string&>());
    }
    if (auto o = instance.find("object"); o != instance.end() && o->is_string()) {
      std::string object = o->get<std::string>();
      replace_last_segment(object, pseudonym(grant, last_segment(object)));
      *o = object;
    }
  };
  if (instances.is_array()) {
    for (auto& instance : instances) apply(instance);
  } else {
    apply(instances);
  }
}

}  // namespace

std::string pseudonym(const Grant& grant, std::string_view value) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), grant.pseudonym_key.data(), static_cast<int>(grant.pseudonym_key.size()),
            reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &size)) {
    throw Error(ErrorType::kInternalError, "HMAC-SHA256 failed");
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac), 16));
}

AccessScope Enforcer::begin(const Principal& principal, std::string_view requested_grant_id,
                            std::string_view requested_purpose, TimeMs now) const {
  AccessScope scope;
  scope.principal = principal;
  scope.now = now;
  scope.city_staff = principal.has(Role::kCityStaff);
  scope.requested_grant = std::string(requested_grant_id);
  std::string purpose;
  if (!requested_purpose.empty()) {
    const Purpose* p = purposes().find(requested_purpose);
    if (!p) {
      scope.deny_reason = "unknown_purpose";
      return scope;
    }
    purpose = p->iri;
  }
  registry_->read([&](const PrivacyState& s) {
    GrantPtr grant = select_grant(held_grants(principal, s), requested_grant_id, purpose, now, scope.deny_reason);
    if (!grant) return;
    if (purpose.empty()) {
      if (grant->purposes.size() != 1) {
        scope.deny_reason = "purpose_required";  // the grant has several: the request must name one
        return;
      }
      purpose = grant->purposes.front();
    }
    scope.grant = grant;
    scope.purpose = purpose;
    scope.covering = purposes().covering(purpose);
    scope.entity_types.insert(grant->entity_types.begin(), grant->entity_types.end());
    scope.attributes.insert(grant->attributes.begin(), grant->attributes.end());
    scope.notice_published = notice_out(s, scope.covering, now);
    scope.opt_out_default = scope.notice_published && city_opt_out(s, scope.covering);
  });
  return scope;
}

Decision Enforcer::decide(const AccessScope& scope, const Json& entity) const {
  return registry_->read([&](const PrivacyState& s) {
    Decision d;
    EntityKind kind = classify(s, entity, &scope);
    if (!kind.first) return verdict(d, true, "not_personal");
    d.personal = true;
    d.subject = read_subject(entity, kind.first->subject_attribute);
    if (d.subject.empty()) return verdict(d, false, "unknown_subject");
    if (scope.principal.acts_for(d.subject)) return verdict(d, true, "data_subject_access");
    if (!scope.grant) return verdict(d, false, scope.deny_reason.empty() ? "no_grant" : scope.deny_reason);
    if (!kind.type_in_grant) return verdict(d, false, "type_not_in_grant");

    const Grant& g = *scope.grant;
    BasisFacts facts;
    facts.basis = g.legal_basis;
    if (auto it = s.consents.find(d.subject); it != s.consents.end()) {
      facts.answer = it->second.answer(scope.covering, g.recipient, scope.now);
    }
    facts.special_care = kind.special_care;
    facts.opt_out_default = scope.opt_out_default;
    facts.notice_published = scope.notice_published;
    facts.city_staff = scope.city_staff;
    facts.emergency_window_ok = emergency_window_ok(g.valid_from, g.valid_until, g.reason);
    BasisVerdict v = apply_basis(facts);
    d.objection_overridden = v.objection_overridden;
    return verdict(d, v.allowed, v.reason);
  });
}

Json Enforcer::shape(const AccessScope& scope, Json entity) const {
  std::string subject_attribute;
  registry_->read([&](const PrivacyState& s) {
    EntityKind kind = classify(s, entity, nullptr);
    if (kind.first) subject_attribute = kind.first->subject_attribute;
  });
  if (subject_attribute.empty()) return entity;  // not personal
  std::string subject = read_subject(entity, subject_attribute);
  if (!subject.empty() && scope.principal.acts_for(subject)) return entity;
  auto attrs = entity.find("attrs");
  if (!scope.grant) {
    if (attrs != entity.end()) *attrs = Json::object();
    return entity;
  }
  if (attrs != entity.end() && attrs->is_object()) {
    if (!scope.attributes.empty()) {
      Json kept = Json::object();
      for (auto& [name, instances] : attrs->items()) {
        if (name == subject_attribute || scope.attributes.count(name)) kept[name] = std::move(instances);
      }
      *attrs = std::move(kept);
    }
    if (scope.grant->pseudonymize) {
      if (auto it = attrs->find(subject_attribute); it != attrs->end()) pseudonymize_subject(*it, *scope.grant);
    }
  }
  if (scope.grant->pseudonymize) {
    if (auto id = entity.find("id"); id != entity.end() && id->is_string()) {
      std::string text = id->get<std::string>();
      replace_last_segment(text, pseudonym(*scope.grant, last_segment(text)));
      *id = text;
    }
  }
  return entity;
}

}  // namespace machi::trust
