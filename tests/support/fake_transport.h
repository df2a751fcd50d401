// A Transport for tests of the uplink's own logic (cursor, batching, backoff,
// heartbeat spacing) without a receiver: it acknowledges what it is sent, refuses
// connections or cuts a batch short when the script says so, and keeps every
// acknowledged message. The rsyslogd tests stay as the end-to-end check.
//
// The script is shared (std::shared_ptr) between the test and the transports the
// Uplink makes through fake_transport_factory(); every access takes its mutex.
// Thread: any (the Uplink calls it from its thread, the test reads from its own).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "uplink/transport.h"

namespace signage::test {

struct TransportScript {
  mutable std::mutex mu;
  int refuse_connects = 0;                 // connect() fails this many more times
  std::optional<std::size_t> cut_next;     // the next send acknowledges only this many, then fails
  std::vector<std::string> acknowledged;   // every acknowledged message, in order
  int connects = 0;                        // successful connect() calls
  int sends = 0;                           // send() calls

  std::size_t acknowledged_count() const {
    std::lock_guard lock(mu);
    return acknowledged.size();
  }
};

class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(std::shared_ptr<TransportScript> script) : script_(std::move(script)) {}

  Status connect() override {
    std::lock_guard lock(script_->mu);
    if (script_->refuse_connects > 0) {
      --script_->refuse_connects;
      return Error("cannot connect to the fake receiver: refused by the script");
    }
    ++script_->connects;
    connected_ = true;
    return {};
  }
  bool connected() const override { return connected_; }
  SendOutcome send(const std::vector<std::string>& messages) override {
    std::lock_guard lock(script_->mu);
    ++script_->sends;
    SendOutcome out;
    out.acked = messages.size();
    if (script_->cut_next) {
      out.acked = std::min(*script_->cut_next, messages.size());
      out.error = Error("the fake receiver cut the batch short");
      script_->cut_next.reset();
      connected_ = false;
    }
    script_->acknowledged.insert(script_->acknowledged.end(), messages.begin(),
                                 messages.begin() + static_cast<std::ptrdiff_t>(out.acked));
    return out;
  }
  void close() override { connected_ = false; }

 private:
  std::shared_ptr<TransportScript> script_;
  bool connected_ = false;
};

// For UplinkOptions::make_transport.
inline auto fake_transport_factory(std::shared_ptr<TransportScript> script) {
  return [script](const UplinkTarget&, TransportOptions) -> Result<std::unique_ptr<Transport>> {
    return std::unique_ptr<Transport>(std::make_unique<FakeTransport>(script));
  };
}

}  // namespace signage::test
