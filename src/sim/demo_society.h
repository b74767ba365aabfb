// The people of デモ市 as the trust services see them, for `machi demo`:
// an account for each role (the user name is the role's name, the
// password "<role>-demo"; demo only), the Resident type registered as
// personal data, how the city asks for consent per purpose, consent records
// for a realistic mix of adult residents, grants under each legal basis, a
// consumer's service application using one grant, and a few reads through
// the policy enforcement point, so that the demo resident's access log
// (私のデータの利用履歴) is not empty from the start.
//
// Everything goes through the same trust services the API uses, and every
// consent event and grant change lands in the ledger. Deterministic for a
// seed, except for the secrets (salts, keys) the trust services draw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "trust/trust.h"

namespace machi::sim {

// The demo recipient of the consumer grant (a fictional company).
inline constexpr const char* kDemoMobilityCompany = "まちなかモビリティ株式会社";

struct DemoSocietyOptions {
  uint64_t seed = 1;
  TimeMs now = 0;                                    // 0: the current time
  std::function<void(const std::string&)> progress;  // one line per step; may be empty
};

struct DemoAccount {
  std::string username;  // the role's name
  std::string password;  // "<role>-demo"
  std::string display_name;
};

struct DemoSociety {
  bool created = false;                 // false: the tenant was seeded before; nothing changed
  std::vector<DemoAccount> accounts;    // one per role
  std::string resident_subject;         // the data subject of the "resident" account
  std::string client_id;                // the consumer's service application
  std::string client_secret;            // shown once (created only)
  std::vector<std::string> grant_ids;
  size_t consent_records = 0;
  size_t ledger_entries = 0;            // the tenant ledger's size afterwards
};

// The demo accounts, whether seeded or not (for printing at start).
std::vector<DemoAccount> demo_accounts();

// Seeds the default tenant once; a second call finds the "resident"
// account and returns {created = false}. Needs the demo city's Resident
// entities in the store.
DemoSociety seed_demo_society(trust::Trust& trust, const DemoSocietyOptions& options);

}  // namespace machi::sim
