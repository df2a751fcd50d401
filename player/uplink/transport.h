// Getting syslog messages to the central log, and knowing they got there.
//
// - RELP (`relp://host:port`): the Reliable Event Logging Protocol that rsyslog's
//   imrelp speaks. Every message is a `syslog` command with a transaction number; the
//   receiver answers `rsp 200 OK` once it has taken the message. Up to `window`
//   messages are in flight. Implemented here directly on a POSIX socket (the frame
//   format is a few lines) because librelp's client API does not tell its caller which
//   messages were acknowledged, and the uplink's cursor must only move on an ack.
// - TCP (`tcp://host:port`): RFC 6587 octet-counting framing ("LEN SP MSG") for
//   receivers without RELP. There is no acknowledgement: a message counts as
//   delivered once the kernel took all its bytes, so a receiver crash can lose what
//   was in flight. Prefer RELP.
// - TLS is not implemented yet.
//
// Ownership: a Transport owns its socket (closed by close() and the destructor).
// Thread: one thread at a time (the uplink thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace signage {

struct UplinkTarget {
  enum class Protocol { relp, tcp };
  Protocol protocol = Protocol::relp;
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;
};

// "relp://host:port", "tcp://host:port" ("[v6]" hosts allowed).
Result<UplinkTarget> parse_uplink_target(std::string_view text);
std::string to_string(const UplinkTarget& target);

struct SendOutcome {
  // How many messages from the start of the batch are acknowledged (in order).
  std::size_t acked = 0;
  // Why the rest were not; the connection is closed then.
  std::optional<Error> error;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Connects (and for RELP opens the session). Fails with the address and the reason.
  virtual Status connect() = 0;
  virtual bool connected() const = 0;
  // Sends `messages` in order and waits for their acknowledgements.
  virtual SendOutcome send(const std::vector<std::string>& messages) = 0;
  // Ends the session politely when possible (RELP `close`) and closes the socket.
  virtual void close() = 0;
};

struct TransportOptions {
  std::chrono::milliseconds timeout{10'000};  // connect, and waiting for an answer
  int window = 128;                           // RELP messages in flight
  // When set and true, waits give up within ~50 ms ("cancelled"): lets the owner stop
  // a transport blocked on a silent receiver. Must outlive the transport.
  const std::atomic<bool>* cancel = nullptr;
};

std::unique_ptr<Transport> make_transport(const UplinkTarget& target, TransportOptions options = {});

}  // namespace signage
