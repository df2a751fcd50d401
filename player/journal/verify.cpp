#include "journal/verify.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "journal/journal.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;

std::string VerifyResult::summary() const {
  if (ok) {
    std::string s = "intact: " + std::to_string(records) + " records in " + std::to_string(files) + " day file" +
                    (files == 1 ? "" : "s");
    if (records > 0) {
      s += ", seq " + std::to_string(first_seq) + " to " + std::to_string(last_seq) + ", " + first_time + " to " +
           last_time;
    }
    s += "; " + std::to_string(pictures_checked) + " evidence picture" + (pictures_checked == 1 ? "" : "s") +
         " match";
    if (pictures_pruned > 0) s += ", " + std::to_string(pictures_pruned) + " pruned by retention";
    return s;
  }
  std::string where = broken_file.string();
  if (broken_line > 0) where += ":" + std::to_string(broken_line);
  return where + ": " + reason;
}

namespace {

struct Seen {
  std::string hash;
  std::uint64_t seq = 0;
  fs::path file;
  std::size_t line = 0;
  Date date;
  std::string_view bytes;  // valid while its file's content is alive (current file only)
  bool same_file = false;
};

std::string loc(const Seen& s) { return s.file.filename().string() + ":" + std::to_string(s.line); }

bool safe_relative(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

VerifyResult verify_journal(const fs::path& dir) {
  PosixJournalIo io(false);
  return verify_journal(dir, io);
}

VerifyResult verify_journal(const fs::path& dir, JournalIo& io) {
  VerifyResult r;
  auto fail = [&](const fs::path& file, std::size_t line, std::string reason) {
    r.ok = false;
    r.broken_file = file;
    r.broken_line = line;
    r.reason = std::move(reason);
    return r;
  };
  auto files = list_journal_files(dir, io);
  if (!files) return fail(dir, 0, files.error().what());
  if (files->empty()) return fail(dir, 0, "no journal day files (YYYY-MM-DD.jsonl) in this folder");

  std::optional<Seen> p1, p2;  // the previous good line and the one before it
  for (const auto& jf : *files) {
    auto content = io.read_file(jf.path);
    if (!content) return fail(jf.path, 0, content.error().what());
    ++r.files;
    const std::string_view text = *content;
    if (p1) p1->same_file = false;
    if (p2) p2->same_file = false;
    std::size_t pos = 0, lineno = 0;
    while (pos < text.size()) {
      ++lineno;
      const std::size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        return fail(jf.path, lineno,
                    "the last line is incomplete (no line end): the player stopped while writing it; it cuts such a "
                    "line off and records journal_repaired at its next start");
      }
      const std::string_view line = text.substr(pos, nl + 1 - pos);
      const std::string L = "line " + std::to_string(lineno);
      const json j = json::parse(line.substr(0, line.size() - 1), nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        return fail(jf.path, lineno, L + " is not a valid JSON object: the record was damaged or edited by hand");
      }
      const auto seq_it = j.find("seq");
      const auto prev_it = j.find("prev");
      const auto type_it = j.find("type");
      if (seq_it == j.end() || !seq_it->is_number_unsigned() || prev_it == j.end() || !prev_it->is_string() ||
          type_it == j.end() || !type_it->is_string()) {
        return fail(jf.path, lineno, L + " lacks seq, type or prev: it is not a journal record (inserted by hand?)");
      }
      const std::uint64_t seq = seq_it->get<std::uint64_t>();
      const std::string& prev = prev_it->get_ref<const std::string&>();

      if (!p1) {
        if (prev != genesis_prev()) {
          return fail(jf.path, lineno,
                      L + ": the first record does not chain from the genesis value: earlier day files were "
                          "removed, or the first record was edited");
        }
        if (seq != 1) {
          return fail(jf.path, lineno, L + ": the first record has seq " + std::to_string(seq) + ", not 1");
        }
      } else if (prev != p1->hash) {
        const std::string mismatch = "prev does not match the sha256 of the previous record (" + loc(*p1) + ")";
        if (p1->same_file && line == p1->bytes) {
          return fail(jf.path, lineno, L + " is a copy of the line before it: a record was inserted");
        }
        if (p2 && prev == p2->hash) {
          return fail(p1->file, p1->line,
                      "line " + std::to_string(p1->line) + " was inserted: the record after it (" + L +
                          ") chains from the record before it");
        }
        if (seq == p1->seq + 1) {
          return fail(p1->file, p1->line,
                      "line " + std::to_string(p1->line) +
                          " was changed after it was written: its sha256 no longer matches the prev stored in the "
                          "next record (" + jf.path.filename().string() + ":" + std::to_string(lineno) + ")");
        }
        if (seq > p1->seq + 1) {
          std::string why = L + ": seq " + std::to_string(seq) + " follows seq " + std::to_string(p1->seq) +
                            " and " + mismatch + ": records seq " + std::to_string(p1->seq + 1) + " to " +
                            std::to_string(seq - 1) + " are missing";
          if (lineno == 1 && std::chrono::sys_days(jf.date) - std::chrono::sys_days(p1->date) > std::chrono::days(1)) {
            why += " (a day file between " + format_date(p1->date) + " and " + format_date(jf.date) +
                   " was deleted?)";
          } else {
            why += ": they were deleted, or the records were reordered";
          }
          return fail(jf.path, lineno, why);
        }
        return fail(jf.path, lineno,
                    L + ": seq " + std::to_string(seq) + " does not follow seq " + std::to_string(p1->seq) +
                        " and " + mismatch + ": the records were reordered, copied or inserted");
      } else if (seq != p1->seq + 1) {
        return fail(jf.path, lineno,
                    L + ": seq " + std::to_string(seq) + " should be " + std::to_string(p1->seq + 1) +
                        " (prev matches, so the seq was edited)");
      }

      if (const auto ev = j.find("evidence"); ev != j.end() && ev->is_string()) {
        const fs::path rel = fs::path(ev->get<std::string>());
        if (!safe_relative(rel)) {
          return fail(jf.path, lineno, L + ": the evidence name " + rel.string() + " points outside the journal folder");
        }
        const fs::path pic = dir / rel;
        std::error_code ec;
        if (fs::exists(pic, ec)) {
          auto bytes = io.read_file(pic);
          if (!bytes) return fail(jf.path, lineno, L + ": cannot read the evidence picture: " + bytes.error().what());
          const auto want = j.find("evidence_sha256");
          if (want == j.end() || !want->is_string() || sha256_hex(*bytes) != want->get<std::string>()) {
            return fail(jf.path, lineno,
                        L + ": the evidence picture " + rel.string() +
                            " does not match the sha256 in the record: the picture was replaced or edited");
          }
          ++r.pictures_checked;
        } else if (fs::exists(pic.parent_path(), ec)) {
          return fail(jf.path, lineno,
                      L + ": the evidence picture " + rel.string() +
                          " is missing, though its day folder is still there (so it was not pruned): it was deleted");
        } else {
          ++r.pictures_pruned;
        }
      }

      ++r.records;
      std::string when;
      if (const auto t = j.find("time"); t != j.end() && t->is_string()) {
        when = t->get<std::string>();
      } else if (const auto s = j.find("start"); s != j.end() && s->is_string()) {
        when = s->get<std::string>();
      }
      if (r.records == 1) {
        r.first_seq = seq;
        r.first_time = when;
      }
      r.last_seq = seq;
      if (!when.empty()) r.last_time = when;
      p2 = std::move(p1);
      p1 = Seen{sha256_hex(line), seq, jf.path, lineno, jf.date, line, true};
      pos = nl + 1;
    }
  }
  r.ok = true;
  return r;
}

}  // namespace signage
