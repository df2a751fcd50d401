function(signage_apply_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(SIGNAGE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 at -O3 (Release) warns falsely inside libstdc++ itself: -Wrestrict in
    # operator+(const char*, std::string&&) (GCC bug 105329), -Wmaybe-uninitialized
    # of std::optional members and -Warray-bounds in std::string's inlined copies
    # (bug 105651). They stay visible as warnings there; every other warning, and
    # these at -O2 (RelWithDebInfo, the tested build) and with GCC 13, still fail
    # the build.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE
        $<$<CONFIG:Release>:-Wno-error=restrict -Wno-error=maybe-uninitialized -Wno-error=array-bounds>)
    endif()
  endif()
endfunction()
