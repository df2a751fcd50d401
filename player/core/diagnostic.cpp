#include "core/diagnostic.h"

#include <algorithm>

#include "core/i18n.h"

namespace signage {

namespace {

// The position in words, before the message, for readers of a translation: Notepad
// shows "第 3 行，第 12 列", not "3:12". English keeps the compilers' form alone.
std::string with_position(const SourcePos& where, const std::string& message) {
  if (message_language() == Language::en || where.line <= 0) return message;
  if (where.column <= 0) return fmt(_("line {1}: {2}"), where.line, message);
  return fmt(_("line {1}, column {2}: {3}"), where.line, where.column, message);
}

}  // namespace

std::string Diagnostic::format() const {
  std::string place = where.file;
  if (where.line > 0) {
    place += ':' + std::to_string(where.line);
    if (where.column > 0) place += ':' + std::to_string(where.column);
  }
  const std::string text = with_position(where, message);
  // "file:line:col:" stays first in every language, so editors jump to it.
  return severity == Severity::error ? fmt(_("{1}: error: {2}"), place, text)
                                     : fmt(_("{1}: warning: {2}"), place, text);
}

bool has_errors(const std::vector<Diagnostic>& diags) {
  return std::any_of(diags.begin(), diags.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace signage
