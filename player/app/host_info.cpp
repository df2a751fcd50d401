#include "app/host_info.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <tuple>

namespace signage {

namespace {

struct IfaddrsDeleter {
  void operator()(ifaddrs* list) const { freeifaddrs(list); }
};
using IfaddrsPtr = std::unique_ptr<ifaddrs, IfaddrsDeleter>;

bool is_loopback_address(const InterfaceAddress& a) {
  if (a.family == InterfaceAddress::Family::ipv4) return a.bytes[0] == 127;  // 127.0.0.0/8
  static constexpr std::array<std::uint8_t, 16> kLoopback6{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return a.bytes == kLoopback6;
}

bool is_ipv6_link_local(const InterfaceAddress& a) {
  return a.family == InterfaceAddress::Family::ipv6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

}  // namespace

std::string InterfaceAddress::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  const int af = family == Family::ipv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), buf, sizeof buf) == nullptr) return "?";
  return buf;
}

Result<std::vector<InterfaceAddress>> interface_addresses() {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    const int e = errno;
    return Error(std::string("cannot list network interfaces: ") + std::strerror(e));
  }
  const IfaddrsPtr list(raw);
  std::vector<InterfaceAddress> out;
  for (const ifaddrs* p = list.get(); p != nullptr; p = p->ifa_next) {
    if (p->ifa_addr == nullptr) continue;
    InterfaceAddress a;
    a.interface = p->ifa_name != nullptr ? p->ifa_name : "";
    a.up = (p->ifa_flags & IFF_UP) != 0;
    a.loopback = (p->ifa_flags & IFF_LOOPBACK) != 0;
    // memcpy out of the sockaddr: the sockaddr_in/in6 casts are what the API is.
    if (p->ifa_addr->sa_family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, p->ifa_addr, sizeof sin);
      a.family = InterfaceAddress::Family::ipv4;
      std::memcpy(a.bytes.data(), &sin.sin_addr, 4);
    } else if (p->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, p->ifa_addr, sizeof sin6);
      a.family = InterfaceAddress::Family::ipv6;
      std::memcpy(a.bytes.data(), &sin6.sin6_addr, 16);
    } else {
      continue;  // AF_PACKET and friends: link-layer entries, no IP address
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<InterfaceAddress> reachable_addresses(std::vector<InterfaceAddress> all) {
  std::erase_if(all, [](const InterfaceAddress& a) {
    return !a.up || a.loopback || is_loopback_address(a) || is_ipv6_link_local(a);
  });
  auto key = [](const InterfaceAddress& a) { return std::tie(a.family, a.interface, a.bytes); };
  std::stable_sort(all.begin(), all.end(), [&](const auto& x, const auto& y) { return key(x) < key(y); });
  // The same address on two interfaces (a bridge and its port) shows once.
  std::vector<InterfaceAddress> out;
  for (auto& a : all) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const InterfaceAddress& b) {
      return b.family == a.family && b.bytes == a.bytes;
    });
    if (!seen) out.push_back(std::move(a));
  }
  return out;
}

std::string format_addresses(const std::vector<InterfaceAddress>& reachable, std::size_t max, Language lang) {
  if (reachable.empty()) return translate(lang, N_("none (no network connection)"));
  std::string s;
  const std::size_t shown = std::min(max, reachable.size());
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) s += " \u00b7 ";
    s += reachable[i].text() + " (" + reachable[i].interface + ")";
  }
  if (reachable.size() > shown) {
    s += " \u00b7 " + fmt(translate(lang, N_("+{1} more")), reachable.size() - shown);
  }
  return s;
}

std::string idle_details(const std::filesystem::path& drop_folder,
                         const Result<std::vector<InterfaceAddress>>& addresses, Language lang) {
  const std::string ip = addresses ? format_addresses(reachable_addresses(*addresses), 4, lang)
                                   : fmt(translate(lang, N_("unknown ({1})")), addresses.error().what());
  return fmt(translate(lang, N_("Playlists: {1}")), drop_folder.string()) + "\n" +
         fmt(translate(lang, N_("IP: {1}")), ip);
}

}  // namespace signage
