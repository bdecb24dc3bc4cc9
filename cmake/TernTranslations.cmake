# The desktop app's translations (resources/po, scripts/update-translations): every <lang>.po is
# checked and compiled by msgfmt into <build>/locale/<lang>/LC_MESSAGES/tern.mo at build time, where
# a program run from the build tree finds it, and installed into share/locale (Tern.app's
# Resources/locale on macOS), where the installed program finds it relative to its own folder.
# Included before the targets exist: it writes tern/core/locale_dirs.hpp for ui/src/ui_language.cpp.

set(TERN_LOCALE_BUILD_DIR "${PROJECT_BINARY_DIR}/locale")
if(APPLE)
  set(TERN_INSTALLED_LOCALE_RELATIVE "../Resources/locale")
else()
  file(RELATIVE_PATH TERN_INSTALLED_LOCALE_RELATIVE "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_LOCALEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/locale_dirs.hpp.in ${PROJECT_BINARY_DIR}/generated/tern/core/locale_dirs.hpp
               @ONLY)

# Called once the programs are defined: compiles the catalogs and makes the programs depend on them.
# Sets TERN_TRANSLATION_LANGUAGES and TERN_TRANSLATION_MO_FILES for installer/Packaging.cmake.
function(tern_translations)
  find_program(TERN_MSGFMT msgfmt REQUIRED)  # gettext (scripts/install-deps)
  file(GLOB _po_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/resources/po/*.po")
  set(_languages)
  set(_mo_files)
  foreach(_po IN LISTS _po_files)
    get_filename_component(_lang "${_po}" NAME_WE)
    set(_mo "${TERN_LOCALE_BUILD_DIR}/${_lang}/LC_MESSAGES/tern.mo")
    # --check: placeholders, plural forms and the header must be right, or the build fails.
    add_custom_command(OUTPUT "${_mo}"
                       COMMAND ${CMAKE_COMMAND} -E make_directory "${TERN_LOCALE_BUILD_DIR}/${_lang}/LC_MESSAGES"
                       COMMAND "${TERN_MSGFMT}" --check -o "${_mo}" "${_po}"
                       DEPENDS "${_po}"
                       COMMENT "Compiling the ${_lang} catalog"
                       VERBATIM)
    list(APPEND _languages "${_lang}")
    list(APPEND _mo_files "${_mo}")
  endforeach()
  add_custom_target(tern_translations ALL DEPENDS ${_mo_files})
  foreach(_target tern tern_gui_tests)
    if(TARGET ${_target})
      add_dependencies(${_target} tern_translations)
    endif()
  endforeach()
  set(TERN_TRANSLATION_LANGUAGES "${_languages}" PARENT_SCOPE)
  set(TERN_TRANSLATION_MO_FILES "${_mo_files}" PARENT_SCOPE)
endfunction()
