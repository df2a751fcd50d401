# The Debian package (cpack -G DEB in the build folder): what goes where, and the
# control fields. Layout (FHS, as the unit and the default config expect):
#
#   /usr/bin/signage                         the player
#   /etc/signage/signage.toml                device config (a conffile)
#   /lib/systemd/system/signage*.service     the console unit (enabled) and the
#                                            cage / X11 alternatives (not enabled)
#   /usr/lib/sysusers.d/signage.conf         the 'signage' user, for systemd-sysusers
#   /var/lib/signage/playlists/              the drop folder (postinst fills it with
#   /var/lib/signage/journal/                the samples on first install); journals
#   /usr/share/signage/samples/playlists/    sample playlists and their media/
#   /usr/share/doc/signage/                  README, deploy guide, formats, copyright
#   /usr/share/man/man1/signage.1.gz         the man page
#
# Absolute destinations on purpose: /etc, /var and /lib/systemd are where the
# system looks, whatever CMAKE_INSTALL_PREFIX is (/usr for the package).

set(SIGNAGE_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(SIGNAGE_PKG_OUT ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${SIGNAGE_PKG_OUT})

# Files Debian wants compressed (gzip -n: no time stamp, so builds repeat exactly).
configure_file(${SIGNAGE_PKG_DIR}/debian/changelog.in ${SIGNAGE_PKG_OUT}/changelog @ONLY)
set(_signage_gz)
foreach(pair "${PROJECT_SOURCE_DIR}/docs/signage.1|signage.1.gz" "${SIGNAGE_PKG_OUT}/changelog|changelog.gz")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 src)
  list(GET pair 1 dst)
  add_custom_command(OUTPUT ${SIGNAGE_PKG_OUT}/${dst}
    COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" sh ${src} ${SIGNAGE_PKG_OUT}/${dst}
    DEPENDS ${src} VERBATIM)
  list(APPEND _signage_gz ${SIGNAGE_PKG_OUT}/${dst})
endforeach()
add_custom_target(signage_package_files ALL DEPENDS ${_signage_gz})

install(FILES ${SIGNAGE_PKG_DIR}/signage.toml DESTINATION /etc/signage)
install(FILES ${SIGNAGE_PKG_DIR}/systemd/signage.service ${SIGNAGE_PKG_DIR}/systemd/signage-cage.service
              ${SIGNAGE_PKG_DIR}/systemd/signage-x11.service
        DESTINATION /lib/systemd/system)
install(FILES ${SIGNAGE_PKG_DIR}/sysusers.d/signage.conf DESTINATION lib/sysusers.d)
install(DIRECTORY DESTINATION /var/lib/signage/playlists)
install(DIRECTORY DESTINATION /var/lib/signage/journal)

file(GLOB _signage_sample_playlists CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/playlists/*.toml)
file(GLOB _signage_sample_media CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/assets/media/*.png)
install(FILES ${_signage_sample_playlists} DESTINATION share/signage/samples/playlists)
install(FILES ${_signage_sample_media} DESTINATION share/signage/samples/playlists/media)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/deploy.md
              ${PROJECT_SOURCE_DIR}/docs/admin-guide.zh-CN.md ${PROJECT_SOURCE_DIR}/docs/playlist-format.md
              ${PROJECT_SOURCE_DIR}/docs/journal-format.md ${PROJECT_SOURCE_DIR}/docs/central-log.md
              ${PROJECT_SOURCE_DIR}/docs/report.md
              ${SIGNAGE_PKG_DIR}/debian/copyright ${SIGNAGE_PKG_OUT}/changelog.gz
        DESTINATION share/doc/signage)
# The log host's side of the central log (docs/central-log.md).
install(FILES ${SIGNAGE_PKG_DIR}/rsyslog/signage-central.conf DESTINATION share/doc/signage/examples)
install(FILES ${SIGNAGE_PKG_OUT}/signage.1.gz DESTINATION share/man/man1)

set(SIGNAGE_DEB_MAINTAINER "signage maintainers <signage-maintainers@example.org>"
    CACHE STRING "Maintainer field of the .deb")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME signage)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "signage")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fullscreen player for safety-publicity screens")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Turns a small Debian box behind a lobby or shop screen into a signage player:
it rotates safety slogans (Chinese text), banners and videos according to
TOML playlists that admins drop into /var/lib/signage/playlists.
.
The package runs the player as a systemd service on the console (KMS/DRM),
restarted after crashes and freezes, with alternative units for the cage
Wayland kiosk compositor and for X11.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SIGNAGE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries come from dpkg-shlibdeps (libsdl2, libavcodec, ...); the rest
# is what the player or its maintainer scripts use without linking to it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libxlsxwriter4: `signage report --format xlsx` (dpkg-shlibdeps finds it too; named
# here so that the package says so even where the binary is linked another way).
# fonts-noto-cjk: Noto Sans CJK SC with a real bold face; wqy-microhei also works (the
# bold styles then use synthetic bold, which the start-up log says).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, fontconfig, fonts-noto-cjk | fonts-wqy-microhei, libxlsxwriter4")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cage, xinit, xserver-xorg-core, va-driver-all")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SIGNAGE_PKG_DIR}/debian/conffiles ${SIGNAGE_PKG_DIR}/debian/postinst
    ${SIGNAGE_PKG_DIR}/debian/prerm ${SIGNAGE_PKG_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
