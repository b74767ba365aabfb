#include "http/address_policy.h"

#include <gtest/gtest.h>

namespace machi::http {
namespace {

namespace ip = boost::asio::ip;

bool allows(const AddressPolicy& p, const char* address) { return p.allows(ip::make_address(address)); }

TEST(AddressPolicy, RefusesSpecialAddressesByDefault) {
  AddressPolicy p;
  for (const char* a : {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                        "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                        "fd00::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(allows(p, a)) << a;
  }
}

TEST(AddressPolicy, AllowsPublicAddresses) {
  AddressPolicy p;
  for (const char* a : {"8.8.8.8", "172.15.255.255", "172.32.0.1", "133.1.2.3", "2001:db8::1", "2400:4050::1",
                        "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(allows(p, a)) << a;
  }
}

TEST(AddressPolicy, OperatorAllowsNetworksBack) {
  AddressPolicy p({"127.0.0.0/8", "::1", "10.20.0.0/16"});
  EXPECT_TRUE(allows(p, "127.0.0.1"));
  EXPECT_TRUE(allows(p, "::ffff:127.0.0.1"));
  EXPECT_TRUE(allows(p, "::1"));
  EXPECT_TRUE(allows(p, "10.20.3.4"));
  EXPECT_FALSE(allows(p, "10.21.3.4"));
  EXPECT_FALSE(allows(p, "169.254.169.254"));
  AddressPolicy all({"0.0.0.0/0", "::/0"});
  EXPECT_TRUE(allows(all, "169.254.169.254"));
  EXPECT_TRUE(allows(all, "fe80::1"));
}

TEST(AddressPolicy, RejectsMalformedNetworks) {
  for (const char* bad : {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1"}) {
    EXPECT_THROW(AddressPolicy({bad}), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace machi::http
