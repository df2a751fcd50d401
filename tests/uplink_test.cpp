// Uplink: message formatting, targets, backoff, cursor; and against a real rsyslogd
// (imrelp, imtcp, mmpstrucdata) on loopback: fields parsed, outage, restart.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "journal/journal.h"
#include "core/env.h"
#include "rsyslog_fixture.h"
#include "support/fake_transport.h"
#include "uplink/message.h"
#include "uplink/transport.h"
#include "uplink/uplink.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::free_port;
using test::rsyslogd_path;
using test::wait_until;

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("uplink_test") {}
};

// The test template: one tab-separated line per message with the fields rsyslog's
// RFC 5424 parser and mmpstrucdata found.
std::string tab_template(const fs::path& out) {
  return "template(name=\"t\" type=\"string\" string=\"%hostname%\\t%app-name%\\t%msgid%\\t"
         "%$!rfc5424-sd!signage@32473!seq%\\t%$!rfc5424-sd!signage@32473!screen%\\t"
         "%$!rfc5424-sd!signage@32473!type%\\t%$!rfc5424-sd!signage@32473!campaign_title%\\t"
         "%$!rfc5424-sd!signage@32473!acked_seq%\\t%msg%\\n\")\n"
         "ruleset(name=\"in\") {\n  action(type=\"mmpstrucdata\")\n"
         "  action(type=\"omfile\" file=\"" + out.string() + "\" template=\"t\")\n}\n";
}

// One rsyslogd with imrelp (and imtcp) on loopback ports, parsing RFC 5424 structured
// data with mmpstrucdata and writing one tab-separated line per message. With a PKI,
// both inputs speak TLS only (imrelp through librelp's OpenSSL, imtcp through the ossl
// stream driver) and want a client certificate named lobby-1.screens.test.
class Rsyslog {
 public:
  explicit Rsyslog(fs::path dir, const test::TestPki* pki = nullptr)
      : dir_(std::move(dir)), relp_port_(free_port()), tcp_port_(free_port()),
        proc_(dir_, conf(pki), {relp_port_, tcp_port_}) {}

  bool start() { return proc_.start(); }
  void stop() { proc_.stop(); }
  std::string log() const { return proc_.log(); }

  fs::path out() const { return dir_ / "out.log"; }
  std::uint16_t relp_port() const { return relp_port_; }
  std::uint16_t tcp_port() const { return tcp_port_; }

  struct Line {
    std::vector<std::string> f;  // hostname app msgid seq screen type title acked msg
  };
  std::vector<Line> lines() const {
    std::vector<Line> out;
    std::ifstream in(this->out());
    std::string s;
    while (std::getline(in, s)) {
      Line l;
      std::stringstream ss(s);
      std::string part;
      while (std::getline(ss, part, '\t')) l.f.push_back(part);
      out.push_back(std::move(l));
    }
    return out;
  }
  // seq -> how many times a record (not heartbeat) message with it arrived.
  std::map<std::uint64_t, int> seq_counts() const {
    std::map<std::uint64_t, int> m;
    for (const auto& l : lines()) {
      if (l.f.size() >= 6 && l.f[5] != "heartbeat" && !l.f[3].empty()) ++m[std::stoull(l.f[3])];
    }
    return m;
  }

 private:
  std::string conf(const test::TestPki* pki) const {
    std::ostringstream c;
    c << "global(workDirectory=\"" << (dir_ / "work").string() << "\"";
    if (pki != nullptr) {
      c << " defaultNetstreamDriverCAFile=\"" << pki->ca.string() << "\" defaultNetstreamDriverCertFile=\""
        << pki->server_cert.string() << "\" defaultNetstreamDriverKeyFile=\"" << pki->server_key.string() << "\"";
    }
    c << ")\n";
    if (pki == nullptr) {
      c << "module(load=\"imrelp\")\nmodule(load=\"imtcp\")\n";
    } else {
      c << "module(load=\"imrelp\" tls.tlsLib=\"openssl\")\n"
        << "module(load=\"imtcp\" streamDriver.name=\"ossl\" streamDriver.mode=\"1\" "
           "streamDriver.authMode=\"x509/name\" permittedPeer=[\"lobby-1.screens.test\"])\n";
    }
    c << "module(load=\"mmpstrucdata\")\n" << tab_template(out());
    c << "input(type=\"imrelp\" port=\"" << relp_port_ << "\" ruleset=\"in\"";
    if (pki != nullptr) {
      c << " tls=\"on\" tls.cacert=\"" << pki->ca.string() << "\" tls.mycert=\"" << pki->server_cert.string()
        << "\" tls.myprivkey=\"" << pki->server_key.string()
        << "\" tls.authMode=\"name\" tls.permittedPeer=[\"lobby-1.screens.test\"]";
    }
    c << ")\ninput(type=\"imtcp\" port=\"" << tcp_port_ << "\" ruleset=\"in\")\n";
    return c.str();
  }

  fs::path dir_;
  std::uint16_t relp_port_;
  std::uint16_t tcp_port_;
  test::Rsyslogd proc_;
};

// A journal folder written with the real Journal (without fdatasync, for speed).
class TestJournal {
 public:
  explicit TestJournal(fs::path dir)
      : zone_(fixed_offset_zone(8h)), journal_(open(dir)) {}

  void add(int n, const std::string& title = "Safety \"first\" [a\\b] 安全") {
    for (int i = 0; i < n; ++i) {
      PlayRecord p;
      p.screen = "lobby-1";
      p.site = "plant 2";
      p.campaign = "c" + std::to_string(i % 3);
      p.campaign_title = title;
      p.item = "slogan";
      p.item_type = "slogan";
      p.text = "戴好安全帽";
      const LocalTime start = zone_->to_local(now_);
      now_ += 12s;
      p.start = format_iso8601(start);
      p.end = format_iso8601(zone_->to_local(now_));
      p.planned_s = p.shown_s = 12;
      ASSERT_TRUE(journal_.append(play_record(p), now_).ok());
    }
  }
  std::uint64_t last_seq() const { return journal_.next_seq() - 1; }

 private:
  Journal open(const fs::path& dir) {
    auto j = Journal::open(dir, *zone_, io_, now_);
    EXPECT_TRUE(j.ok());
    return std::move(j).value();
  }
  PosixEnv io_{false};
  std::unique_ptr<TimeZone> zone_;
  Instant now_ = Instant(std::chrono::sys_days(std::chrono::year(2024) / 6 / 16).time_since_epoch()) +
                 15h + 50min;  // 23:50 local: the 51st record starts a new day file
  Journal journal_;
};

UplinkOptions fast_options() {
  UplinkOptions o;
  o.backoff_initial = 20ms;
  o.backoff_max = 200ms;
  o.rescan = 100ms;
  o.transport.timeout = 2s;
  o.random01 = [] { return 1.0; };
  return o;
}

UplinkTarget relp_target(std::uint16_t port) { return {UplinkTarget::Protocol::relp, "127.0.0.1", port}; }

// ---------------------------------------------------------------- messages

TEST(UplinkMessage, EscapesSdValues) {
  EXPECT_EQ(sd_escape(R"(a"b\c]d[e)"), R"(a\"b\\c\]d[e)");
  EXPECT_EQ(sd_escape(""), "");
  EXPECT_EQ(header_field("a b\xe5", 10), "a_b_");
  EXPECT_EQ(header_field("", 10), "-");
  EXPECT_EQ(header_field("abcdef", 3), "abc");
}

TEST(UplinkMessage, SdValuesCarryNoControlCharacters) {
  using namespace std::string_literals;
  EXPECT_EQ(sd_escape("a\0b\x01" "c\x1b[0m\x7f"s), "abc[0m");
  EXPECT_EQ(sd_escape("line1\nline2\r\tend"), "line1 line2  end");
  // A slogan with a NUL, as the journal writes it (JSON escapes it as \u0000).
  const std::string line =
      R"({"seq":5,"type":"play","content":"安全\u0000生产\u0007\n月","prev":"p"})";
  auto m = record_message(line, "lobby-1");
  ASSERT_TRUE(m.ok()) << m.error().what();
  const auto sd_end = m->find("] {");
  ASSERT_NE(sd_end, std::string::npos);
  for (std::size_t i = 0; i < m->size(); ++i) {
    const auto u = static_cast<unsigned char>((*m)[i]);
    EXPECT_FALSE(u < 0x20 || u == 0x7f) << "control byte " << int(u) << " at " << i << " of " << *m;
  }
  EXPECT_NE(m->find("content=\"安全生产 月\""), std::string::npos) << *m;
  EXPECT_EQ(m->substr(sd_end + 2), line) << "MSG keeps the exact text";
}

TEST(UplinkMessage, RecordMessageCarriesEveryField) {
  const std::string line =
      R"({"seq":812,"type":"play","campaign":"c1","campaign_title":"say \"hi\" ]","end":"2024-06-16T10:02:03.120+08:00","shown_s":12.5,"prev":"ab"})";
  auto m = record_message(line, "lobby 1");
  ASSERT_TRUE(m.ok()) << m.error().what();
  EXPECT_EQ(*m,
            "<134>1 2024-06-16T10:02:03.120+08:00 lobby_1 signage - play [signage@32473 seq=\"812\" "
            "type=\"play\" screen=\"lobby 1\" campaign=\"c1\" campaign_title=\"say \\\"hi\\\" \\]\" "
            "end=\"2024-06-16T10:02:03.120+08:00\" shown_s=\"12.5\" prev=\"ab\"] " + line);
}

TEST(UplinkMessage, EventUsesTimeAndKeepsOwnScreen) {
  const std::string line =
      R"({"seq":3,"type":"playlist_rejected","errors":["a.toml:1:2: error: x"],"screen":"s9","time":"2024-06-16T10:00:00.000+08:00","prev":"p"})";
  auto m = record_message(line, "lobby-1");
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->find(" 2024-06-16T10:00:00.000+08:00 lobby-1 signage - playlist_rejected [signage@32473 seq=\"3\""),
            std::string::npos)
      << *m;
  EXPECT_EQ(m->find("screen=\"lobby-1\""), std::string::npos) << "the record's own screen is kept";
  EXPECT_NE(m->find("screen=\"s9\""), std::string::npos);
  EXPECT_NE(m->find(R"(errors="[\"a.toml:1:2: error: x\"\]")"), std::string::npos) << *m;
}

TEST(UplinkMessage, RejectsLinesWithoutSeqOrType) {
  EXPECT_FALSE(record_message("not json", "s").ok());
  EXPECT_FALSE(record_message(R"({"type":"play"})", "s").ok());
  EXPECT_FALSE(record_message(R"({"seq":-1,"type":"play"})", "s").ok());
  EXPECT_FALSE(record_message(R"({"seq":1})", "s").ok());
}

TEST(UplinkMessage, HeartbeatHasEveryField) {
  Heartbeat hb;
  hb.time = "2024-06-16T10:00:00.000+08:00";
  hb.screen = "lobby-1";
  hb.site = "plant \"2\"";
  hb.version = "0.1.0";
  hb.uptime_s = 61.5;
  hb.showing = "c1/slogan";
  hb.campaigns = {{"c1", "aa"}, {"c2", "bb"}};
  hb.last_rejected_playlist = "bad.toml";
  hb.last_rejected_reason = "bad.toml:3:1: error: unknown key";
  hb.decoder = "h264 (vaapi)";
  hb.hw_decode = true;
  hb.frames_dropped = 4;
  hb.journal_seq = 99;
  hb.journal_hash = "ff";
  hb.journal_error = "journal: record seq 100 (play) was not written";
  hb.acked_seq = 98;
  hb.free_disk_bytes = 12345;
  hb.clock_synced = true;
  hb.interval_s = 60;
  const std::string m = heartbeat_message(hb);
  EXPECT_EQ(m.rfind("<134>1 2024-06-16T10:00:00.000+08:00 lobby-1 signage - heartbeat [signage@32473 type=\"heartbeat\"", 0),
            0u)
      << m;
  for (const char* part :
       {"site=\"plant \\\"2\\\"\"", "version=\"0.1.0\"", "uptime_s=\"61.500\"", "showing=\"c1/slogan\"",
        "campaigns=\"c1:aa,c2:bb\"", "last_rejected_playlist=\"bad.toml\"",
        "last_rejected_reason=\"bad.toml:3:1: error: unknown key\"", "decoder=\"h264 (vaapi)\"",
        "hw_decode=\"true\"", "frames_dropped=\"4\"", "journal_seq=\"99\"", "journal_hash=\"ff\"",
        "journal_error=\"journal: record seq 100 (play) was not written\"",
        "acked_seq=\"98\"", "free_disk_bytes=\"12345\"", "clock_synced=\"true\"", "interval_s=\"60.000\""}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
  }
  const auto body = nlohmann::json::parse(m.substr(m.find("] ") + 2));
  EXPECT_EQ(body["campaigns"][1]["playlist_sha256"], "bb");
  EXPECT_EQ(body["frames_dropped"], 4);
}

// ---------------------------------------------------------------- targets, backoff, cursor

TEST(UplinkTarget, Parses) {
  auto t = parse_uplink_target("relp://logs.example:2514");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->protocol, UplinkTarget::Protocol::relp);
  EXPECT_EQ(t->host, "logs.example");
  EXPECT_EQ(t->port, 2514);
  t = parse_uplink_target("tcp://[::1]:514");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->protocol, UplinkTarget::Protocol::tcp);
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(to_string(*t), "tcp://[::1]:514");
  EXPECT_FALSE(t->tls);
  t = parse_uplink_target("relp+tls://logs.example:2515");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->protocol, UplinkTarget::Protocol::relp);
  EXPECT_EQ(to_string(*t), "relp+tls://logs.example:2515");
  t = parse_uplink_target("tcp+tls://[2001:db8::1]:6514");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->protocol, UplinkTarget::Protocol::tcp);
  EXPECT_EQ(to_string(*t), "tcp+tls://[2001:db8::1]:6514");
  for (const char* bad : {"udp://h:1", "relp://h", "relp://h:0", "relp://h:70000", "relp://:1", "relp://::1:5", "h:1",
                          "tls://h:1", "relp+ssl://h:1"}) {
    auto r = parse_uplink_target(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind(), ErrorKind::invalid) << bad;
      EXPECT_NE(r.error().what().find("relp://host:port"), std::string::npos);
    }
  }
}

TEST(UplinkBackoff, DoublesUpToTheCapWithJitter) {
  EXPECT_EQ(backoff_delay(1, 100ms, 1000ms, 1.0), 100ms);
  EXPECT_EQ(backoff_delay(2, 100ms, 1000ms, 1.0), 200ms);
  EXPECT_EQ(backoff_delay(4, 100ms, 1000ms, 1.0), 800ms);
  EXPECT_EQ(backoff_delay(5, 100ms, 1000ms, 1.0), 1000ms);
  EXPECT_EQ(backoff_delay(60, 100ms, 1000ms, 1.0), 1000ms);
  EXPECT_EQ(backoff_delay(3, 100ms, 1000ms, 0.5), 200ms);
  EXPECT_EQ(backoff_delay(3, 100ms, 1000ms, 0.0), 1ms);
}

TEST(UplinkCursor, RoundTripsAndNamesABadFile) {
  TempDir d;
  const auto f = d.path() / "uplink.cursor";
  auto c = read_uplink_cursor(f);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 0u);
  ASSERT_TRUE(write_uplink_cursor(f, 4711).ok());
  c = read_uplink_cursor(f);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 4711u);
  EXPECT_FALSE(fs::exists(d.path() / "uplink.cursor.tmp"));
  std::ofstream(f) << "garbage";
  c = read_uplink_cursor(f);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind(), ErrorKind::invalid);
  EXPECT_NE(c.error().what().find(f.string()), std::string::npos);
  // A cursor that cannot be read is not taken for a missing one (which means 0).
  fs::remove(f);
  fs::create_directory(f);
  c = read_uplink_cursor(f);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().kind(), ErrorKind::not_found) << c.error().what();
  auto u = Uplink::start(d.path(), relp_target(1), "s", 1s, fast_options());
  EXPECT_FALSE(u.ok());
}

TEST(Uplink, BacksOffWhileNobodyListensAndStopsQuickly) {
  TempDir d;
  TestJournal j(d.path());
  j.add(3);
  std::mutex mu;
  std::vector<std::chrono::milliseconds> delays;
  auto o = fast_options();
  o.on_backoff = [&](std::chrono::milliseconds ms) {
    std::lock_guard lock(mu);
    delays.push_back(ms);
  };
  auto u = Uplink::start(d.path(), relp_target(free_port()), "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(mu);
    return delays.size() >= 5;
  }));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(delays[0], 20ms);
    EXPECT_EQ(delays[1], 40ms);
    EXPECT_EQ(delays[2], 80ms);
    EXPECT_EQ(delays[3], 160ms);
    EXPECT_EQ(delays[4], 200ms);
  }
  const auto st = (*u)->status();
  EXPECT_FALSE(st.connected);
  EXPECT_EQ(st.acked_seq, 0u);
  EXPECT_NE(st.last_error.find("cannot connect"), std::string::npos) << st.last_error;
  const auto t0 = std::chrono::steady_clock::now();
  (*u)->submit_heartbeat(Heartbeat{});  // never blocks
  (*u)->notify_new_records();
  u->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_FALSE(fs::exists(d.path() / "uplink.cursor"));
}

// ---------------------------------------------------------------- with a fake transport

// fast_options() sending through the fake transport that `script` drives, timing
// heartbeats and cursor writes by `clock` when one is given.
UplinkOptions fake_options(const std::shared_ptr<test::TransportScript>& script,
                           const MonotonicClock* clock = nullptr) {
  UplinkOptions o = fast_options();
  o.clock = clock;
  o.make_transport = test::fake_transport_factory(script);
  return o;
}

// The seq of each record message, in the order acknowledged (heartbeats left out).
std::vector<std::uint64_t> acked_seqs(const test::TransportScript& script) {
  std::lock_guard lock(script.mu);
  std::vector<std::uint64_t> out;
  for (const auto& m : script.acknowledged) {
    const auto at = m.find("seq=\"");
    if (at == std::string::npos || m.find(" heartbeat ") != std::string::npos) continue;
    out.push_back(std::stoull(m.substr(at + 5)));
  }
  return out;
}

std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

TEST(UplinkLogic, DeliversEveryRecordOnceInOrderAndSavesTheCursor) {
  TempDir d;
  TestJournal j(d.path());
  j.add(30);
  auto script = std::make_shared<test::TransportScript>();
  auto o = fake_options(script);
  o.batch = 8;
  auto u = Uplink::start(d.path(), relp_target(1), "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok()) << u.error().what();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 30; })) << (*u)->status().last_error;
  j.add(5);
  (*u)->notify_new_records();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 35; }));
  EXPECT_EQ(acked_seqs(*script), one_to(35));
  EXPECT_EQ((*u)->status().backlog, 0u);
  u->reset();
  EXPECT_EQ(*read_uplink_cursor(d.path() / "uplink.cursor"), 35u);
}

TEST(UplinkLogic, RefusedConnectionsBackOffAndABatchCutShortIsResentFromTheGap) {
  TempDir d;
  TestJournal j(d.path());
  j.add(20);
  auto script = std::make_shared<test::TransportScript>();
  script->refuse_connects = 3;
  script->cut_next = 5;
  std::mutex mu;
  std::vector<std::chrono::milliseconds> delays;
  auto o = fake_options(script);
  o.batch = 10;
  o.on_backoff = [&](std::chrono::milliseconds ms) {
    std::lock_guard lock(mu);
    delays.push_back(ms);
  };
  auto u = Uplink::start(d.path(), relp_target(1), "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 20; })) << (*u)->status().last_error;
  EXPECT_EQ(acked_seqs(*script), one_to(20)) << "nothing lost, nothing twice";
  std::lock_guard lock(mu);
  // Three refusals (20, 40, 80 ms), then the cut batch: the backoff starts again.
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{20ms, 40ms, 80ms, 20ms}));
  EXPECT_EQ((*u)->status().last_error, "");
}

TEST(UplinkLogic, TheLatestHeartbeatWinsAndTheNextWaitsForTheInjectedClock) {
  TempDir d;
  ManualMonotonicClock clock;
  auto script = std::make_shared<test::TransportScript>();
  auto u = Uplink::start(d.path(), relp_target(1), "lobby-1", 60s, fake_options(script, &clock));
  ASSERT_TRUE(u.ok());
  Heartbeat hb;
  hb.screen = "lobby-1";
  hb.uptime_s = 1;
  (*u)->submit_heartbeat(hb);
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 1; }));
  for (int i = 2; i <= 5; ++i) {
    hb.uptime_s = i;
    (*u)->submit_heartbeat(hb);
  }
  // Not before the interval has passed on the uplink's clock.
  clock.advance(59s);
  (*u)->notify_new_records();
  clock.advance(1s);
  (*u)->notify_new_records();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 2; }));
  std::lock_guard lock(script->mu);
  ASSERT_EQ(script->acknowledged.size(), 2u);
  const std::string& sent = script->acknowledged[1];
  EXPECT_TRUE(sent.find("uptime_s=\"5\"") != std::string::npos || sent.find("\"uptime_s\":5") != std::string::npos)
      << sent;
}

// A heartbeat built when the journal's head was 4 is sent after records up to 10 were
// acknowledged: it says 4 were (acked_seq never passes the head it names).
TEST(UplinkLogic, AHeartbeatsAckedSeqNeverPassesItsOwnJournalHead) {
  TempDir d;
  TestJournal j(d.path());
  j.add(10);
  ManualMonotonicClock clock;
  auto script = std::make_shared<test::TransportScript>();
  auto u = Uplink::start(d.path(), relp_target(1), "lobby-1", 60s, fake_options(script, &clock));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 10; })) << (*u)->status().last_error;
  Heartbeat hb;
  hb.screen = "lobby-1";
  hb.journal_seq = 4;
  hb.journal_hash = std::string(64, 'a');
  (*u)->submit_heartbeat(hb);
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 1; }));
  hb.journal_seq = 12;  // a head the uplink has not read yet: acknowledged up to 10
  (*u)->submit_heartbeat(hb);
  clock.advance(60s);
  (*u)->notify_new_records();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 2; }));
  std::lock_guard lock(script->mu);
  std::vector<std::string> beats;
  for (const auto& m : script->acknowledged) {
    if (m.find(" heartbeat ") != std::string::npos) beats.push_back(m);
  }
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_NE(beats[0].find("acked_seq=\"4\""), std::string::npos) << beats[0];
  EXPECT_NE(beats[1].find("acked_seq=\"10\""), std::string::npos) << beats[1];
}

TEST(Uplink, SilentReceiverBlocksNobody) {
  TempDir d;
  TestJournal j(d.path());
  j.add(5);
  // Listens (the kernel completes the handshake) but never answers a RELP frame.
  test::SilentReceiver silent;
  auto o = fast_options();
  o.transport.timeout = 30s;
  auto u = Uplink::start(d.path(), relp_target(silent.port()), "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok());
  std::this_thread::sleep_for(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    (*u)->submit_heartbeat(Heartbeat{});
    (*u)->notify_new_records();
    EXPECT_EQ((*u)->status().acked_seq, 0u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);
  u->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "the destructor cancels the wait for an answer";
}

// ---------------------------------------------------------------- against rsyslogd

TEST(UplinkRsyslog, RecordsAndHeartbeatArriveParsed) {
  REQUIRE_RSYSLOGD();
  TempDir d;
  Rsyslog rs(d.path() / "rs");
  ASSERT_TRUE(rs.start());
  TestJournal j(d.path() / "journal");
  j.add(20);
  auto u = Uplink::start(d.path() / "journal", relp_target(rs.relp_port()), "lobby-1", 1s, fast_options());
  ASSERT_TRUE(u.ok()) << u.error().what();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 20; })) << (*u)->status().last_error;
  Heartbeat hb;
  hb.screen = "lobby-1";
  hb.time = "2024-06-16T23:55:00.000+08:00";
  hb.journal_seq = 20;
  (*u)->submit_heartbeat(hb);
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 1; }));
  const auto st = (*u)->status();
  EXPECT_TRUE(st.connected);
  EXPECT_EQ(st.backlog, 0u);
  auto c = read_uplink_cursor(d.path() / "journal" / "uplink.cursor");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 20u);
  u->reset();
  rs.stop();  // flushes

  const auto lines = rs.lines();
  ASSERT_EQ(lines.size(), 21u);
  std::uint64_t expect = 1;
  for (const auto& l : lines) {
    ASSERT_EQ(l.f.size(), 9u);
    EXPECT_EQ(l.f[0], "lobby-1");
    EXPECT_EQ(l.f[1], "signage");
    EXPECT_EQ(l.f[4], "lobby-1");
    if (l.f[2] == "heartbeat") {
      EXPECT_EQ(l.f[5], "heartbeat");
      EXPECT_EQ(l.f[7], "20") << "acked_seq parsed from the structured data";
      continue;
    }
    // Parsed by rsyslog's RFC 5424 parser and mmpstrucdata, unescaped again.
    EXPECT_EQ(l.f[2], "play");
    EXPECT_EQ(l.f[3], std::to_string(expect));
    EXPECT_EQ(l.f[5], "play");
    EXPECT_EQ(l.f[6], "Safety \"first\" [a\\b] 安全");
    const auto body = nlohmann::json::parse(l.f[8], nullptr, false);
    ASSERT_TRUE(body.is_object()) << l.f[8];
    EXPECT_EQ(body["seq"], expect);
    EXPECT_EQ(body["campaign_title"], "Safety \"first\" [a\\b] 安全");
    ++expect;
  }
  EXPECT_EQ(expect, 21u);
}

TEST(UplinkRsyslog, HeartbeatsLatestWinsAtMostOnePerInterval) {
  REQUIRE_RSYSLOGD();
  TempDir d;
  Rsyslog rs(d.path() / "rs");
  ASSERT_TRUE(rs.start());
  fs::create_directories(d.path() / "journal");
  auto u = Uplink::start(d.path() / "journal", relp_target(rs.relp_port()), "lobby-1", 400ms, fast_options());
  ASSERT_TRUE(u.ok());
  Heartbeat hb;
  hb.screen = "lobby-1";
  hb.uptime_s = 1;
  (*u)->submit_heartbeat(hb);
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 1; }));
  const auto first = std::chrono::steady_clock::now();
  for (int i = 2; i <= 50; ++i) {
    hb.uptime_s = i;
    (*u)->submit_heartbeat(hb);
  }
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - first, 350ms) << "not before the interval";
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ((*u)->status().heartbeats_sent, 2u) << "nothing new was submitted";
  u->reset();
  rs.stop();
  std::vector<double> uptimes;
  for (const auto& l : rs.lines()) {
    ASSERT_EQ(l.f.size(), 9u);
    EXPECT_EQ(l.f[2], "heartbeat");
    uptimes.push_back(nlohmann::json::parse(l.f[8])["uptime_s"].get<double>());
  }
  EXPECT_EQ(uptimes, (std::vector<double>{1, 50}));
}

TEST(UplinkRsyslog, OutageThenRestartLosesNothing) {
  REQUIRE_RSYSLOGD();
  TempDir d;
  Rsyslog rs(d.path() / "rs");
  ASSERT_TRUE(rs.start());
  TestJournal j(d.path() / "journal");
  j.add(50);
  auto u = Uplink::start(d.path() / "journal", relp_target(rs.relp_port()), "lobby-1", 1s, fast_options());
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 50; })) << (*u)->status().last_error;
  rs.stop();
  for (int round = 0; round < 5; ++round) {
    j.add(10);
    (*u)->notify_new_records();
    std::this_thread::sleep_for(60ms);
  }
  ASSERT_TRUE(wait_until([&] { return !(*u)->status().connected && (*u)->status().journal_seq == 100; }));
  EXPECT_EQ((*u)->status().acked_seq, 50u);
  EXPECT_EQ((*u)->status().backlog, 50u);
  ASSERT_TRUE(rs.start());
  j.add(20);
  (*u)->notify_new_records();
  EXPECT_TRUE(fs::exists(d.path() / "journal" / "2024-06-17.jsonl")) << "the backlog spans two day files";
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 120; })) << (*u)->status().last_error;
  EXPECT_EQ((*u)->status().backlog, 0u);
  u->reset();
  rs.stop();
  const auto counts = rs.seq_counts();
  ASSERT_EQ(counts.size(), 120u) << "after dedupe by seq, each seq exactly once";
  EXPECT_EQ(counts.begin()->first, 1u);
  EXPECT_EQ(counts.rbegin()->first, 120u);
}

TEST(UplinkRsyslog, DestroyedMidStreamResumesFromTheCursor) {
  REQUIRE_RSYSLOGD();
  TempDir d;
  Rsyslog rs(d.path() / "rs");
  ASSERT_TRUE(rs.start());
  TestJournal j(d.path() / "journal");
  j.add(4000);
  auto o = fast_options();
  o.batch = 16;
  auto u = Uplink::start(d.path() / "journal", relp_target(rs.relp_port()), "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq > 0; }));
  u->reset();  // no clean close: whatever was in flight is not acknowledged
  auto c = read_uplink_cursor(d.path() / "journal" / "uplink.cursor");
  ASSERT_TRUE(c.ok());
  EXPECT_GT(*c, 0u);
  EXPECT_LT(*c, 3000u) << "stopped mid-stream";
  j.add(10);
  auto u2 = Uplink::start(d.path() / "journal", relp_target(rs.relp_port()), "lobby-1", 1s, o);
  ASSERT_TRUE(u2.ok());
  EXPECT_EQ((*u2)->status().acked_seq, *c);
  ASSERT_TRUE(wait_until([&] { return (*u2)->status().acked_seq == 4010; })) << (*u2)->status().last_error;
  u2->reset();
  rs.stop();
  const auto counts = rs.seq_counts();
  ASSERT_EQ(counts.size(), 4010u);
  EXPECT_EQ(counts.rbegin()->first, 4010u);
}

TEST(UplinkRsyslog, PlainTcpWithOctetCounting) {
  REQUIRE_RSYSLOGD();
  TempDir d;
  Rsyslog rs(d.path() / "rs");
  ASSERT_TRUE(rs.start());
  TestJournal j(d.path() / "journal");
  j.add(10, "line\nbreak");
  auto u = Uplink::start(d.path() / "journal", {UplinkTarget::Protocol::tcp, "127.0.0.1", rs.tcp_port()}, "lobby-1",
                         1s, fast_options());
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 10; }));
  u->reset();
  ASSERT_TRUE(wait_until([&] { return rs.seq_counts().size() == 10; }, 30s));
  rs.stop();
  for (const auto& l : rs.lines()) {
    ASSERT_GE(l.f.size(), 6u);
    EXPECT_EQ(l.f[2], "play");
    EXPECT_EQ(l.f[5], "play");
  }
}

// ---------------------------------------------------------------- TLS

TEST(UplinkTls, FilesThatCannotBeLoadedAreNamedAtStart) {
  TempDir d;
  const auto target = *parse_uplink_target("relp+tls://127.0.0.1:1");
  UplinkOptions o = fast_options();
  o.transport.tls.ca = d.path() / "no-such-ca.pem";
  auto u = Uplink::start(d.path(), target, "lobby-1", 1s, o);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().what().find("no-such-ca.pem"), std::string::npos) << u.error().what();
  EXPECT_NE(u.error().what().find("relp+tls://127.0.0.1:1"), std::string::npos) << u.error().what();

  o.transport.tls = {};
  o.transport.tls.cert = d.path() / "client.pem";
  u = Uplink::start(d.path(), target, "lobby-1", 1s, o);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().what().find("tls_key"), std::string::npos) << u.error().what();
  // Plain targets ignore the files.
  u = Uplink::start(d.path(), relp_target(1), "lobby-1", 1s, o);
  EXPECT_TRUE(u.ok());
}

// Both transports inside TLS, against imrelp (tls="on", librelp's OpenSSL) and imtcp
// (the ossl stream driver), each checking this screen's client certificate by name.
class UplinkRsyslogTls : public ::testing::TestWithParam<UplinkTarget::Protocol> {};

TEST_P(UplinkRsyslogTls, RecordsArriveParsedOverTls) {
  REQUIRE_RSYSLOGD();
  if (!test::openssl_present()) {
    SIGNAGE_SKIP_OR_FAIL("the openssl command is missing (apt-get install openssl)");
  }
  if (!test::rsyslog_module_present("lmnsd_ossl")) {
    SIGNAGE_SKIP_OR_FAIL("apt-get install rsyslog-openssl");
  }
  TempDir d;
  const auto pki = test::make_test_pki(d.path() / "pki");
  ASSERT_TRUE(pki);
  Rsyslog rs(d.path() / "rs", &*pki);
  ASSERT_TRUE(rs.start()) << rs.log();
  TestJournal j(d.path() / "journal");
  j.add(20);
  const bool relp = GetParam() == UplinkTarget::Protocol::relp;
  UplinkTarget target{GetParam(), "127.0.0.1", relp ? rs.relp_port() : rs.tcp_port(), true};
  auto o = fast_options();
  o.transport.tls = {pki->ca, pki->client_cert, pki->client_key};
  auto u = Uplink::start(d.path() / "journal", target, "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok()) << u.error().what();
  ASSERT_TRUE(wait_until([&] { return (*u)->status().acked_seq == 20; }))
      << (*u)->status().last_error << "\n" << rs.log();
  Heartbeat hb;
  hb.screen = "lobby-1";
  hb.journal_seq = 20;
  (*u)->submit_heartbeat(hb);
  ASSERT_TRUE(wait_until([&] { return (*u)->status().heartbeats_sent == 1; }));
  u->reset();
  if (!relp) {
    ASSERT_TRUE(wait_until([&] { return rs.seq_counts().size() == 20; }, 30s));
  }
  rs.stop();
  const auto counts = rs.seq_counts();
  ASSERT_EQ(counts.size(), 20u) << rs.log();
  int heartbeats = 0;
  for (const auto& l : rs.lines()) {
    ASSERT_EQ(l.f.size(), 9u);
    EXPECT_EQ(l.f[4], "lobby-1");
    if (l.f[5] == "heartbeat") {
      ++heartbeats;
      EXPECT_EQ(l.f[7], "20");
    } else {
      EXPECT_EQ(l.f[6], "Safety \"first\" [a\\b] 安全") << "parsed from the structured data";
    }
  }
  EXPECT_EQ(heartbeats, 1);
}

INSTANTIATE_TEST_SUITE_P(Transports, UplinkRsyslogTls,
                         ::testing::Values(UplinkTarget::Protocol::relp, UplinkTarget::Protocol::tcp),
                         [](const auto& param_info) {
                           return std::string(param_info.param == UplinkTarget::Protocol::relp ? "Relp" : "Tcp");
                         });

// A receiver whose certificate is not from our CA is refused by us; a screen without
// a client certificate is refused by rsyslog. Nothing counts as delivered either way.
TEST(UplinkRsyslogTlsRefusals, UntrustedReceiverAndAnonymousScreenDeliverNothing) {
  REQUIRE_RSYSLOGD();
  if (!test::openssl_present()) {
    SIGNAGE_SKIP_OR_FAIL("the openssl command is missing (apt-get install openssl)");
  }
  TempDir d;
  const auto pki = test::make_test_pki(d.path() / "pki");
  ASSERT_TRUE(pki);
  Rsyslog rs(d.path() / "rs", &*pki);
  ASSERT_TRUE(rs.start()) << rs.log();
  TestJournal j(d.path() / "journal");
  j.add(3);
  const UplinkTarget target{UplinkTarget::Protocol::relp, "127.0.0.1", rs.relp_port(), true};

  auto o = fast_options();
  o.transport.tls = {pki->other_ca, pki->client_cert, pki->client_key};
  auto u = Uplink::start(d.path() / "journal", target, "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok()) << u.error().what();
  ASSERT_TRUE(wait_until([&] { return !(*u)->status().last_error.empty(); }, 30s));
  EXPECT_NE((*u)->status().last_error.find("certificate is not trusted"), std::string::npos)
      << (*u)->status().last_error;
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ((*u)->status().acked_seq, 0u);
  u->reset();

  o.transport.tls = {pki->ca, {}, {}};  // trusts the receiver, shows no certificate
  u = Uplink::start(d.path() / "journal", target, "lobby-1", 1s, o);
  ASSERT_TRUE(u.ok()) << u.error().what();
  ASSERT_TRUE(wait_until([&] { return !(*u)->status().last_error.empty(); }, 30s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ((*u)->status().acked_seq, 0u) << "rsyslog wants a client certificate";
  EXPECT_FALSE((*u)->status().connected) << (*u)->status().last_error;
  u->reset();
  rs.stop();
  EXPECT_TRUE(rs.seq_counts().empty());
  EXPECT_FALSE(fs::exists(d.path() / "journal" / "uplink.cursor"));
}

TEST(UplinkRsyslog, CentralConfigurationIsValid) {
  REQUIRE_RSYSLOGD();
  const fs::path conf = fs::path(SIGNAGE_SOURCE_DIR) / "packaging/rsyslog/signage-central.conf";
  ASSERT_TRUE(fs::exists(conf));
  const std::string cmd = rsyslogd_path() + " -N1 -f " + conf.string() + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "rsyslogd -N1 -f " << conf;
}

}  // namespace
}  // namespace signage
