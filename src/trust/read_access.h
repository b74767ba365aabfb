// One request's reads of entities, on the one data path: every entity the
// request would release passes the enforcement point's decision (admit),
// leaves in the shape the grant allows (shape), and the request's access
// decision lands in the ledger, durably, before any data is released
// (commit). Non-personal entities pass without a ledger entry; a request
// that touched personal data (released or withheld) gets exactly one entry.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "trust/enforcer.h"
#include "trust/ledger.h"

namespace machi::trust {

// How an access entry names a data subject: the first 16 bytes of
// SHA-256(subject_key || subject), hex, where subject_key is the entry's own
// random 16 bytes (its "subjectKey", hex). A resident recomputes their tag
// from their pseudonym; the tags of others reveal nothing to them, and tags
// of one subject differ from entry to entry.
std::string subject_tag(std::string_view subject_key, std::string_view subject);

class ReadAccess {
 public:
  // Withheld subjects are listed (and indexed) up to this many; beyond it
  // the entry gives only their number, so that one broad query cannot
  // write an unbounded entry.
  static constexpr size_t kMaxListedWithheld = 1000;

  // action: what the request did, e.g. "GET /ngsi-ld/v1/entities?type=Resident".
  ReadAccess(std::shared_ptr<const TenantPrivacy> privacy, std::shared_ptr<Ledger> ledger, AccessScope scope,
             std::string action);

  // False when no entity of these types (expanded; empty = any type) can be
  // personal in this tenant: then the request needs no per-entity decision.
  bool could_touch_personal(const std::vector<std::string>& types) const;

  // What a request selects by, besides entity types: the attributes its q,
  // geo-query and attrs read (expanded), and whether it names entity ids
  // (ids, idPattern, or a retrieval by id).
  struct Selection {
    std::vector<std::string> attributes;
    bool by_id = false;
  };

  // Refuses, with Error(BadRequestData) naming the attribute, a selection
  // that would let the caller learn what its grant withholds by trying
  // values: filtering on an attribute outside the grant's list, or, under a
  // pseudonymizing grant, on the data subject's attribute. Call it before
  // the query runs when could_touch_personal().
  void check_selection(const Selection& selection) const;

  // The decision for one entity the request matched; remembered for the
  // ledger entry. selected_by_id: the request named the entity's id, which
  // under a pseudonymizing grant is refused for personal entities (the raw
  // id would link the pseudonym to the resident).
  bool admit(const Json& stored, bool selected_by_id = false);
  // What leaves for an admitted entity.
  Json shape(Json stored) const { return enforcer_.shape(scope_, std::move(stored)); }
  // Appends the request's entry when it touched personal data; returns
  // once it is durable. Idempotent.
  void commit();

  const AccessScope& scope() const { return scope_; }
  size_t released() const { return released_.size(); }
  size_t withheld() const { return withheld_count_; }

 private:
  Json entry_json() const;

  std::shared_ptr<const TenantPrivacy> privacy_;
  Enforcer enforcer_;
  std::shared_ptr<Ledger> ledger_;
  AccessScope scope_;
  std::string action_;
  std::vector<std::string> released_;            // subjects, in order of release
  std::vector<std::pair<std::string, std::string>> withheld_;  // (subject, reason), up to kMaxListedWithheld
  std::vector<std::string> overridden_;          // released over the subject's objection (statutory, emergency)
  size_t withheld_count_ = 0;
  std::map<std::string, size_t> reasons_;        // denial reason -> count
  std::map<std::string, size_t> bases_;          // allowing reason -> count
  bool committed_ = false;
};

}  // namespace machi::trust
