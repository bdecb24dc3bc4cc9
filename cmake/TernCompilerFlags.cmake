# Warnings and sanitizers for every target of the project (not for third-party code).
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(TERN_WERROR)
  add_compile_options(-Werror)
endif()
if(TERN_SANITIZE)
  string(REPLACE "," ";" _tern_sanitizers "${TERN_SANITIZE}")
  foreach(_s IN LISTS _tern_sanitizers)
    add_compile_options(-fsanitize=${_s})
    add_link_options(-fsanitize=${_s})
  endforeach()
  add_compile_options(-fno-omit-frame-pointer -fno-sanitize-recover=all)
  # GCC 12 reports false maybe-uninitialized warnings inside libstdc++ (std::regex) when sanitizers
  # instrument the code; the sanitizers themselves check that at run time.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()

# Fuzzing (fuzz/, scripts/fuzz): clang instruments the whole tree for libFuzzer's coverage and
# checks it with AddressSanitizer and UndefinedBehaviorSanitizer; the fuzz targets link libFuzzer.
option(TERN_FUZZ "Build the libFuzzer targets (clang); instruments every target" OFF)
if(TERN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TERN_FUZZ needs clang: CC=clang CXX=clang++ cmake -S . -B build-fuzz -DTERN_FUZZ=ON")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# Libraries of the core must build headless: a guard that wxWidgets never reaches them.
function(tern_core_library target)
  get_target_property(_libs ${target} LINK_LIBRARIES)
  foreach(_l IN LISTS _libs)
    if(_l MATCHES "wx")
      message(FATAL_ERROR "${target} must not link wxWidgets (found ${_l})")
    endif()
  endforeach()
endfunction()
