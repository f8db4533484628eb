# Warnings for sfc's own targets (never for third-party code).
function(sfc_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SFC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
