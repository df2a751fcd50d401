#include "uplink/transport.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace signage {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string os_reason(int err) { return std::strerror(err); }

class Socket {
 public:
  Socket() = default;
  ~Socket() { reset(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Polls `fd` for `events` until `deadline`, in short slices so that `cancel` is seen.
// Returns "" when ready, else why not.
std::string wait_fd(int fd, short events, Clock::time_point deadline, const std::atomic<bool>* cancel) {
  for (;;) {
    if (cancel && cancel->load()) return "cancelled";
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return "timed out";
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 50)));
    if (r < 0 && errno != EINTR) return os_reason(errno);
    if (r > 0) return "";
  }
}

class StreamTransport : public Transport {
 public:
  StreamTransport(UplinkTarget target, TransportOptions options)
      : target_(std::move(target)), options_(options) {}

  bool connected() const override { return sock_.open(); }

  Status connect() override {
    sock_.reset();
    in_.clear();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(target_.port);
    if (const int rc = ::getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return Error(to_string(target_) + ": cannot resolve host: " + ::gai_strerror(rc));
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(res, &::freeaddrinfo);
    std::string why = "no address";
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
      if (fd < 0) {
        why = os_reason(errno);
        continue;
      }
      sock_.reset(fd);
      if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
        why = os_reason(errno);
        sock_.reset();
        continue;
      }
      why = wait_fd(fd, POLLOUT, Clock::now() + options_.timeout, options_.cancel);
      if (why.empty()) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) {
          // Small frames answered one by one: do not let Nagle hold them back.
          const int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          break;
        }
        why = os_reason(err);
      }
      sock_.reset();
    }
    if (!sock_.open()) return Error(to_string(target_) + ": cannot connect: " + why);
    return handshake();
  }

  void close() override {
    if (sock_.open()) goodbye();
    sock_.reset();
    in_.clear();
  }

 protected:
  virtual Status handshake() { return {}; }
  virtual void goodbye() {}

  Error fail(std::string what) {
    sock_.reset();
    in_.clear();
    return Error(to_string(target_) + ": " + std::move(what));
  }

  Status write_all(std::string_view bytes) {
    const auto deadline = Clock::now() + options_.timeout;
    while (!bytes.empty()) {
      const ssize_t n = ::send(sock_.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (auto why = wait_fd(sock_.fd(), POLLOUT, deadline, options_.cancel); !why.empty()) {
          return fail("cannot send: " + why);
        }
      } else {
        return fail("cannot send: " + os_reason(errno));
      }
    }
    return {};
  }

  // Reads more bytes into in_, waiting until `deadline`.
  Status read_some(Clock::time_point deadline) {
    if (auto why = wait_fd(sock_.fd(), POLLIN, deadline, options_.cancel); !why.empty()) {
      return fail("no answer: " + why);
    }
    char buf[4096];
    const ssize_t n = ::recv(sock_.fd(), buf, sizeof buf, 0);
    // The receiver writes its answers one small frame at a time; with Nagle on its
    // side each waits for our ACK, so do not let the kernel delay it (it resets
    // after every read).
    const int one = 1;
    ::setsockopt(sock_.fd(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    if (n == 0) return fail("the receiver closed the connection");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return {};
      return fail("cannot receive: " + os_reason(errno));
    }
    in_.append(buf, static_cast<std::size_t>(n));
    return {};
  }

  UplinkTarget target_;
  TransportOptions options_;
  Socket sock_;
  std::string in_;  // received, not yet parsed
};

// RFC 6587 octet counting; no acknowledgements.
class TcpTransport final : public StreamTransport {
 public:
  using StreamTransport::StreamTransport;

  SendOutcome send(const std::vector<std::string>& messages) override {
    SendOutcome out;
    if (!sock_.open()) {
      out.error = Error(to_string(target_) + ": not connected");
      return out;
    }
    for (const auto& m : messages) {
      std::string frame = std::to_string(m.size()) + ' ' + m;
      if (auto s = write_all(frame); !s) {
        out.error = s.error();
        return out;
      }
      ++out.acked;
    }
    return out;
  }
};

// RELP (https://github.com/rsyslog/librelp/blob/master/doc/relp.html):
//   frame = TXNR SP COMMAND SP DATALEN [SP DATA] LF
class RelpTransport final : public StreamTransport {
 public:
  using StreamTransport::StreamTransport;

  SendOutcome send(const std::vector<std::string>& messages) override {
    SendOutcome out;
    if (!sock_.open()) {
      out.error = Error(to_string(target_) + ": not connected");
      return out;
    }
    const std::uint32_t first = txnr_;
    std::vector<bool> acked(messages.size(), false);
    std::size_t sent = 0, answered = 0;
    const std::size_t window = static_cast<std::size_t>(std::max(1, options_.window));
    auto collect = [&]() -> Status {
      auto frame = read_frame();
      if (!frame) return frame.error();
      if (frame->txnr == 0 && frame->command == "serverclose") return fail("the receiver closed the session");
      if (frame->command != "rsp") return fail("unexpected RELP command '" + frame->command + "'");
      const std::uint32_t index = frame->txnr >= first ? frame->txnr - first : frame->txnr + kMaxTxnr - first;
      if (index >= sent || acked[index]) return fail("RELP answer for unknown transaction " + std::to_string(frame->txnr));
      if (frame->data.rfind("200", 0) != 0) return fail("the receiver refused a message: " + frame->data);
      acked[index] = true;
      ++answered;
      return {};
    };
    auto prefix = [&] {
      std::size_t n = 0;
      while (n < acked.size() && acked[n]) ++n;
      return n;
    };
    while (answered < messages.size()) {
      Status s;
      if (sent < messages.size() && sent - answered < window) {
        s = write_all(frame_bytes(next_txnr(), "syslog", messages[sent]));
        if (s) ++sent;
      } else {
        s = collect();
      }
      if (!s) {
        out.acked = prefix();
        out.error = s.error();
        return out;
      }
    }
    out.acked = prefix();
    return out;
  }

 private:
  static constexpr std::uint32_t kMaxTxnr = 999'999'999;

  struct Frame {
    std::uint32_t txnr = 0;
    std::string command;
    std::string data;
  };

  std::uint32_t next_txnr() {
    const std::uint32_t t = txnr_;
    txnr_ = txnr_ == kMaxTxnr ? 1 : txnr_ + 1;
    return t;
  }

  static std::string frame_bytes(std::uint32_t txnr, std::string_view command, std::string_view data) {
    std::string f = std::to_string(txnr);
    f += ' ';
    f += command;
    f += ' ';
    f += std::to_string(data.size());
    if (!data.empty()) {
      f += ' ';
      f += data;
    }
    f += '\n';
    return f;
  }

  // One whole frame from the socket (waiting at most the timeout).
  Result<Frame> read_frame() {
    const auto deadline = Clock::now() + options_.timeout;
    for (;;) {
      // Header: TXNR SP COMMAND SP DATALEN, then SP DATA or nothing, then LF.
      const auto sp1 = in_.find(' ');
      const auto sp2 = sp1 == std::string::npos ? sp1 : in_.find(' ', sp1 + 1);
      if (sp2 != std::string::npos) {
        std::size_t p = sp2 + 1;
        while (p < in_.size() && in_[p] >= '0' && in_[p] <= '9') ++p;
        if (p < in_.size()) {
          Frame f;
          std::size_t len = 0;
          const auto r1 = std::from_chars(in_.data(), in_.data() + sp1, f.txnr);
          const auto r2 = std::from_chars(in_.data() + sp2 + 1, in_.data() + p, len);
          if (r1.ec != std::errc() || r1.ptr != in_.data() + sp1 || r2.ec != std::errc() || len > (1u << 20)) {
            return fail("malformed RELP frame from the receiver");
          }
          f.command = in_.substr(sp1 + 1, sp2 - sp1 - 1);
          const std::size_t data_at = len == 0 ? p : p + 1;
          if (in_.size() >= data_at + len + 1) {
            if ((len > 0 && in_[p] != ' ') || in_[data_at + len] != '\n') {
              return fail("malformed RELP frame from the receiver");
            }
            f.data = in_.substr(data_at, len);
            in_.erase(0, data_at + len + 1);
            return f;
          }
        }
      }
      if (in_.size() > (2u << 20)) return fail("malformed RELP frame from the receiver");
      if (auto s = read_some(deadline); !s) return s.error();
    }
  }

  Status handshake() override {
    txnr_ = 1;
    const std::uint32_t t = next_txnr();
    if (auto s = write_all(frame_bytes(t, "open", "relp_version=0\nrelp_software=signage\ncommands=syslog")); !s) {
      return s;
    }
    auto f = read_frame();
    if (!f) return f.error();
    if (f->txnr != t || f->command != "rsp" || f->data.rfind("200", 0) != 0) {
      return fail("the receiver refused the RELP session: " + f->data);
    }
    if (f->data.find("syslog") == std::string::npos) return fail("the receiver does not offer the RELP syslog command");
    return {};
  }

  void goodbye() override {
    const std::uint32_t t = next_txnr();
    if (!write_all(frame_bytes(t, "close", ""))) return;
    // Wait briefly for the answer; nothing depends on it.
    auto saved = options_.timeout;
    options_.timeout = milliseconds(500);
    for (int i = 0; i < 4; ++i) {
      auto f = read_frame();
      if (!f || f->txnr == t) break;
    }
    options_.timeout = saved;
  }

  std::uint32_t txnr_ = 1;
};

}  // namespace

Result<UplinkTarget> parse_uplink_target(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error("bad uplink target '" + std::string(text) + "': " + std::string(why) +
                 " (write relp://host:port or tcp://host:port)");
  };
  UplinkTarget t;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  const auto scheme = text.substr(0, sep);
  if (scheme == "relp") {
    t.protocol = UplinkTarget::Protocol::relp;
  } else if (scheme == "tcp") {
    t.protocol = UplinkTarget::Protocol::tcp;
  } else {
    return bad("unknown scheme");
  }
  const auto rest = text.substr(sep + 3);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad("no port");
  auto host = rest.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unclosed '['");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address needs brackets");
  }
  const auto port = rest.substr(colon + 1);
  unsigned value = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || value == 0 || value > 65535) {
    return bad("port must be 1..65535");
  }
  t.host = std::string(host);
  t.port = static_cast<std::uint16_t>(value);
  return t;
}

std::string to_string(const UplinkTarget& target) {
  const bool v6 = target.host.find(':') != std::string::npos;
  return std::string(target.protocol == UplinkTarget::Protocol::relp ? "relp://" : "tcp://") +
         (v6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
}

std::unique_ptr<Transport> make_transport(const UplinkTarget& target, TransportOptions options) {
  if (target.protocol == UplinkTarget::Protocol::tcp) return std::make_unique<TcpTransport>(target, options);
  return std::make_unique<RelpTransport>(target, options);
}

}  // namespace signage
