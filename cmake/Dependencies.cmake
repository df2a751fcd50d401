# All third-party dependencies come from Debian 12 packages
# (packaging/debian-packages.txt). Each is wrapped in one imported target here so
# that modules link by name and never repeat flags.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# C libraries. SYSTEM keeps their headers' warnings out of ours.
pkg_check_modules(SDL2 REQUIRED IMPORTED_TARGET sdl2)
pkg_check_modules(SDL2_TTF REQUIRED IMPORTED_TARGET SDL2_ttf)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale libswresample)
pkg_check_modules(FONTCONFIG REQUIRED IMPORTED_TARGET fontconfig)
# Word boundaries of Chinese text (dictionary segmentation) for line breaking.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# The report's Excel output (signage report --format xlsx).
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
find_package(OpenSSL REQUIRED COMPONENTS Crypto SSL)

# Header-only C++ libraries.
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)

if(SIGNAGE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
