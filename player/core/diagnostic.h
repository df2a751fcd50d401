// A problem found in a user's file, with where it is. Printed the way compilers do,
// "playlists/a.toml:12:9: error: ...", so editors and admins can jump to it.
#pragma once

#include <string>
#include <vector>

namespace signage {

struct SourcePos {
  std::string file;  // as the user named it
  int line = 0;      // 1-based; 0 when unknown (then column is ignored)
  int column = 0;    // 1-based; 0 when unknown
};

enum class Severity { warning, error };

struct Diagnostic {
  Severity severity = Severity::error;
  SourcePos where;
  std::string message;

  // "file:line:col: error: message" (line and column left out when unknown), in the
  // message language (core/i18n.h): in Chinese
  // "file:line:col: 错误：第 3 行第 12 列：message". `message` is already translated.
  std::string format() const;
};

bool has_errors(const std::vector<Diagnostic>& diags);

}  // namespace signage
