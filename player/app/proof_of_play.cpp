#include "app/proof_of_play.h"

#include <ostream>

#include "core/i18n.h"

namespace signage {

namespace chr = std::chrono;

namespace {

// A play shorter than planned by less than this still counts as complete: the
// switch happens at the next loop wake-up, a few milliseconds either side.
constexpr chr::milliseconds kCompleteSlack{500};
// A showing that began (or first showed) later than this after its slot began is late.
constexpr chr::milliseconds kLate{500};

double seconds(chr::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// Why a play was shorter than planned: what the kiosk said (partial_reason()), else a
// late begin (late_start) or a first frame late after an on-time begin (late_media).
std::string partial_reason_of(const ProofOfPlay::Play& play) {
  if (!play.late_reason.empty()) return play.late_reason;
  if (play.begun > play.start + kLate) return "late_start";
  if (play.shown && *play.shown > play.begun + kLate) return "late_media";
  return "late_start";
}

}  // namespace

ProofOfPlay::ProofOfPlay(const DeviceConfig& config, const TimeZone& zone, Journal* journal,
                         EvidenceStore* evidence, std::ostream& log, std::function<bool()> clock_synced,
                         std::function<void()> recorded)
    : config_(config),
      zone_(zone),
      journal_(journal),
      evidence_(evidence),
      log_(log),
      clock_synced_(std::move(clock_synced)),
      recorded_(std::move(recorded)) {}

void ProofOfPlay::record(nlohmann::json rec, Instant at) {
  if (journal_ == nullptr) return;
  auto r = journal_->append(std::move(rec), at);
  if (r && recorded_) recorded_();
  if (!r) {
    // Keep playing: the screen matters more than the record. Say it once per outage,
    // loudly: the log, the heartbeat and systemctl status (journal_error()).
    if (!journal_failing_) {
      journal_error_ = r.error().what();
      log_ << "signage: " << fmt(_("ERROR: the journal cannot be written, plays are not recorded: {1}"), journal_error_)
           << "\n";
    }
    journal_failing_ = true;
  } else if (journal_failing_) {
    log_ << "signage: " << _("the journal is written again") << "\n";
    journal_failing_ = false;
    journal_error_.clear();
  }
}

void ProofOfPlay::alive(Instant now) {
  if (state_ == nullptr) return;
  if (auto s = state_->alive(now); !s) log_ << "signage: " << s.error().what() << "\n";
}

std::optional<std::uint64_t> ProofOfPlay::journal_seq() const {
  if (journal_ == nullptr) return std::nullopt;
  return journal_->next_seq() - 1;
}

std::string ProofOfPlay::journal_hash() const { return journal_ ? journal_->last_hash() : std::string(); }

PlayRecord ProofOfPlay::base_record(const Campaign& c, const Item& item) {
  PlayRecord p;
  p.screen = config_.screen_id;
  p.site = config_.site;
  p.campaign = c.id;
  p.campaign_title = c.title;
  p.item = item.id;
  p.item_type = std::string(to_string(item.type));
  p.media = item.file;
  p.text = item.text;
  // The file's own length, as the set says it (read off the render thread).
  if (item.type == ItemType::video) p.media_duration_s = seconds(item.media_length);
  p.playlist_sha256 = c.source_sha256;
  p.player_version = SIGNAGE_VERSION;
  p.clock_synced = clock_synced_();
  return p;
}

std::optional<std::pair<std::string, std::string>> ProofOfPlay::ids(const PlaylistSet& set) const {
  if (!playing()) return std::nullopt;
  const Campaign& c = set.campaigns[play_->campaign];
  return std::make_pair(c.id, c.items[play_->item].id);
}

std::vector<ProofOfPlay::Rejection> ProofOfPlay::started(const Display& display, const PlaylistSetResult& loaded,
                                                         const PlaylistSet& set, Instant now) {
  log_ << "signage " << SIGNAGE_VERSION << ": "
       << fmt(journal_ ? _("screen '{1}' on {2} {3}x{4}, {5} campaign(s), journal {6}")
                       : _("screen '{1}' on {2} {3}x{4}, {5} campaign(s), no journal"),
              config_.screen_id, display.describe(), display.width(), display.height(), set.campaigns.size(),
              journal_ ? journal_->dir().string() : std::string())
       << "\n";
  const LocalTime lt = zone_.to_local(now);
  nlohmann::json fields = {{"screen", config_.screen_id},
                            {"site", config_.site},
                            {"player_version", SIGNAGE_VERSION},
                            {"display", display.describe()},
                            {"size", std::to_string(display.width()) + "x" + std::to_string(display.height())},
                            {"clock_synced", clock_synced_()}};
  // Who the screen belongs to, for the report's 填报单位 and 联系人 (left out when not set).
  if (!config_.organisation.empty()) fields["organisation"] = config_.organisation;
  if (!config_.location.empty()) fields["location"] = config_.location;
  if (!config_.contact.empty()) fields["contact"] = config_.contact;
  record(event_record("start", lt, std::move(fields)), now);
  nlohmann::json files = nlohmann::json::array();
  for (const auto& c : set.campaigns) {
    files.push_back({{"file", c.source.filename().string()}, {"campaign", c.id}, {"sha256", c.source_sha256}});
  }
  record(event_record("playlist_applied", lt, {{"reason", "start"}, {"files", files}}), now);
  std::vector<Rejection> refused;
  for (const auto& file : loaded.refused) {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& d : loaded.diagnostics) {
      if (d.severity == Severity::error && d.where.file == file.string()) errors.push_back(d.format());
    }
    record(event_record("playlist_rejected", lt, {{"file", file.filename().string()}, {"errors", errors}}), now);
    refused.push_back({file.filename().string(), std::move(errors)});
    refused_at_start_.insert(file.lexically_normal());
  }
  return refused;
}

void ProofOfPlay::accepted(const AcceptedFile& f, Instant now) {
  const LocalTime lt = zone_.to_local(now);
  log_ << format_iso8601(lt) << " "
       << fmt(_("accepted {1}: the refused playlist loads now (campaign '{2}')"), f.file.string(), f.campaign)
       << "\n";
  record(event_record("playlist_accepted", lt,
                      {{"file", f.file.filename().string()}, {"campaign", f.campaign}, {"sha256", f.sha256}}),
         now);
}

std::vector<ProofOfPlay::Rejection> ProofOfPlay::updated(const Update& u, Instant now) {
  const LocalTime lt = zone_.to_local(now);
  for (const auto& n : u.notices) log_ << "signage: " << fmt(_("drop folder: {1}"), n) << "\n";
  std::vector<Rejection> refused;
  // The baseline repeats what start-up loaded and recorded.
  if (!u.initial) {
    for (const auto& r : u.rejected) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& d : r.diagnostics) {
        errors.push_back(d.format());
        log_ << d.format() << "\n";
      }
      log_ << "signage: "
           << fmt(r.kept_campaign ? _("refused {1}; its last good version keeps playing") : _("refused {1}"),
                  r.file.string())
           << "\n";
      nlohmann::json f = {{"file", r.file.filename().string()}, {"sha256", r.sha256}, {"errors", errors}};
      if (r.kept_campaign) f["kept_campaign"] = *r.kept_campaign;
      refused.push_back({r.file.filename().string(), errors});
      record(event_record("playlist_rejected", lt, f), now);
    }
    for (const auto& a : u.accepted) accepted(a, now);
    // Newly ignored files (the initial Update's were logged by start-up's load).
    for (const auto& i : u.ignored) {
      log_ << Diagnostic{Severity::warning, SourcePos{i.file.string(), 0, 0}, i.reason}.format() << "\n";
    }
    for (const auto& c : u.items) {
      const char* type = c.kind == ItemChange::Kind::joined ? "item_joined"
                         : c.kind == ItemChange::Kind::left ? "item_left"
                                                            : "media_replaced";
      nlohmann::json f = {{"campaign", c.campaign}, {"item", c.item}, {"reason", c.reason}};
      if (!c.media.empty()) f["file"] = c.media.filename().string();
      if (!c.media_sha256.empty()) f["media_sha256"] = c.media_sha256;
      record(event_record(type, lt, f), now);
    }
  }
  // A file refused at start-up and fixed before the watcher's first look: the
  // baseline has it, valid.
  if (u.initial && u.set) {
    for (const auto& f : u.applied) {
      if (!f.kept_last_good && refused_at_start_.contains(f.file.lexically_normal())) {
        accepted(AcceptedFile{f.file, f.campaign, f.sha256}, now);
      }
    }
  }
  if (u.initial) refused_at_start_.clear();
  // Items the start-up load took as playable but whose media the watcher found
  // unusable (truncated, undecodable header): reported once, then held back.
  if (u.initial && u.set) {
    for (const auto& h : u.held_back) {
      if (h.hashing) continue;  // joins once hashed: no error
      log_ << "signage: " << fmt(_("held back {1}/{2}: {3}"), h.campaign, h.item, h.reason) << "\n";
      record(event_record("media_error", lt,
                          {{"campaign", h.campaign},
                           {"item", h.item},
                           {"file", h.media.filename().string()},
                           {"error", h.reason},
                           {"held_back", true}}),
             now);
    }
  }
  return refused;
}

void ProofOfPlay::applied(const std::vector<AppliedFile>& applied, std::size_t campaigns, Instant now) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : applied) {
    nlohmann::json j = {{"file", f.file.filename().string()}, {"campaign", f.campaign}, {"sha256", f.sha256}};
    if (f.kept_last_good) j["kept_last_good"] = true;
    files.push_back(j);
  }
  record(event_record("playlist_applied", zone_.to_local(now), {{"reason", "drop folder"}, {"files", files}}),
         now);
  log_ << fmt(_("{1} playlists applied: {2} campaign(s)"), format_iso8601(zone_.to_local(now)), campaigns) << "\n";
}

void ProofOfPlay::skipped(const Campaign& c, const Item& item, const Error& e, Instant now) {
  const LocalTime lt = zone_.to_local(now);
  record(event_record("media_error", lt,
                      {{"campaign", c.id}, {"item", item.id}, {"file", item.file}, {"error", e.what()}}),
         now);
  PlayRecord p = base_record(c, item);
  p.start = p.end = format_iso8601(lt);
  p.planned_s = seconds(item.duration);
  p.shown_s = 0;
  p.outcome = PlayOutcome::skipped;
  p.reason = e.what();
  record(play_record(p), now);
}

void ProofOfPlay::clock_jumped(Instant from, chr::milliseconds by, Instant now) {
  log_ << "signage: " << fmt(_("the wall clock jumped by {1} s"), seconds(by)) << "\n";
  record(event_record("clock_jump", zone_.to_local(now),
                      {{"from", format_iso8601(zone_.to_local(from))}, {"jump_s", seconds(by)}}),
         now);
}

void ProofOfPlay::stopped(const std::string& reason, Instant now) {
  record(event_record("stop", zone_.to_local(now), {{"reason", reason}}), now);
  if (state_ != nullptr) {
    if (auto s = state_->stopped(now); !s) log_ << "signage: " << s.error().what() << "\n";
  }
}

void ProofOfPlay::begin(const PlaylistSet& set, const std::optional<Showing>& showing, Instant until,
                        Instant now) {
  play_ = Play{};
  play_->idle = !showing;
  if (showing) {
    play_->campaign = showing->campaign;
    play_->item = showing->item;
    play_->start = showing->start;
    play_->end = showing->end;
    const Campaign& c = set.campaigns[showing->campaign];
    const Item& item = c.items[showing->item];
    play_->wants_evidence = evidence_ != nullptr && evidence_->due(c.id + "_" + item.id, now);
    play_->base = base_record(c, item);
    play_->begun = now;
    play_->base.planned_s = seconds(chr::duration_cast<chr::milliseconds>(showing->end - showing->start));
  } else {
    record(event_record("display_idle", zone_.to_local(now), {{"until", format_iso8601(zone_.to_local(until))}}),
           now);
    if (state_ != nullptr) {
      if (auto s = state_->idle(now); !s) log_ << "signage: " << s.error().what() << "\n";
    }
  }
}

void ProofOfPlay::reindex(std::size_t campaign, std::size_t item) {
  if (!play_) return;
  play_->campaign = campaign;
  play_->item = item;
}

void ProofOfPlay::presented(Instant now) {
  if (!playing() || play_->shown) return;
  play_->shown = now;
  if (state_ != nullptr) {
    PlayRecord p = play_->base;
    p.start = format_iso8601(zone_.to_local(now));
    if (auto s = state_->playing(p, now); !s) log_ << "signage: " << s.error().what() << "\n";
  }
}

void ProofOfPlay::take_evidence(Display& display, const PlaylistSet& set, Instant now) {
  if (!evidence_wanted()) return;
  play_->wants_evidence = false;
  auto frame = display.read_pixels();
  if (!frame) return;
  const Campaign& c = set.campaigns[play_->campaign];
  auto pic = evidence_->save(*frame, c.id + "_" + c.items[play_->item].id, now);
  if (pic) {
    play_->evidence = pic->name;
    play_->evidence_sha256 = pic->sha256;
  } else {
    log_ << "signage: " << fmt(_("evidence picture: {1}"), pic.error().what()) << "\n";
  }
}

std::optional<PlayRecord> ProofOfPlay::current_record(const PlaylistSet& set, const std::string& decoder,
                                                      Instant now, PlayOutcome outcome, const std::string& reason) {
  if (!playing() || !play_->shown) return std::nullopt;  // a play counts once seen
  const Campaign& c = set.campaigns[play_->campaign];
  const Item& item = c.items[play_->item];
  PlayRecord p = base_record(c, item);
  p.media_sha256 = media_sha256(item);
  p.start = format_iso8601(zone_.to_local(*play_->shown));
  p.end = format_iso8601(zone_.to_local(now));
  p.planned_s = seconds(chr::duration_cast<chr::milliseconds>(play_->end - play_->start));
  p.shown_s = seconds(chr::duration_cast<chr::milliseconds>(now - *play_->shown));
  p.outcome = outcome;
  // Complete means on screen for its planned time within kCompleteSlack; shorter (and
  // not cut by an emergency or a stop) is partial, with why (journal-format.md).
  if (outcome == PlayOutcome::complete && p.shown_s < p.planned_s - seconds(kCompleteSlack)) {
    p.outcome = PlayOutcome::partial;
    p.partial_reason = partial_reason_of(*play_);
  }
  if (p.outcome != PlayOutcome::complete) p.reason = reason;
  p.decoder = decoder.empty() ? "none" : decoder;
  p.evidence = play_->evidence;
  p.evidence_sha256 = play_->evidence_sha256;
  return p;
}

void ProofOfPlay::end(const std::optional<PlayRecord>& rec, Instant now) {
  play_.reset();
  if (rec) record(play_record(*rec), now);
}

void ProofOfPlay::ticker_up(const Campaign* c, const std::optional<Ticker>& before, const Ticker* now_up,
                            Instant now) {
  if (now_up && !(before && *before == *now_up)) ticker_since_ = now;
  if (now_up && c) {
    ticker_base_ = PlayRecord{};
    ticker_base_.screen = config_.screen_id;
    ticker_base_.site = config_.site;
    ticker_base_.campaign = c->id;
    ticker_base_.campaign_title = c->title;
    ticker_base_.item = now_up->id;
    ticker_base_.item_type = "ticker";
    ticker_base_.playlist_sha256 = c->source_sha256;
    ticker_base_.player_version = SIGNAGE_VERSION;
    ticker_base_.decoder = "none";
  }
  ticker_checked_ = now;
}

void ProofOfPlay::ticker_passes(const ScreenBands& bands, Instant now) {
  const Ticker* t = bands.ticker();
  if (t == nullptr || now <= ticker_checked_) return;
  for (const TickerPass& pass : bands.ticker_passes(ticker_checked_, now)) {
    if (pass.start < ticker_since_) continue;  // began before the ticker was up
    PlayRecord p = ticker_base_;
    p.text = t->texts[pass.text];
    p.start = format_iso8601(zone_.to_local(pass.start));
    p.end = format_iso8601(zone_.to_local(pass.end));
    p.planned_s = p.shown_s = seconds(chr::duration_cast<chr::milliseconds>(pass.end - pass.start));
    p.outcome = PlayOutcome::complete;
    p.clock_synced = clock_synced_();
    record(play_record(p), pass.end);
  }
  ticker_checked_ = now;
}

void ProofOfPlay::cut_by_emergency(PlayRecord& rec) {
  if (rec.outcome != PlayOutcome::partial) return;
  rec.outcome = PlayOutcome::interrupted;
  rec.partial_reason.clear();
}

}  // namespace signage
