// Getting syslog messages to the central log, and knowing they got there.
//
// - RELP (`relp://host:port`): the Reliable Event Logging Protocol that rsyslog's
//   imrelp speaks. Every message is a `syslog` command with a transaction number; the
//   receiver answers `rsp 200 OK` once it has taken the message. Up to `window`
//   messages are in flight, written in bursts (one write per up to 64 KiB of frames).
//   Implemented here directly on a POSIX socket (the frame
//   format is a few lines) because librelp's client API does not tell its caller which
//   messages were acknowledged, and the uplink's cursor must only move on an ack.
// - TCP (`tcp://host:port`): RFC 6587 octet-counting framing ("LEN SP MSG") for
//   receivers without RELP. There is no acknowledgement: a message counts as
//   delivered once the kernel took all its bytes, so a receiver crash can lose what
//   was in flight. Prefer RELP.
// - TLS (`relp+tls://host:port`, `tcp+tls://host:port`): the same protocols inside a
//   TLS session (1.2 or newer) started right after the TCP connection, as imrelp
//   (tls="on") and imtcp with the ossl or gtls stream driver expect. The receiver's
//   certificate must chain to TlsFiles::ca (or, when that is empty, to the system's
//   CA store) and name the target's host (DNS name or IP address). A client
//   certificate and key are sent when given (receivers that check their peers).
//   OpenSSL does the work inside transport.cpp; no OpenSSL type leaves it. (SIGPIPE
//   from OpenSSL's writes to a closed connection is blocked and discarded around each
//   call, so it never kills the process.)
//
// Ownership: a Transport owns its socket and TLS session (closed by close() and the
// destructor).
// Thread: one thread at a time (the uplink thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
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
  bool tls = false;
};

// "relp://host:port", "tcp://host:port", "relp+tls://host:port",
// "tcp+tls://host:port" ("[v6]" hosts allowed).
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

// PEM files for TLS. Empty paths: the system CA store; no client certificate.
struct TlsFiles {
  std::filesystem::path ca;    // CA certificate(s) the receiver's certificate must chain to
  std::filesystem::path cert;  // this screen's certificate (chain), sent when the receiver asks
  std::filesystem::path key;   // its private key (unencrypted)
};

struct TransportOptions {
  std::chrono::milliseconds timeout{10'000};  // connect, and waiting for an answer
  int window = 128;                           // RELP messages in flight
  // When set and true, waits give up within ~50 ms ("cancelled"): lets the owner stop
  // a transport blocked on a silent receiver. Must outlive the transport.
  const std::atomic<bool>* cancel = nullptr;
  TlsFiles tls;                               // used when the target says tls
};

// Fails when a TLS target's files cannot be loaded (the message names the file), so
// a wrong path shows at start rather than as endless reconnects.
Result<std::unique_ptr<Transport>> make_transport(const UplinkTarget& target, TransportOptions options = {});

}  // namespace signage
