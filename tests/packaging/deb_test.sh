#!/usr/bin/env bash
# The Debian package, checked as an installer would meet it (issue 7):
#   1. cpack builds the .deb from the build folder;
#   2. dpkg-deb: control fields (Depends, conffiles, maintainer scripts) and the
#      file list (binary, config, units, drop folder with samples, docs, man page);
#   3. lintian reports no errors;
#   4. the package is installed into a throwaway root and its binary run there:
#      `signage --version`, and `signage check` on the installed sample playlists
#      (exit 0, both campaigns ok, nothing on stderr: no warnings);
#   5. systemd-analyze verify on the installed units, and the console unit's
#      hardening score (systemd-analyze security --offline);
#   6. reinstall keeps a deleted sample deleted; purge removes /etc/signage but
#      keeps the journal, unless SIGNAGE_PURGE_DATA=yes.
#
# How the throwaway root is made: `dpkg --root=DIR --force-script-chrootless`.
# dpkg unpacks into DIR with its own database there, and runs the maintainer
# scripts on the host with DPKG_ROOT=DIR instead of chrooting (the root holds no
# shell or libraries, and debootstrap would need the network). Our scripts honour
# DPKG_ROOT: they create the 'signage' user with `systemd-sysusers --root=DIR`
# (the host's adduser would change the host), own the folders with the ids of
# DIR's /etc/passwd, copy the samples into DIR's drop folder, and touch no
# systemd state. --force-depends: DIR has none of the libraries; the binary then
# runs from DIR with the host's libraries (the same Debian 12 ones it was linked
# against and that Depends names).
#
# Usage: deb_test.sh BUILD_DIR VERSION        (ctest passes both; needs root or
# fakeroot for the ownership dpkg and postinst set; exits 77, skipped, without)
set -euo pipefail

build=$(cd "$1" && pwd)
version=$2

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
step() { echo "== $*"; }

if [ "$(id -u)" != 0 ]; then
	if command -v fakeroot >/dev/null && [ -z "${FAKEROOTKEY:-}" ]; then
		exec fakeroot -- "$0" "$@"
	fi
	echo "SKIP: needs root (or fakeroot) to install into a throwaway root" >&2
	exit 77
fi
for tool in cpack dpkg dpkg-deb lintian systemd-analyze systemd-sysusers; do
	command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/setup (packaging/debian-packages.txt lists it)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/signage-deb-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- 1. build -----------------------------------------------------------------
step "cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
	{ cat "$work/cpack.log"; fail "cpack failed"; }
arch=$(dpkg --print-architecture)
deb="$work/cpack/signage_${version}_${arch}.deb"
[ -f "$deb" ] || { ls -R "$work/cpack" | head -20; fail "no $deb"; }

# --- 2. control fields and contents -------------------------------------------
step "dpkg-deb -I / -c"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = signage ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', want $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
echo "Depends: $depends"
for want in 'adduser' 'fontconfig' 'fonts-noto-cjk | fonts-wqy-microhei' 'libc6' 'libsdl2-2.0-0' \
	'libsdl2-ttf-2.0-0' 'libavcodec59' 'libfontconfig1' 'libsystemd0' 'libtomlplusplus3' \
	'libssl3' 'libxlsxwriter4' 'libicu72'; do
	# Each wanted entry as a whole comma-separated element (possibly with a version).
	printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/ *([^)]*)//g' | grep -qxF "$want" ||
		fail "Depends lacks '$want'"
done

dpkg-deb -I "$deb" >"$work/info"
for script in postinst prerm postrm; do
	grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script " "$work/info" || fail "no executable $script in the control archive"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles"
[ "$(cat "$work/conffiles")" = /etc/signage/signage.toml ] || fail "conffiles: $(cat "$work/conffiles")"

dpkg-deb -c "$deb" >"$work/contents"
have() { # PATH [MODE-PREFIX]: PATH is in the package (with a mode starting so)
	grep -qE "^${2:-.}[^ ]* +root/root +[0-9]+ [0-9-]+ [0-9:]+ \./${1#/}$" "$work/contents" ||
		fail "package lacks $1 ${2:+(mode $2)} owned by root"
}
have /usr/bin/signage '-rwxr-xr-x'
have /etc/signage/signage.toml '-rw-r--r--'
have /lib/systemd/system/signage.service
have /lib/systemd/system/signage-cage.service
have /lib/systemd/system/signage-x11.service
have /usr/lib/sysusers.d/signage.conf
have /var/lib/signage/playlists/ d
have /var/lib/signage/journal/ d
have /usr/share/man/man1/signage.1.gz
have /usr/share/locale/zh_CN/LC_MESSAGES/signage.mo
for doc in README.md deploy.md admin-guide.zh-CN.md playlist-format.md journal-format.md central-log.md \
	copyright changelog.gz examples/signage-central.conf; do
	have "/usr/share/doc/signage/$doc"
done
for sample in "$(dirname "$0")"/../../playlists/*.toml; do
	have "/usr/share/signage/samples/playlists/$(basename "$sample")"
done
for media in "$(dirname "$0")"/../../assets/media/*.png; do
	have "/usr/share/signage/samples/playlists/media/$(basename "$media")"
done
if grep -vE ' \./(etc/signage|lib/systemd/system|usr/(bin|lib/sysusers\.d|share/(doc|man|signage|locale))|var/lib/signage)?(/|$)' "$work/contents" |
	grep -vE ' \./(etc|lib|lib/systemd|usr|usr/lib|usr/share|var|var/lib)/$'; then
	fail "files outside the expected folders (above)"
fi
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/signage >"$work/signage.bin"
if readelf -S "$work/signage.bin" | grep -q '\.debug_info'; then fail "/usr/bin/signage is not stripped"; fi

# --- 3. lintian ----------------------------------------------------------------
step "lintian"
# Errors fail; warnings and infos are printed for the reader. No overrides.
lintian --fail-on error --info --display-info "$deb" >"$work/lintian" 2>&1 || {
	cat "$work/lintian"
	fail "lintian reports errors"
}
grep -E '^[EWI]: ' "$work/lintian" || true
! grep -q '^E: ' "$work/lintian" || fail "lintian: errors above"

# --- 4. install into a throwaway root -------------------------------------------
step "dpkg --root (chrootless maintainer scripts)"
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/etc"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
rdpkg() { dpkg --root="$root" --log=/dev/null --force-script-chrootless --force-depends --force-unsafe-io "$@"; }
rdpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i into $root failed"; }
grep -q '^Status: install ok installed' "$root/var/lib/dpkg/status" || fail "signage not 'install ok installed' in $root"

grep -q '^signage:x:[0-9]*:[0-9]*:[^:]*:/var/lib/signage:/usr/sbin/nologin$' "$root/etc/passwd" ||
	fail "postinst made no 'signage' system user: $(cat "$root/etc/passwd")"
for g in video render audio; do
	grep -qE "^$g:x:[0-9]+:(.*,)?signage(,.*)?$" "$root/etc/group" || fail "'signage' is not in group $g"
done
uid=$(awk -F: '$1 == "signage" { print $3 }' "$root/etc/passwd")
for d in playlists:2775 journal:2750; do
	got=$(stat -c '%u %a' "$root/var/lib/signage/${d%:*}")
	[ "$got" = "$uid ${d#*:}" ] || fail "/var/lib/signage/${d%:*} is '$got' (uid mode), want '$uid ${d#*:}'"
done
[ -f "$root/var/lib/signage/playlists/media/fire-exit.png" ] || fail "samples' media not in the drop folder"
[ "$(stat -c %u "$root/var/lib/signage/playlists/daily.toml")" = "$uid" ] || fail "samples not owned by signage"

step "signage --version / check, from the installed root"
out=$("$root/usr/bin/signage" --version) || fail "signage --version exited $?"
[ "$out" = "signage $version" ] || fail "signage --version printed '$out'"

# Chinese from the installed catalog, whatever locales the box has generated.
LANG=zh_CN.UTF-8 "$root/usr/bin/signage" check --help | grep -q '放入前检查节目单' ||
	fail "LANG=zh_CN.UTF-8 signage check --help is not in Chinese"

drop="$root/var/lib/signage/playlists"
set +e
"$root/usr/bin/signage" check "$drop" >"$work/check.out" 2>"$work/check.err"
rc=$?
set -e
cat "$work/check.out" "$work/check.err"
[ "$rc" = 0 ] || fail "signage check exited $rc"
[ ! -s "$work/check.err" ] || fail "signage check printed warnings or errors (above)"
for c in 2024-safety-month daily-safety; do
	grep -qE "^$drop/[^:]+\.toml: ok: campaign '$c'(, .*)?$" "$work/check.out" || fail "campaign '$c' not ok"
done
[ "$(grep -c ": ok: campaign " "$work/check.out")" = 2 ] || fail "want exactly two campaigns"
grep -q "^on screen now" "$work/check.out" || fail "check DIR should say what is on screen now"

# --- 5. the units ---------------------------------------------------------------
step "systemd-analyze verify / security"
# verify --root resolves ExecStart= and the units' dependencies inside the root:
# give it the host's own units (sysinit.target, getty@.service...) and, for the
# alternatives, stand-ins for cage and xinit (Suggests, not installed here).
# MANPATH lets its Documentation=man:signage(1) check find our man page.
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
for stub in cage xinit; do
	printf '#!/bin/sh\nexit 0\n' >"$root/usr/bin/$stub"
	chmod 0755 "$root/usr/bin/$stub"
done
units=(/lib/systemd/system/signage.service /lib/systemd/system/signage-cage.service /lib/systemd/system/signage-x11.service)
man_check=yes
command -v man >/dev/null || man_check=no
set +e
MANPATH="$root/usr/share/man" systemd-analyze verify --man="$man_check" --root="$root" "${units[@]}" >"$work/verify" 2>&1
rc=$?
set -e
cat "$work/verify"
[ "$rc" = 0 ] || fail "systemd-analyze verify exited $rc"
[ ! -s "$work/verify" ] || fail "systemd-analyze verify complained (above)"
unit="$root/lib/systemd/system/signage.service"
for want in Type=notify WatchdogSec=30s Restart=always StartLimitIntervalSec=0 User=signage \
	Conflicts=getty@tty1.service TTYPath=/dev/tty1 Environment=SDL_VIDEODRIVER=kmsdrm ProtectSystem=strict \
	ProtectHome=yes NoNewPrivileges=yes ReadWritePaths=/var/lib/signage DevicePolicy=closed; do
	grep -qE "^${want%%=*}=(.* )?${want#*=}( |$)" "$unit" || fail "signage.service lacks $want"
done
# The exposure score (0 best, 10 worst); fails above 3.0 ("OK" is below 4).
systemd-analyze security --offline=true --root="$root" --threshold=30 signage.service >"$work/security" 2>&1 || {
	cat "$work/security"
	fail "signage.service is less hardened than before"
}
tail -n1 "$work/security"

# --- 6. reinstall, purge ----------------------------------------------------------
step "reinstall keeps the admin's deletions; purge keeps the journal"
rm "$drop/daily.toml"
echo '{"seq":1}' >"$root/var/lib/signage/journal/2024-06-16.jsonl"
rdpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "reinstall failed"; }
[ ! -e "$drop/daily.toml" ] || fail "reinstall brought back a sample the admin deleted"

rdpkg --purge signage >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "purge failed"; }
[ ! -e "$root/etc/signage" ] || fail "purge left /etc/signage"
[ ! -e "$root/usr/bin/signage" ] || fail "purge left the binary"
[ -f "$root/var/lib/signage/journal/2024-06-16.jsonl" ] || fail "purge deleted the journal"
grep -q 'kept /var/lib/signage' "$work/dpkg.log" || fail "purge did not say it kept /var/lib/signage"

rdpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "install after purge failed"; }
[ -f "$root/etc/signage/signage.toml" ] || fail "install after purge has no config"
SIGNAGE_PURGE_DATA=yes rdpkg --purge signage >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "purge failed"; }
[ ! -e "$root/var/lib/signage" ] || fail "SIGNAGE_PURGE_DATA=yes purge left /var/lib/signage"

echo "PASS: signage_${version}_${arch}.deb"
