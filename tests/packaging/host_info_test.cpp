// host_info: which addresses the idle screen shows an installer, and how.
#include "app/host_info.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>

namespace signage {
namespace {

using Family = InterfaceAddress::Family;

InterfaceAddress addr(const std::string& iface, const std::string& ip, bool up = true, bool loopback = false) {
  InterfaceAddress a;
  a.interface = iface;
  a.up = up;
  a.loopback = loopback;
  const bool v6 = ip.find(':') != std::string::npos;
  a.family = v6 ? Family::ipv6 : Family::ipv4;
  EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), a.bytes.data()), 1) << ip;
  return a;
}

std::vector<std::string> texts(const std::vector<InterfaceAddress>& v) {
  std::vector<std::string> out;
  for (const auto& a : v) out.push_back(a.text() + "%" + a.interface);
  return out;
}

TEST(HostInfo, TextIsCanonical) {
  EXPECT_EQ(addr("eth0", "192.168.1.23").text(), "192.168.1.23");
  EXPECT_EQ(addr("eth0", "2001:0db8:0000:0000:0000:0000:0000:0023").text(), "2001:db8::23");
}

TEST(HostInfo, LeavesOutLoopbackDownAndLinkLocalV6) {
  const std::vector<InterfaceAddress> all = {
      addr("lo", "127.0.0.1", true, true),
      addr("lo", "::1", true, true),
      addr("eth0", "fe80::1234:5678", true),   // link-local: needs %eth0 to be usable
      addr("eth0", "febf::1", true),           // still fe80::/10
      addr("wlan0", "10.0.0.9", false),        // interface down
      addr("dummy0", "127.0.0.2", true),       // loopback range on another interface
      addr("eth0", "192.168.1.23", true),
      addr("eth0", "fec0::1", true),           // just outside fe80::/10: kept
  };
  EXPECT_EQ(texts(reachable_addresses(all)),
            (std::vector<std::string>{"192.168.1.23%eth0", "fec0::1%eth0"}));
}

TEST(HostInfo, OrdersIpv4FirstThenByInterfaceAndDropsDuplicates) {
  const std::vector<InterfaceAddress> all = {
      addr("wlan0", "2001:db8::9"),     addr("wlan0", "10.0.0.9"),  addr("eth0", "2001:db8::23"),
      addr("eth0", "192.168.1.23"),     addr("br0", "192.168.1.23"),  // same address, bridge
      addr("enp3s0", "169.254.10.20"),  // IPv4 link-local is kept: it says DHCP failed
  };
  EXPECT_EQ(texts(reachable_addresses(all)),
            (std::vector<std::string>{"192.168.1.23%br0", "169.254.10.20%enp3s0", "10.0.0.9%wlan0",
                                      "2001:db8::23%eth0", "2001:db8::9%wlan0"}));
}

TEST(HostInfo, FormatsAFewAddressesAndCountsTheRest) {
  EXPECT_EQ(format_addresses({}), "none (no network connection)");
  EXPECT_EQ(format_addresses({addr("eth0", "192.168.1.23"), addr("eth0", "2001:db8::23")}),
            "192.168.1.23 (eth0) \u00b7 2001:db8::23 (eth0)");
  const std::vector<InterfaceAddress> many = {addr("a", "10.0.0.1"), addr("b", "10.0.0.2"), addr("c", "10.0.0.3")};
  EXPECT_EQ(format_addresses(many, 2), "10.0.0.1 (a) \u00b7 10.0.0.2 (b) \u00b7 +1 more");
}

TEST(HostInfo, IdleDetailsNameTheDropFolderAndAddresses) {
  const Result<std::vector<InterfaceAddress>> found =
      std::vector<InterfaceAddress>{addr("lo", "127.0.0.1", true, true), addr("eth0", "192.168.1.23")};
  EXPECT_EQ(idle_details("/var/lib/signage/playlists", found),
            "Playlists: /var/lib/signage/playlists\nIP: 192.168.1.23 (eth0)");
  const Result<std::vector<InterfaceAddress>> failed = Error("cannot list network interfaces: boom");
  EXPECT_EQ(idle_details("/srv/drop", failed),
            "Playlists: /srv/drop\nIP: unknown (cannot list network interfaces: boom)");
}

TEST(HostInfo, IdleDetailsInTheScreensLanguage) {
  const Result<std::vector<InterfaceAddress>> found = std::vector<InterfaceAddress>{addr("eth0", "192.168.1.23")};
  EXPECT_EQ(idle_details("/srv/drop", found, Language::zh_CN), "播放列表：/srv/drop\nIP：192.168.1.23 (eth0)");
  const Result<std::vector<InterfaceAddress>> none = std::vector<InterfaceAddress>{};
  EXPECT_EQ(idle_details("/srv/drop", none, Language::zh_CN), "播放列表：/srv/drop\nIP：无（未连接网络）");
  const Result<std::vector<InterfaceAddress>> failed = Error("boom");
  EXPECT_EQ(idle_details("/srv/drop", failed, Language::zh_CN), "播放列表：/srv/drop\nIP：未知（boom）");
  const std::vector<InterfaceAddress> many = {addr("a", "10.0.0.1"), addr("b", "10.0.0.2")};
  EXPECT_EQ(format_addresses(many, 1, Language::zh_CN), "10.0.0.1 (a) \u00b7 另有 1 个");
}

// The real kernel list: whatever this machine has, each entry must read back as an
// address of its family, an up loopback interface (there is one on nearly every
// machine) shows as 127.x or ::1, and filtering leaves loopback out.
TEST(HostInfo, ReadsTheKernelsListAndFiltersLoopback) {
  auto all = interface_addresses();
  ASSERT_TRUE(all) << all.error().what();
  for (const auto& a : *all) {
    std::array<std::uint8_t, 16> back{};
    const int af = a.family == Family::ipv4 ? AF_INET : AF_INET6;
    ASSERT_EQ(inet_pton(af, a.text().c_str(), back.data()), 1) << a.interface << " " << a.text();
    EXPECT_EQ(back, a.bytes) << a.text();
    EXPECT_FALSE(a.interface.empty());
    if (a.loopback && a.family == Family::ipv4) {
      EXPECT_EQ(a.text().rfind("127.", 0), 0u) << a.text();
    }
    if (a.loopback && a.family == Family::ipv6) {
      EXPECT_EQ(a.text(), "::1");
    }
  }
  for (const auto& a : reachable_addresses(*all)) {
    EXPECT_FALSE(a.loopback) << a.text();
    EXPECT_TRUE(a.up) << a.text();
  }
}

}  // namespace
}  // namespace signage
