#include "journal/verify.h"

#include <array>
#include <optional>
#include <string_view>

#include "core/digest.h"
#include "core/i18n.h"
#include "journal/journal.h"
#include "journal/line_scan.h"

namespace signage {

namespace fs = std::filesystem;

std::string VerifyResult::summary() const {
  if (ok) {
    std::string s = fmt(P_("intact: {1} records in {2} day file", "intact: {1} records in {2} day files", files),
                        records, files);
    if (records > 0) s += fmt(_(", seq {1} to {2}, {3} to {4}"), first_seq, last_seq, first_time, last_time);
    s += fmt(P_("; {1} evidence picture matches", "; {1} evidence pictures match", pictures_checked),
             pictures_checked);
    if (pictures_pruned > 0) s += fmt(_(", {1} pruned by retention"), pictures_pruned);
    return s;
  }
  std::string where = broken_file.string();
  if (broken_line > 0) {
    // Appended piece by piece: GCC 12 at -O3 sees a false overlap in
    // operator+(const char*, string&&) (-Wrestrict, its bug 105329).
    where += ':';
    where += std::to_string(broken_line);
  }
  return where + ": " + reason;
}

namespace {

bool safe_relative(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p) {
    if (part == "..") return false;
  }
  return true;
}

// The members a check reads, in this order.
constexpr std::array<std::string_view, 7> kKeys = {"seq", "prev", "type", "evidence", "evidence_sha256", "time", "start"};
enum Key { kSeq, kPrev, kType, kEvidence, kEvidenceSha, kTime, kStart };

// A string member, decoded; nullopt when it is absent or not a string.
std::optional<std::string> string_member(std::string_view raw) {
  if (raw.empty()) return std::nullopt;
  if (auto plain = scanned_plain_string(raw)) return std::string(*plain);
  return scanned_string(raw);
}

// A good line as the next one's checks need it.
struct Seen {
  Sha256 hash{};
  std::uint64_t seq = 0;
  fs::path file;
  std::size_t line = 0;
  Date date;
  std::string_view bytes;  // valid while its file's content is alive (current file only)
  bool same_file = false;
};

// One line under check: where it is and what it says.
struct Line {
  const JournalFile& file;
  std::size_t no = 0;
  std::string_view bytes;  // with its '\n'
  std::uint64_t seq = 0;
  std::string_view prev;
  std::string prev_decoded;  // backs `prev` when it had escapes

  std::string L() const { return fmt(_("line {1}"), no); }
};

// Walks a journal's day files in order, line by line; the first problem ends it.
class JournalChecker {
 public:
  JournalChecker(const fs::path& dir, Env& io) : dir_(dir), io_(io) {}

  VerifyResult run();

 private:
  bool fail(const fs::path& file, std::size_t line, std::string reason) {
    r_.ok = false;
    r_.broken_file = file;
    r_.broken_line = line;
    r_.reason = std::move(reason);
    return false;
  }
  bool check_file(const JournalFile& jf);
  bool check_line(Line& l, std::string_view& when);
  bool check_chain(const Line& l);
  bool check_gap(const Line& l, const std::string& mismatch);
  bool check_evidence(const Line& l, std::string_view raw_name, std::string_view raw_sha);

  const fs::path& dir_;
  Env& io_;
  LineHasher hasher_;
  std::string content_;  // the day file being checked (one buffer for all of them)
  VerifyResult r_;
  std::optional<Seen> p1_, p2_;  // the previous good line and the one before it
};

VerifyResult JournalChecker::run() {
  auto files = list_journal_files(dir_, io_);
  if (!files) {
    fail(dir_, 0, files.error().what());
    return r_;
  }
  if (files->empty()) {
    fail(dir_, 0, _("no journal day files (YYYY-MM-DD.jsonl) in this folder"));
    return r_;
  }
  for (const auto& jf : *files) {
    if (!check_file(jf)) return r_;
  }
  r_.ok = true;
  return r_;
}

bool JournalChecker::check_file(const JournalFile& jf) {
  if (auto st = io_.read_file_into(jf.path, content_); !st) return fail(jf.path, 0, st.error().what());
  ++r_.files;
  const std::string_view text = content_;
  if (p1_) p1_->same_file = false;
  if (p2_) p2_->same_file = false;
  std::size_t pos = 0, lineno = 0;
  std::string_view last_when;  // the last record's time in this file (copied out at its end)
  while (pos < text.size()) {
    ++lineno;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      return fail(jf.path, lineno,
                  _("the last line is incomplete (no line end): the player stopped while writing it; it cuts "
                    "such a line off and records journal_repaired at its next start"));
    }
    Line l{jf, lineno, text.substr(pos, nl + 1 - pos), 0, {}, {}};
    std::string_view when;
    if (!check_line(l, when)) return false;
    if (!when.empty()) last_when = when;
    pos = nl + 1;
  }
  if (!last_when.empty()) r_.last_time = string_member(last_when).value_or(std::string());
  return true;
}

bool JournalChecker::check_line(Line& l, std::string_view& when) {
  std::array<std::string_view, kKeys.size()> v;
  if (!scan_object(l.bytes.substr(0, l.bytes.size() - 1), kKeys, v)) {
    return fail(l.file.path, l.no, fmt(_("{1} is not a valid JSON object: the record was damaged or edited by hand"), l.L()));
  }
  const auto seq = scanned_unsigned(v[kSeq]);
  std::optional<std::string_view> prev = scanned_plain_string(v[kPrev]);
  if (!prev && !v[kPrev].empty()) {
    if (auto decoded = scanned_string(v[kPrev])) {
      l.prev_decoded = std::move(*decoded);
      prev = l.prev_decoded;
    }
  }
  if (!seq || !prev || v[kType].empty() || v[kType].front() != '"') {
    return fail(l.file.path, l.no, fmt(_("{1} lacks seq, type or prev: it is not a journal record (inserted by hand?)"), l.L()));
  }
  l.seq = *seq;
  l.prev = *prev;
  if (!check_chain(l)) return false;
  if (!v[kEvidence].empty() && v[kEvidence].front() == '"' && !check_evidence(l, v[kEvidence], v[kEvidenceSha])) {
    return false;
  }
  ++r_.records;
  if (!v[kTime].empty() && v[kTime].front() == '"') {
    when = v[kTime];
  } else if (!v[kStart].empty() && v[kStart].front() == '"') {
    when = v[kStart];
  }
  if (r_.records == 1) {
    r_.first_seq = l.seq;
    r_.first_time = when.empty() ? std::string() : string_member(when).value_or(std::string());
  }
  r_.last_seq = l.seq;
  p2_ = std::move(p1_);
  p1_ = Seen{hasher_.digest(l.bytes), l.seq, l.file.path, l.no, l.file.date, l.bytes, true};
  return true;
}

std::string loc(const Seen& s) { return s.file.filename().string() + ":" + std::to_string(s.line); }

bool JournalChecker::check_chain(const Line& l) {
  if (!p1_) {
    if (l.prev != genesis_prev()) {
      return fail(l.file.path, l.no,
                  fmt(_("{1}: the first record does not chain from the genesis value: earlier day files "
                        "were removed, or the first record was edited"),
                      l.L()));
    }
    if (l.seq != 1) return fail(l.file.path, l.no, fmt(_("{1}: the first record has seq {2}, not 1"), l.L(), l.seq));
    return true;
  }
  const auto prev = sha256_of_hex(l.prev);
  if (prev && *prev == p1_->hash) {
    if (l.seq == p1_->seq + 1) return true;
    return fail(l.file.path, l.no,
                fmt(_("{1}: seq {2} should be {3} (prev matches, so the seq was edited)"), l.L(), l.seq,
                    p1_->seq + 1));
  }
  const std::string mismatch = fmt(_("prev does not match the sha256 of the previous record ({1})"), loc(*p1_));
  if (p1_->same_file && l.bytes == p1_->bytes) {
    return fail(l.file.path, l.no, fmt(_("{1} is a copy of the line before it: a record was inserted"), l.L()));
  }
  if (p2_ && prev && *prev == p2_->hash) {
    return fail(p1_->file, p1_->line,
                fmt(_("line {1} was inserted: the record after it ({2}) chains from the record before it"),
                    p1_->line, l.L()));
  }
  if (l.seq == p1_->seq + 1) {
    return fail(p1_->file, p1_->line,
                fmt(_("line {1} was changed after it was written: its sha256 no longer matches the prev stored "
                      "in the next record ({2}:{3})"),
                    p1_->line, l.file.path.filename().string(), l.no));
  }
  return check_gap(l, mismatch);
}

// The chain breaks and seq jumps: records missing, or out of order.
bool JournalChecker::check_gap(const Line& l, const std::string& mismatch) {
  if (l.seq > p1_->seq + 1) {
    std::string why = fmt(_("{1}: seq {2} follows seq {3} and {4}: records seq {5} to {6} are missing"), l.L(), l.seq,
                          p1_->seq, mismatch, p1_->seq + 1, l.seq - 1);
    if (l.no == 1 && std::chrono::sys_days(l.file.date) - std::chrono::sys_days(p1_->date) > std::chrono::days(1)) {
      why += fmt(_(" (a day file between {1} and {2} was deleted?)"), format_date(p1_->date), format_date(l.file.date));
    } else {
      why += _(": they were deleted, or the records were reordered");
    }
    return fail(l.file.path, l.no, why);
  }
  return fail(l.file.path, l.no,
              fmt(_("{1}: seq {2} does not follow seq {3} and {4}: the records were reordered, copied or inserted"),
                  l.L(), l.seq, p1_->seq, mismatch));
}

bool JournalChecker::check_evidence(const Line& l, std::string_view raw_name, std::string_view raw_sha) {
  const auto name = string_member(raw_name);
  if (!name) return true;  // not a string: names no picture
  const fs::path rel = fs::path(*name);
  if (!safe_relative(rel)) {
    return fail(l.file.path, l.no, fmt(_("{1}: the evidence name {2} points outside the journal folder"), l.L(), rel.string()));
  }
  const fs::path pic = dir_ / rel;
  std::error_code ec;
  if (fs::exists(pic, ec)) {
    auto bytes = io_.read_file(pic);
    if (!bytes) return fail(l.file.path, l.no, fmt(_("{1}: cannot read the evidence picture: {2}"), l.L(), bytes.error().what()));
    const auto want = string_member(raw_sha);
    if (!want || sha256_hex(*bytes) != *want) {
      return fail(l.file.path, l.no,
                  fmt(_("{1}: the evidence picture {2} does not match the sha256 in the record: the picture was "
                        "replaced or edited"),
                      l.L(), rel.string()));
    }
    ++r_.pictures_checked;
  } else if (fs::exists(pic.parent_path(), ec)) {
    return fail(l.file.path, l.no,
                fmt(_("{1}: the evidence picture {2} is missing, though its day folder is still there (so it was "
                      "not pruned): it was deleted"),
                    l.L(), rel.string()));
  } else {
    ++r_.pictures_pruned;
  }
  return true;
}

}  // namespace

VerifyResult verify_journal(const fs::path& dir) {
  PosixEnv io(false);
  return verify_journal(dir, io);
}

VerifyResult verify_journal(const fs::path& dir, Env& io) { return JournalChecker(dir, io).run(); }

}  // namespace signage
