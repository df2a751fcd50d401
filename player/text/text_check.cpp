// What `signage check` finds in a campaign's texts by laying them out with the
// player's own code (text.h, check_campaign_texts).
#include <set>

#include "core/i18n.h"
#include "core/text_util.h"
#include "text/prepare.h"
#include "text/text.h"

namespace signage {
namespace {

// The slogan zone of a 1920x1080 screen (render/scene.cpp: 6 % margins): what
// draws there draws at any size.
constexpr int kBoxW = 1920 - 2 * 64, kBoxH = 1080 - 2 * 64;

bool draws_something(FontSet& fonts, const std::string& text, FontWeight weight, bool one_line) {
  const TextLayout l = one_line ? fit_line(fonts, text, 120, 120, weight) : fit_text(fonts, text, kBoxW, kBoxH, 200, weight);
  if (l.lines.empty() || l.width <= 0) return false;
  auto img = draw_text(fonts, l, std::max(1, std::min(l.width, 4096)), std::max(1, l.height), Rgb{255, 255, 255}, weight);
  if (!img) return false;
  for (std::size_t i = 3; i < img->rgba.size(); i += 4) {
    if (img->rgba[i] != 0) return true;
  }
  return false;
}

void check_one(FontSet& fonts, const std::string& text, TextKind kind, FontWeight weight, const SourcePos& where,
               const std::string& what, std::vector<Diagnostic>& out) {
  const PreparedText p = prepare_text(text, kind);
  std::set<char32_t> missing;
  for (char32_t c : p.text) {
    if (c != U' ' && c != U'\n' && c != U'\u3000' && !has_glyph(fonts, c)) missing.insert(c);
  }
  for (char32_t c : missing) {
    out.push_back({Severity::warning, where,
                   fmt(_("{1}: no installed font has {2} ({3}); it shows as an empty box: replace or remove it"),
                       what, u32_to_utf8(std::u32string(1, c)), describe_char(c))});
  }
  if (!draws_something(fonts, text, weight, kind == TextKind::ticker)) {
    out.push_back({Severity::error, where,
                   fmt(_("{1}: the text draws nothing on screen with the installed fonts; write visible text"),
                       what)});
  }
}

}  // namespace

std::vector<Diagnostic> check_campaign_texts(FontSet& fonts, const Campaign& c) {
  std::vector<Diagnostic> out;
  for (const Item& item : c.items) {
    if (item.type != ItemType::slogan) continue;
    check_one(fonts, item.text, TextKind::slogan, item.style.weight, item.pos, c.id + "/" + item.id, out);
  }
  const SourcePos file{c.source.string(), 0, 0};
  for (std::size_t i = 0; i < c.ticker.texts.size(); ++i) {
    check_one(fonts, c.ticker.texts[i], TextKind::ticker, c.ticker.style.weight, file,
              c.id + "/" + c.ticker.id + " #" + std::to_string(i + 1), out);
  }
  return out;
}

}  // namespace signage
