function(signage_apply_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(SIGNAGE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
