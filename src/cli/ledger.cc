#include "cli/ledger.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "store/ledger_store.h"
#include "trust/encoding.h"
#include "trust/ledger.h"
#include "trust/verify.h"

namespace machi::cli {
namespace {

namespace fs = std::filesystem;

std::string tenant_label(const std::string& tenant) {
  return tenant.empty() ? "default tenant" : "tenant \"" + tenant + "\"";
}

// Verifies one tenant's ledger and prints its summary; true when it holds.
bool verify_tenant(const fs::path& data_dir, const std::string& tenant) {
  fs::path file = store::ledger_file(data_dir, tenant);
  trust::VerifyReport report;
  try {
    auto ledger_store = store::open_sqlite_ledger(file.string(), store::Durability::kFull, tenant);
    report = trust::verify_ledger(*ledger_store);
  } catch (const std::exception& e) {
    std::printf("%s (%s): FAILED: cannot read the ledger: %s\n", tenant_label(tenant).c_str(), file.c_str(), e.what());
    return false;
  }
  std::printf("%s: %llu entries (%llu erased), %llu interior nodes, root %s: %s\n", tenant_label(tenant).c_str(),
              static_cast<unsigned long long>(report.size), static_cast<unsigned long long>(report.erased),
              static_cast<unsigned long long>(report.nodes), trust::to_hex(report.root).c_str(),
              report.ok() ? "OK" : "FAILED");
  for (const std::string& problem : report.problems) std::printf("  %s\n", problem.c_str());
  if (report.problem_count > report.problems.size()) {
    std::printf("  ... and %llu more problems\n",
                static_cast<unsigned long long>(report.problem_count - report.problems.size()));
  }
  return report.ok();
}

int verify(const std::vector<std::string>& args) {
  std::string data_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data" && i + 1 < args.size()) {
      data_dir = args[++i];
    } else {
      throw std::invalid_argument("ledger verify: unexpected argument " + args[i]);
    }
  }
  if (data_dir.empty()) throw std::invalid_argument("ledger verify needs --data DIR");
  if (!fs::is_directory(data_dir)) throw std::invalid_argument("ledger verify: no directory " + data_dir);
  std::vector<std::string> tenants = store::ledger_tenants(data_dir);
  if (tenants.empty()) {
    std::printf("no ledgers under %s\n", (fs::path(data_dir) / "ledger").c_str());
    return 0;
  }
  fs::path key = trust::Ledgers::key_file(data_dir);
  if (fs::exists(key)) {
    std::printf("signing key %s: public key %s\n", key.c_str(),
                trust::to_base64(trust::SigningKey::load_or_create(key).public_key()).c_str());
  }
  size_t failed = 0;
  for (const std::string& tenant : tenants) failed += verify_tenant(data_dir, tenant) ? 0 : 1;
  std::printf("%zu ledger(s) checked, %zu failed\n", tenants.size(), failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int ledger(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "verify") return verify({args.begin() + 1, args.end()});
  throw std::invalid_argument("usage: machi ledger verify --data DIR");
}

}  // namespace machi::cli
