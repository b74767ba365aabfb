// Which network addresses machi's outbound calls on behalf of API users may
// reach: notification endpoints (HTTP and MQTT) and NGSIv2 context
// providers. A subscriber chooses those URLs, so without a policy anyone
// allowed to subscribe could make machi call hosts inside the city's
// network (server-side request forgery): an admin console on loopback, a
// cloud metadata service on 169.254.169.254, a database on 10.x.
//
// By default loopback, private (RFC 1918, unique local), link-local,
// carrier-grade NAT, multicast, reserved and unspecified addresses are
// refused; the operator allows networks back by CIDR (--outbound-allow).
// The check runs on the addresses a host name resolves to, at the moment of
// the call, so a name that later resolves elsewhere is checked again.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

namespace machi::http {

class AddressPolicy {
 public:
  // The default: public addresses only.
  AddressPolicy() = default;
  // Networks allowed even when special, e.g. {"127.0.0.0/8", "::1/128"};
  // "0.0.0.0/0" and "::/0" allow everything. Throws std::invalid_argument
  // on a malformed CIDR.
  explicit AddressPolicy(const std::vector<std::string>& allowed_cidrs);

  bool allows(const boost::asio::ip::address& address) const;
  // Why an address is refused, for delivery statuses and logs.
  static std::string refusal(const boost::asio::ip::address& address);

 private:
  struct Network {
    boost::asio::ip::address base;
    unsigned prefix = 0;
  };
  static bool contains(const Network& net, const boost::asio::ip::address& address);
  static bool special(const boost::asio::ip::address& address);

  std::vector<Network> allowed_;
};

}  // namespace machi::http
