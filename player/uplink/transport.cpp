#include "uplink/transport.h"

#include "core/time.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace signage {
namespace {

using Clock = std::chrono::steady_clock;
// Deadlines here are timeouts each call sets and checks itself (core/time.h).
MonoTime mono_now() { return SteadyClock::instance().now(); }
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
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - mono_now()).count();
    if (left <= 0) return "timed out";
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 50)));
    if (r < 0 && errno != EINTR) return os_reason(errno);
    if (r > 0) return "";
  }
}

// What one read or write on the connection did: moved bytes (n > 0), needs the
// socket to become readable or writable first (want), reached the end (eof), or
// failed (error).
struct Io {
  std::size_t n = 0;
  short want = 0;
  bool eof = false;
  std::string error;
};

// The byte stream under the protocol: the socket itself, or TLS over it.
class Link {
 public:
  virtual ~Link() = default;
  virtual Status handshake(int /*fd*/, Clock::time_point /*deadline*/, const std::atomic<bool>* /*cancel*/) {
    return {};
  }
  virtual Io write(int fd, std::string_view bytes) = 0;
  virtual Io read(int fd, char* buf, std::size_t size) = 0;
  // Bytes already received and decrypted, readable without waiting for the socket.
  virtual bool pending() const { return false; }
  // A polite end (TLS close_notify), without waiting for the answer.
  virtual void shutdown() {}
};

class PlainLink final : public Link {
 public:
  Io write(int fd, std::string_view bytes) override {
    Io r;
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) r.n = static_cast<std::size_t>(n);
    else if (n < 0 && (errno == EAGAIN || errno == EINTR)) r.want = POLLOUT;
    else r.error = os_reason(errno);
    return r;
  }
  Io read(int fd, char* buf, std::size_t size) override {
    Io r;
    const ssize_t n = ::recv(fd, buf, size, 0);
    if (n > 0) r.n = static_cast<std::size_t>(n);
    else if (n == 0) r.eof = true;
    else if (errno == EAGAIN || errno == EINTR) r.want = POLLIN;
    else r.error = os_reason(errno);
    return r;
  }
};

// ---- TLS (OpenSSL), RAII handles

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// The newest OpenSSL error queue entry as text (and the queue cleared), or `fallback`.
std::string ssl_reason(const std::string& fallback) {
  std::string why;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    why = buf;
  }
  return why.empty() ? fallback : why;
}

// A client context: TLS 1.2+, the peer verified against `files.ca` (or the system
// store), and our certificate and key when given.
Result<std::shared_ptr<SSL_CTX>> make_tls_context(const TlsFiles& files) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Error("TLS: " + ssl_reason("cannot create a context"));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!files.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), files.ca.c_str(), nullptr) != 1) {
      return Error("TLS: cannot load the CA file " + files.ca.string() + ": " + ssl_reason("unreadable"));
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    return Error("TLS: cannot load the system CA store: " + ssl_reason("unknown error"));
  }
  if (files.cert.empty() != files.key.empty()) {
    return Error("TLS: a client certificate needs its key and a key its certificate (tls_cert and tls_key)");
  }
  if (!files.cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert.c_str()) != 1) {
      return Error("TLS: cannot load the certificate " + files.cert.string() + ": " + ssl_reason("unreadable"));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Error("TLS: cannot load the private key " + files.key.string() + ": " + ssl_reason("unreadable"));
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return Error("TLS: " + files.key.string() + " is not the key of " + files.cert.string());
    }
  }
  return std::shared_ptr<SSL_CTX>(ctx.release(), SslCtxFree{});
}

bool is_ip_literal(const std::string& host) {
  in6_addr a6{};
  in_addr a4{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// OpenSSL writes to the socket with write(), which raises SIGPIPE when the receiver
// has gone (plain sends use MSG_NOSIGNAL). For the span of one OpenSSL call SIGPIPE
// is blocked for this thread, and one it raised is taken off again, so the call just
// fails with EPIPE and the process lives.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

class TlsLink final : public Link {
 public:
  TlsLink(std::shared_ptr<SSL_CTX> ctx, std::string host) : ctx_(std::move(ctx)), host_(std::move(host)) {}

  Status handshake(int fd, Clock::time_point deadline, const std::atomic<bool>* cancel) override {
    ERR_clear_error();
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1) return Error("TLS: " + ssl_reason("cannot start a session"));
    // The receiver's certificate must name the host we asked for.
    if (is_ip_literal(host_)) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host_.c_str()) != 1) {
        return Error("TLS: " + ssl_reason("bad IP address"));
      }
    } else {
      SSL_set_hostflags(ssl_.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (SSL_set1_host(ssl_.get(), host_.c_str()) != 1) return Error("TLS: " + ssl_reason("bad host name"));
      // SNI (SSL_set_tlsext_host_name, spelled out: the macro casts C-style).
      SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(host_.c_str()));
    }
    for (;;) {
      int rc = 0;
      {
        const SigpipeGuard guard;
        rc = SSL_connect(ssl_.get());
      }
      if (rc == 1) return {};
      const int err = SSL_get_error(ssl_.get(), rc);
      short want = 0;
      if (err == SSL_ERROR_WANT_READ) want = POLLIN;
      else if (err == SSL_ERROR_WANT_WRITE) want = POLLOUT;
      if (want == 0) {
        const long verify = SSL_get_verify_result(ssl_.get());
        std::string why = ssl_reason(err == SSL_ERROR_SYSCALL ? "the receiver closed the connection" : "failed");
        if (verify != X509_V_OK) {
          why = std::string("the receiver's certificate is not trusted: ") + X509_verify_cert_error_string(verify);
        }
        ssl_.reset();
        return Error("TLS handshake: " + why);
      }
      if (auto why = wait_fd(fd, want, deadline, cancel); !why.empty()) {
        ssl_.reset();
        return Error("TLS handshake: " + why);
      }
    }
  }

  Io write(int /*fd*/, std::string_view bytes) override {
    ERR_clear_error();
    std::size_t n = 0;
    const SigpipeGuard guard;
    const int rc = SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &n);
    return outcome(rc, n);
  }

  Io read(int /*fd*/, char* buf, std::size_t size) override {
    ERR_clear_error();
    std::size_t n = 0;
    const SigpipeGuard guard;  // reading may write (a TLS 1.3 key update, an alert)
    const int rc = SSL_read_ex(ssl_.get(), buf, size, &n);
    return outcome(rc, n);
  }

  bool pending() const override { return ssl_ && SSL_pending(ssl_.get()) > 0; }

  void shutdown() override {
    if (!ssl_) return;
    const SigpipeGuard guard;
    SSL_shutdown(ssl_.get());  // sends close_notify; the answer is not awaited
  }

 private:
  Io outcome(int rc, std::size_t n) {
    Io r;
    if (rc == 1) {
      r.n = n;
      return r;
    }
    switch (SSL_get_error(ssl_.get(), rc)) {
      case SSL_ERROR_WANT_READ: r.want = POLLIN; break;
      case SSL_ERROR_WANT_WRITE: r.want = POLLOUT; break;
      case SSL_ERROR_ZERO_RETURN: r.eof = true; break;
      case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0 && errno == 0) r.eof = true;
        else r.error = ssl_reason(os_reason(errno));
        break;
      default: r.error = "TLS: " + ssl_reason("failed");
    }
    return r;
  }

  std::shared_ptr<SSL_CTX> ctx_;
  std::string host_;
  SslPtr ssl_;
};

// Frames are written in bursts of about this many bytes (one write each).
constexpr std::size_t kBurst = 64 * 1024;

class StreamTransport : public Transport {
 public:
  StreamTransport(UplinkTarget target, TransportOptions options, std::shared_ptr<SSL_CTX> tls)
      : target_(std::move(target)), options_(std::move(options)), tls_(std::move(tls)) {}

  bool connected() const override { return sock_.open(); }

  Status connect() override {
    reset();
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
      why = wait_fd(fd, POLLOUT, mono_now() + options_.timeout, options_.cancel);
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
    if (tls_) {
      link_ = std::make_unique<TlsLink>(tls_, target_.host);
    } else {
      link_ = std::make_unique<PlainLink>();
    }
    if (auto s = link_->handshake(sock_.fd(), mono_now() + options_.timeout, options_.cancel); !s) {
      return fail(s.error().what());
    }
    return handshake();
  }

  void close() override {
    if (sock_.open()) {
      goodbye();
      if (link_ && sock_.open()) link_->shutdown();
    }
    reset();
  }

 protected:
  virtual Status handshake() { return {}; }
  virtual void goodbye() {}

  void reset() {
    link_.reset();  // the TLS session before its socket
    sock_.reset();
    in_.clear();
    want_ = POLLIN;
  }

  Error fail(std::string what) {
    reset();
    return Error(to_string(target_) + ": " + std::move(what));
  }

  Status write_all(std::string_view bytes) {
    const auto deadline = mono_now() + options_.timeout;
    while (!bytes.empty()) {
      const Io r = link_->write(sock_.fd(), bytes);
      if (r.n > 0) {
        bytes.remove_prefix(r.n);
      } else if (r.want != 0) {
        if (auto why = wait_fd(sock_.fd(), r.want, deadline, options_.cancel); !why.empty()) {
          return fail("cannot send: " + why);
        }
      } else {
        return fail("cannot send: " + (r.eof ? std::string("the receiver closed the connection") : r.error));
      }
    }
    return {};
  }

  // Reads more bytes into in_, waiting until `deadline`.
  Status read_some(Clock::time_point deadline) {
    if (!link_->pending()) {
      if (auto why = wait_fd(sock_.fd(), want_, deadline, options_.cancel); !why.empty()) {
        return fail("no answer: " + why);
      }
    }
    char buf[4096];
    const Io r = link_->read(sock_.fd(), buf, sizeof buf);
    // The receiver writes its answers one small frame at a time; with Nagle on its
    // side each waits for our ACK, so do not let the kernel delay it (it resets
    // after every read).
    const int one = 1;
    ::setsockopt(sock_.fd(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    want_ = POLLIN;
    if (r.eof) return fail("the receiver closed the connection");
    if (r.want != 0) {
      want_ = r.want;  // TLS may need to write before it can read again
      return {};
    }
    if (!r.error.empty()) return fail("cannot receive: " + r.error);
    in_.append(buf, r.n);
    return {};
  }

  UplinkTarget target_;
  TransportOptions options_;
  std::shared_ptr<SSL_CTX> tls_;  // null: plain TCP
  Socket sock_;
  std::unique_ptr<Link> link_;    // set while connected
  short want_ = POLLIN;           // what the next read waits for
  std::string in_;                // received, not yet parsed
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
    // Frames go out in bursts of up to kBurst bytes, one write each: a message counts
    // as delivered once its whole burst was written.
    std::size_t i = 0;
    while (i < messages.size()) {
      std::string burst;
      std::size_t n = 0;
      while (i + n < messages.size() && (n == 0 || burst.size() < kBurst)) {
        const auto& m = messages[i + n];
        burst += std::to_string(m.size());
        burst += ' ';
        burst += m;
        ++n;
      }
      if (auto st = write_all(burst); !st) {
        out.error = st.error();
        return out;
      }
      i += n;
      out.acked = i;
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
    auto on_answer = [&](Frame frame) -> Status {
      if (frame.txnr == 0 && frame.command == "serverclose") return fail("the receiver closed the session");
      if (frame.command != "rsp") return fail("unexpected RELP command '" + frame.command + "'");
      const std::uint32_t index = frame.txnr >= first ? frame.txnr - first : frame.txnr + kMaxTxnr - first;
      if (index >= sent || acked[index]) return fail("RELP answer for unknown transaction " + std::to_string(frame.txnr));
      if (frame.data.rfind("200", 0) != 0) return fail("the receiver refused a message: " + frame.data);
      acked[index] = true;
      ++answered;
      return {};
    };
    auto collect = [&]() -> Status {
      auto frame = read_frame();
      if (!frame) return frame.error();
      return on_answer(std::move(*frame));
    };
    auto prefix = [&] {
      std::size_t n = 0;
      while (n < acked.size() && acked[n]) ++n;
      return n;
    };
    // Pipelined: as many frames as the window allows go out in one write, then the
    // answers are read (at least one, and all that have already arrived).
    while (answered < messages.size()) {
      Status st;
      if (sent < messages.size() && sent - answered < window) {
        std::string burst;
        std::size_t n = 0;
        while (sent + n < messages.size() && sent + n - answered < window && (n == 0 || burst.size() < kBurst)) {
          append_frame(burst, next_txnr(), "syslog", messages[sent + n]);
          ++n;
        }
        st = write_all(burst);
        if (st) sent += n;
      }
      if (st && answered < sent) {
        st = collect();
        while (st && answered < sent) {
          auto more = take_frame();
          if (!more) {
            st = more.error();
          } else if (!*more) {
            break;  // nothing more has arrived yet
          } else {
            st = on_answer(std::move(**more));
          }
        }
      }
      if (!st) {
        out.acked = prefix();
        out.error = st.error();
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

  static void append_frame(std::string& out, std::uint32_t txnr, std::string_view command, std::string_view data) {
    out += std::to_string(txnr);
    out += ' ';
    out += command;
    out += ' ';
    out += std::to_string(data.size());
    if (!data.empty()) {
      out += ' ';
      out += data;
    }
    out += '\n';
  }
  static std::string frame_bytes(std::uint32_t txnr, std::string_view command, std::string_view data) {
    std::string f;
    append_frame(f, txnr, command, data);
    return f;
  }

  // The next whole frame among the bytes received so far; nullopt when more are needed.
  Result<std::optional<Frame>> take_frame() {
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
          return std::optional<Frame>(std::move(f));
        }
      }
    }
    if (in_.size() > (2u << 20)) return fail("malformed RELP frame from the receiver");
    return std::optional<Frame>();
  }

  // One whole frame from the socket (waiting at most the timeout).
  Result<Frame> read_frame() {
    const auto deadline = mono_now() + options_.timeout;
    for (;;) {
      auto f = take_frame();
      if (!f) return f.error();
      if (*f) return std::move(**f);
      if (auto st = read_some(deadline); !st) return st.error();
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
    return Error(ErrorKind::invalid, "bad uplink target '" + std::string(text) + "': " + std::string(why) +
                 " (write relp://host:port or tcp://host:port, or relp+tls:// or tcp+tls:// for TLS)");
  };
  UplinkTarget t;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  const auto scheme = text.substr(0, sep);
  if (scheme == "relp" || scheme == "relp+tls") {
    t.protocol = UplinkTarget::Protocol::relp;
  } else if (scheme == "tcp" || scheme == "tcp+tls") {
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
  t.tls = scheme.ends_with("+tls");
  return t;
}

std::string to_string(const UplinkTarget& target) {
  const bool v6 = target.host.find(':') != std::string::npos;
  return std::string(target.protocol == UplinkTarget::Protocol::relp ? "relp" : "tcp") +
         (target.tls ? "+tls://" : "://") + (v6 ? "[" + target.host + "]" : target.host) + ":" +
         std::to_string(target.port);
}

Result<std::unique_ptr<Transport>> make_transport(const UplinkTarget& target, TransportOptions options) {
  std::shared_ptr<SSL_CTX> tls;
  if (target.tls) {
    auto ctx = make_tls_context(options.tls);
    if (!ctx) return Error(to_string(target), ctx.error());
    tls = std::move(*ctx);
  }
  std::unique_ptr<Transport> t;
  if (target.protocol == UplinkTarget::Protocol::tcp) {
    t = std::make_unique<TcpTransport>(target, std::move(options), std::move(tls));
  } else {
    t = std::make_unique<RelpTransport>(target, std::move(options), std::move(tls));
  }
  return t;
}

}  // namespace signage
