// What the idle screen tells an installer about this box: where to drop playlists
// and the IP addresses it can be reached at (so they can copy files over SSH/SMB).
//
//  interface_addresses() asks the kernel (getifaddrs) for every address of every
//                        interface, as plain values (no C types leave the .cpp).
//  reachable_addresses() keeps those worth showing: interfaces that are up, not
//                        loopback, no IPv6 link-local (fe80::/10, unusable without a
//                        zone); IPv4 first, then by interface name, no duplicates.
//  idle_details()        the lines for the idle screen, e.g.
//                          Playlists: /var/lib/signage/playlists
//                          IP: 192.168.1.23 (eth0) · 2001:db8::23 (eth0)
//
// Pure functions except interface_addresses(), which may be called from any thread
// (it allocates and frees its own getifaddrs list) and costs about a millisecond,
// so the idle screen can refresh it every minute (addresses arrive after boot).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/i18n.h"

namespace signage {

struct InterfaceAddress {
  enum class Family { ipv4, ipv6 };
  std::string interface;      // "eth0"
  Family family = Family::ipv4;
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  bool up = false;            // IFF_UP
  bool loopback = false;      // IFF_LOOPBACK

  // "192.168.1.23", "2001:db8::23" (RFC 5952 form, as inet_ntop writes it).
  std::string text() const;
  friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

// Every IPv4 and IPv6 address of every interface, as the kernel reports them.
// Error (with errno's text) when getifaddrs fails.
Result<std::vector<InterfaceAddress>> interface_addresses();

// The addresses an installer could reach the box at, in display order.
std::vector<InterfaceAddress> reachable_addresses(std::vector<InterfaceAddress> all);

// "192.168.1.23 (eth0) · 2001:db8::23 (eth0)"; at most `max` addresses, then
// "+N more"; "none (no network connection)" when the list is empty (in `lang`).
std::string format_addresses(const std::vector<InterfaceAddress>& reachable, std::size_t max = 4,
                             Language lang = Language::en);

// The idle screen's extra lines in `lang` (the screen's language), joined by '\n':
//   "Playlists: <drop_folder>\nIP: <format_addresses(...)>" (播放列表：… IP：…).
// With addresses = the result of interface_addresses(); an Error there shows as
// "IP: unknown (<why>)" so the screen still says where to drop files.
std::string idle_details(const std::filesystem::path& drop_folder,
                         const Result<std::vector<InterfaceAddress>>& addresses, Language lang = Language::en);

}  // namespace signage
