#!/bin/sh
# Every message marked for translation in player/ (_(), N_(), P_()) has a Chinese
# translation in po/zh_CN.po that is not fuzzy, and the catalog compiles cleanly.
# Usage: po_check.sh SOURCE_DIR   (run by ctest as po_complete)
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
find player -name '*.cpp' -o -name '*.h' | sort > "$tmp/files"
xgettext --language=C++ --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=translate:2 \
  --files-from="$tmp/files" --output="$tmp/signage.pot"
msgfmt --check --output-file=/dev/null po/zh_CN.po
# msgcmp counts untranslated and fuzzy entries as missing.
if ! msgcmp po/zh_CN.po "$tmp/signage.pot" 2> "$tmp/missing"; then
  cat "$tmp/missing" >&2
  echo "po_check: messages above lack a Chinese translation; run 'cmake --build build --target update-po' and translate them in po/zh_CN.po" >&2
  exit 1
fi
echo "po_check: every marked message has a Chinese translation"
