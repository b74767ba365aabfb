#include "store/tenant_name.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/error.h"

namespace machi::store {
namespace {

TEST(TenantName, PlainNamesStayReadable) {
  EXPECT_EQ(tenant_file_name("city1"), "city1.db");
  EXPECT_EQ(tenant_file_name("Tokyo/chiyoda"), "%54okyo%2Fchiyoda.db");
  EXPECT_EQ(tenant_file_name(".."), "%2E%2E.db");
  EXPECT_EQ(tenant_from_file_name("%54okyo%2Fchiyoda.db"), "Tokyo/chiyoda");
}

TEST(TenantName, RoundTripsRandomBytes) {
  std::mt19937 rng(5);
  std::set<std::string> names, files;
  for (int i = 0; i < 2000; ++i) {
    std::string name(1 + rng() % 60, ' ');
    for (char& c : name) c = static_cast<char>(rng() % 256);
    name[0] = 'x';  // not blank
    std::string file = tenant_file_name(name);
    EXPECT_LE(file.size(), 255u);
    EXPECT_EQ(file.find('/'), std::string::npos);
    if (!is_hashed_file_name(file)) {
      EXPECT_EQ(tenant_from_file_name(file), name);
    }
    names.insert(name);
    files.insert(file);
  }
  EXPECT_EQ(files.size(), names.size());
}

TEST(TenantName, LongNamesAreHashedAndDistinct) {
  std::string a(255, 'A'), b = a;
  b[200] = 'B';
  std::string fa = tenant_file_name(a), fb = tenant_file_name(b);
  EXPECT_TRUE(is_hashed_file_name(fa));
  EXPECT_NE(fa, fb);
  EXPECT_LE(fa.size(), 255u);
  EXPECT_EQ(tenant_from_file_name(fa), std::nullopt);
  // Plain up to the limit, hashed beyond it.
  EXPECT_FALSE(is_hashed_file_name(tenant_file_name(std::string(200, 'a'))));
  EXPECT_TRUE(is_hashed_file_name(tenant_file_name(std::string(201, 'a'))));
}

TEST(TenantName, RejectsBlankAndOverlong) {
  EXPECT_THROW(check_tenant_name(" \t"), Error);
  EXPECT_THROW(check_tenant_name(std::string(256, 'a')), Error);
  EXPECT_NO_THROW(check_tenant_name(std::string(255, 'a')));
  EXPECT_NO_THROW(check_tenant_name(" a "));
}

TEST(TenantName, IgnoresForeignFiles) {
  EXPECT_EQ(tenant_from_file_name("machi.db-wal"), std::nullopt);
  EXPECT_EQ(tenant_from_file_name("%61.db"), std::nullopt);  // 'a' is never escaped
  EXPECT_EQ(tenant_from_file_name("%2e.db"), std::nullopt);  // lower-case hex is not machi's
  EXPECT_EQ(tenant_from_file_name("%2.db"), std::nullopt);
  EXPECT_EQ(tenant_from_file_name("A.db"), std::nullopt);
  EXPECT_EQ(tenant_from_file_name("%20.db"), std::nullopt);  // blank
  EXPECT_EQ(tenant_from_file_name(".db"), std::nullopt);
}

}  // namespace
}  // namespace machi::store
