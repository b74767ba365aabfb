#include "http/address_policy.h"

#include <array>
#include <stdexcept>

namespace machi::http {

namespace ip = boost::asio::ip;

namespace {

// The bytes of an address, most significant first, in 16 bytes (a v4
// address in the last four; contains() compares families first).
std::array<unsigned char, 16> bytes_of(const ip::address& a) {
  std::array<unsigned char, 16> out{};
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin() + 12);
  } else {
    out = a.to_v6().to_bytes();
  }
  return out;
}

bool prefix_equal(const std::array<unsigned char, 16>& x, const std::array<unsigned char, 16>& y, size_t offset,
                  unsigned bits) {
  for (size_t i = offset; bits > 0; ++i) {
    unsigned take = bits >= 8 ? 8 : bits;
    unsigned char mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as the v4 address.
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

struct Range {
  const char* base;
  unsigned prefix;
};

// IANA special-purpose ranges a public endpoint never needs.
constexpr Range kSpecialV4[] = {{"0.0.0.0", 8},     {"10.0.0.0", 8},     {"100.64.0.0", 10}, {"127.0.0.0", 8},
                                {"169.254.0.0", 16}, {"172.16.0.0", 12}, {"192.0.0.0", 24},  {"192.168.0.0", 16},
                                {"198.18.0.0", 15},  {"224.0.0.0", 4},   {"240.0.0.0", 4}};
constexpr Range kSpecialV6[] = {{"::", 128},   {"::1", 128},    {"fc00::", 7},
                                {"fe80::", 10}, {"ff00::", 8},  {"64:ff9b::", 96}};

}  // namespace

AddressPolicy::AddressPolicy(const std::vector<std::string>& allowed_cidrs) {
  for (const std::string& cidr : allowed_cidrs) {
    size_t slash = cidr.find('/');
    boost::system::error_code ec;
    Network net;
    net.base = ip::make_address(cidr.substr(0, slash), ec);
    if (ec) throw std::invalid_argument("not an address: " + cidr);
    unsigned max = net.base.is_v4() ? 32 : 128;
    net.prefix = max;
    if (slash != std::string::npos) {
      std::string bits = cidr.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(bits) > max) {
        throw std::invalid_argument("bad prefix length in " + cidr);
      }
      net.prefix = static_cast<unsigned>(std::stoul(bits));
    }
    allowed_.push_back(net);
  }
}

bool AddressPolicy::contains(const Network& net, const ip::address& address) {
  if (net.base.is_v4() != address.is_v4()) return false;
  return prefix_equal(bytes_of(net.base), bytes_of(address), net.base.is_v4() ? 12 : 0, net.prefix);
}

bool AddressPolicy::special(const ip::address& address) {
  // Parsed once: a check runs at every outbound connection.
  static const auto parse = [](const auto& ranges) {
    std::vector<Network> out;
    for (const Range& r : ranges) out.push_back(Network{ip::make_address(r.base), r.prefix});
    return out;
  };
  static const std::vector<Network> v4 = parse(kSpecialV4), v6 = parse(kSpecialV6);
  for (const Network& net : address.is_v4() ? v4 : v6) {
    if (contains(net, address)) return true;
  }
  return false;
}

bool AddressPolicy::allows(const ip::address& raw) const {
  ip::address address = unmapped(raw);
  for (const Network& net : allowed_) {
    if (contains(net, address)) return true;
  }
  return !special(address);
}

std::string AddressPolicy::refusal(const ip::address& address) {
  return "the endpoint resolves to " + address.to_string() +
         ", a loopback, private or otherwise special address that machi does not call unless the operator "
         "allows its network (--outbound-allow)";
}

}  // namespace machi::http
