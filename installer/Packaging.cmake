# Installation rules and CPack packages (DESIGN §1, issue 10).
#   Linux:   cmake --build build --target package   -> .deb, .rpm and .tar.gz in build/
#   Windows: NSIS installer (+ zip); macOS: DragNDrop .dmg with Tern.app. See README "Packages".
# Only the two programs and their data are installed: the static libraries, tests, benchmarks and
# fuzzers have no install() rule (tests/package checks the packages' file lists).
# TERN_INSTALL_DATADIR and the install layout come from installer/InstallDirs.cmake.

# --- Package facts -------------------------------------------------------------------------------
# PLACEHOLDERS: the project has not published a maintainer address, a homepage or a licence yet.
# Packagers set the real ones on the cmake command line; the packages say plainly that they are
# placeholders until then.
set(TERN_PACKAGE_MAINTAINER "Tern maintainers (placeholder) <tern-maintainers@example.org>" CACHE STRING
    "Maintainer of the packages, 'Name <address>' (the default is a placeholder)")
set(TERN_HOMEPAGE "https://example.org/tern" CACHE STRING "Project homepage (the default is a placeholder)")
set(TERN_LICENSE "" CACHE STRING
    "SPDX licence expression of Tern; empty while the project has not chosen one (packages then say so)")
if(TERN_LICENSE)
  set(_tern_license_field "${TERN_LICENSE}")
  set(TERN_METAINFO_PROJECT_LICENSE "<project_license>${TERN_LICENSE}</project_license>")
else()
  set(_tern_license_field "LicenseRef-Tern-not-yet-chosen")
  set(TERN_METAINFO_PROJECT_LICENSE "<!-- no project_license: Tern has not chosen a licence yet -->")
endif()
# The release date of the metainfo and the Debian changelog: SOURCE_DATE_EPOCH when set, else today.
string(TIMESTAMP TERN_RELEASE_DATE "%Y-%m-%d" UTC)
string(TIMESTAMP TERN_RELEASE_RFC2822 "%a, %d %b %Y %H:%M:%S +0000" UTC)

set(TERN_APP_ID "org.tern.Tern")
set(_tern_res "${PROJECT_SOURCE_DIR}/resources")
set(_tern_gen "${PROJECT_BINARY_DIR}/installer")
file(MAKE_DIRECTORY "${_tern_gen}")

# --- Programs and data ---------------------------------------------------------------------------
if(APPLE AND TERN_BUILD_UI)
  # Tern.app: the GUI program is the bundle executable, tern-cli sits beside it.
  set(_tern_bundle "Tern.app/Contents")
  set_target_properties(tern PROPERTIES
    MACOSX_BUNDLE ON
    MACOSX_BUNDLE_INFO_PLIST "${PROJECT_SOURCE_DIR}/installer/macos/Info.plist.in"
    MACOSX_BUNDLE_BUNDLE_NAME "Tern"
    MACOSX_BUNDLE_GUI_IDENTIFIER "${TERN_APP_ID}"
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_ICON_FILE "Tern.icns"
    OUTPUT_NAME "Tern")
  install(TARGETS tern BUNDLE DESTINATION .)
  install(TARGETS tern-cli RUNTIME DESTINATION "${_tern_bundle}/MacOS")
  install(TARGETS tern-html-view LIBRARY DESTINATION "${_tern_bundle}/PlugIns")
  install(FILES "${_tern_res}/providers.json" DESTINATION "${_tern_bundle}/Resources")
  if(TERN_MACOS_ICNS)
    install(FILES "${TERN_MACOS_ICNS}" DESTINATION "${_tern_bundle}/Resources" RENAME Tern.icns)
  endif()
else()
  # Windows: the DLLs the programs load are collected into bin/ as well (see below).
  set(_tern_dep_set)
  if(WIN32)
    set(_tern_dep_set RUNTIME_DEPENDENCY_SET tern_runtime_deps)
  endif()
  install(TARGETS tern-cli ${_tern_dep_set} RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  if(TERN_BUILD_UI)
    install(TARGETS tern ${_tern_dep_set} RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
    # Where the program looks for it: TERN_HTML_VIEW_PLUGIN_RELATIVE from bin/.
    if(WIN32)
      install(TARGETS tern-html-view ${_tern_dep_set} LIBRARY DESTINATION "${CMAKE_INSTALL_BINDIR}")
    else()
      install(TARGETS tern-html-view LIBRARY DESTINATION "lib/tern")
    endif()
  endif()
  # The programs look for it at TERN_INSTALLED_PROVIDERS_RELATIVE from their own folder.
  install(FILES "${_tern_res}/providers.json" DESTINATION "${TERN_INSTALL_DATADIR}")
endif()

# Translations arrive with the desktop app: the catalogs compiled from resources/po at build time
# (cmake/TernTranslations.cmake).
foreach(_mo _mo_lang IN ZIP_LISTS TERN_TRANSLATION_MO_FILES TERN_TRANSLATION_LANGUAGES)
  if(APPLE AND TERN_BUILD_UI)
    install(FILES "${_mo}" DESTINATION "${_tern_bundle}/Resources/locale/${_mo_lang}/LC_MESSAGES")
  else()
    install(FILES "${_mo}" DESTINATION "${CMAKE_INSTALL_LOCALEDIR}/${_mo_lang}/LC_MESSAGES")
  endif()
endforeach()

# --- Linux desktop integration, man pages, relay unit, Debian docs -------------------------------
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  find_program(TERN_GZIP gzip REQUIRED)
  # gzip -n: no name or timestamp in the header (reproducible, and what lintian expects).
  function(tern_gzip_file input output)
    add_custom_command(OUTPUT "${output}"
                       COMMAND "${TERN_GZIP}" -9nc "${input}" > "${output}"
                       DEPENDS "${input}" VERBATIM)
  endfunction()

  set(_tern_generated_files)

  # Man pages (their @VERSION@ filled in).
  set(_tern_man_pages tern-cli)
  if(TERN_BUILD_UI)
    list(APPEND _tern_man_pages tern)
  endif()
  set(VERSION "${PROJECT_VERSION}")
  foreach(_page IN LISTS _tern_man_pages)
    configure_file("${PROJECT_SOURCE_DIR}/docs/man/${_page}.1" "${_tern_gen}/man/${_page}.1" @ONLY)
    tern_gzip_file("${_tern_gen}/man/${_page}.1" "${_tern_gen}/man/${_page}.1.gz")
    list(APPEND _tern_generated_files "${_tern_gen}/man/${_page}.1.gz")
    install(FILES "${_tern_gen}/man/${_page}.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
  endforeach()
  unset(VERSION)

  # Debian wants a copyright file and a changelog in /usr/share/doc/<package>.
  configure_file("${PROJECT_SOURCE_DIR}/installer/linux/copyright.in" "${_tern_gen}/copyright" @ONLY)
  configure_file("${PROJECT_SOURCE_DIR}/installer/linux/changelog.in" "${_tern_gen}/changelog.Debian" @ONLY)
  tern_gzip_file("${_tern_gen}/changelog.Debian" "${_tern_gen}/changelog.Debian.gz")
  list(APPEND _tern_generated_files "${_tern_gen}/changelog.Debian.gz")
  install(FILES "${_tern_gen}/copyright" "${_tern_gen}/changelog.Debian.gz"
          DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/tern")

  # The headless relay's systemd user unit, its ExecStart pointed at the installed tern-cli,
  # written at install time when the prefix is known (deb and rpm: /usr, through DESTDIR). The
  # archive generators stage into the build tree and the unpacked .tar.gz can be anywhere: its
  # unit keeps /usr/bin/tern-cli, to be edited by whoever installs it elsewhere.
  set(_tern_unit_src "${_tern_res}/systemd/tern-relay.service")
  install(CODE "
    set(_prefix \"\${CMAKE_INSTALL_PREFIX}\")
    string(FIND \"\${_prefix}/\" \"${PROJECT_BINARY_DIR}/\" _in_build_tree)
    if(_in_build_tree EQUAL 0)
      set(_prefix /usr)
    endif()
    file(READ \"${_tern_unit_src}\" _unit)
    string(REPLACE \"ExecStart=/usr/bin/tern-cli \" \"ExecStart=\${_prefix}/${CMAKE_INSTALL_BINDIR}/tern-cli \"
           _installed \"\${_unit}\")
    string(FIND \"\${_installed}\" \"ExecStart=\${_prefix}/${CMAKE_INSTALL_BINDIR}/tern-cli \" _found)
    if(_found EQUAL -1)
      message(FATAL_ERROR \"tern-relay.service: no 'ExecStart=/usr/bin/tern-cli ' line to point at the installed program\")
    endif()
    file(WRITE \"${_tern_gen}/tern-relay.service\" \"\${_installed}\")
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/user\" TYPE FILE
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES \"${_tern_gen}/tern-relay.service\")
  ")

  if(TERN_BUILD_UI)
    install(FILES "${_tern_res}/${TERN_APP_ID}.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
    configure_file("${_tern_res}/${TERN_APP_ID}.metainfo.xml.in" "${_tern_gen}/${TERN_APP_ID}.metainfo.xml" @ONLY)
    install(FILES "${_tern_gen}/${TERN_APP_ID}.metainfo.xml" DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")

    # Icons: the hand-drawn SVG, and the hicolor PNG sizes rendered from it with rsvg-convert.
    set(_tern_svg "${_tern_res}/icons/${TERN_APP_ID}.svg")
    install(FILES "${_tern_svg}" DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
    find_program(TERN_RSVG_CONVERT rsvg-convert)
    if(TERN_RSVG_CONVERT)
      foreach(_size 16 22 24 32 48 64 128 256 512)
        set(_png "${_tern_gen}/icons/${_size}x${_size}/${TERN_APP_ID}.png")
        add_custom_command(OUTPUT "${_png}"
                           COMMAND ${CMAKE_COMMAND} -E make_directory "${_tern_gen}/icons/${_size}x${_size}"
                           COMMAND "${TERN_RSVG_CONVERT}" -w ${_size} -h ${_size} -o "${_png}" "${_tern_svg}"
                           DEPENDS "${_tern_svg}" VERBATIM)
        list(APPEND _tern_generated_files "${_png}")
        install(FILES "${_png}" DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${_size}x${_size}/apps")
      endforeach()
    else()
      message(WARNING "rsvg-convert (librsvg2-bin) not found: the packages get only the scalable icon. "
                      "scripts/install-deps installs it.")
    endif()
  endif()

  add_custom_target(tern_install_files ALL DEPENDS ${_tern_generated_files})
endif()

# --- Windows and macOS: the libraries that are not part of the system ----------------------------
if(WIN32)
  set(TERN_WINDOWS_DLL_DIRS "" CACHE STRING
      "Folders holding the DLLs of wxWidgets, vmime and their dependencies (e.g. C:/wxWidgets/lib/vc14x_x64_dll;C:/vcpkg/installed/x64-windows/bin)")
  set(TERN_WINDOWS_ICON "" CACHE FILEPATH "Tern.ico for the installer and the shortcuts (optional)")
  install(RUNTIME_DEPENDENCY_SET tern_runtime_deps
          DESTINATION "${CMAKE_INSTALL_BINDIR}"
          DIRECTORIES ${TERN_WINDOWS_DLL_DIRS}
          PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-"
          POST_EXCLUDE_REGEXES ".*[Ss]ystem32/.*\\.dll$")
elseif(APPLE AND TERN_BUILD_UI)
  set(TERN_MACOS_LIBRARY_DIRS "" CACHE STRING
      "Folders holding the dylibs of wxWidgets, vmime and their dependencies (e.g. /opt/homebrew/lib)")
  set(TERN_MACOS_ICNS "" CACHE FILEPATH "Tern.icns for the application bundle (optional)")
  # Copies the non-system dylibs into Tern.app/Contents/Frameworks and rewrites the references
  # of tern and tern-cli to them.
  install(CODE "
    include(BundleUtilities)
    set(BU_CHMOD_BUNDLE_ITEMS ON)
    fixup_bundle(\"\${CMAKE_INSTALL_PREFIX}/Tern.app\"
                 \"\${CMAKE_INSTALL_PREFIX}/${_tern_bundle}/MacOS/tern-cli\"
                 \"${TERN_MACOS_LIBRARY_DIRS}\")
  ")
endif()

# --- CPack ---------------------------------------------------------------------------------------
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_PACKAGE_NAME "tern")
set(CPACK_PACKAGE_VENDOR "The Tern developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
"Tern is a desktop mail client for Outlook.com, Microsoft 365 and Exchange Online
mailboxes, and for any IMAP, POP3 and SMTP server. Microsoft accounts sign in with
OAuth 2.0; when Microsoft's sign-in breaks, Tern switches the account to the
password servers, says why, and returns to OAuth once it works again. It signs
office printers and scanners in to Exchange Online with the device code flow and
relays mail for devices that cannot do OAuth (tern-cli relay, with a systemd user
unit). tern-cli is the same core from the command line.")
set(CPACK_PACKAGE_CONTACT "${TERN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${TERN_HOMEPAGE}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Tern")
set(CPACK_PACKAGE_EXECUTABLES "tern" "Tern")          # NSIS: the start menu entry
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/installer/LICENSE-PLACEHOLDER.txt")
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_THREADS 0)
set(CPACK_ARCHIVE_THREADS 0)

if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
elseif(APPLE)
  set(CPACK_GENERATOR "DragNDrop")
else()
  set(CPACK_GENERATOR "DEB;RPM;TGZ")
endif()

# Debian
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                # tern_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)                 # Depends from dpkg-shlibdeps (dpkg-dev)
# The browser sign-in opens xdg-open; secrets need a Secret Service (gnome-keyring or another).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "xdg-utils, gnome-keyring | keepassxc")

# RPM
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)                   # tern-0.1.0-1.x86_64.rpm
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "${_tern_license_field}")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
set(CPACK_RPM_PACKAGE_URL "${TERN_HOMEPAGE}")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)                      # Requires from rpm's ELF dependency scan
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)                    # a program, not a library: provides nothing
set(CPACK_RPM_PACKAGE_SUGGESTS "xdg-utils, gnome-keyring")
# No /usr/lib/.build-id links: they would clash with other packages built by the same tool.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
# Directories other packages (filesystem, hicolor-icon-theme, systemd) own: not ours to own.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor
    /usr/share/man /usr/share/man/man1 /usr/share/locale /usr/lib/systemd /usr/lib/systemd/user)
foreach(_size scalable 16x16 22x22 24x24 32x32 48x48 64x64 128x128 256x256 512x512)
  list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
       "/usr/share/icons/hicolor/${_size}" "/usr/share/icons/hicolor/${_size}/apps")
endforeach()
foreach(_mo_lang IN LISTS TERN_TRANSLATION_LANGUAGES)
  list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
       "/usr/share/locale/${_mo_lang}" "/usr/share/locale/${_mo_lang}/LC_MESSAGES")
endforeach()

# Windows (NSIS): start menu entry, uninstaller, and Tern registered as a mailto: handler
# (Default Apps / "Registered Applications"; the user picks Tern there).
set(CPACK_NSIS_PACKAGE_NAME "Tern ${PROJECT_VERSION}")
set(CPACK_NSIS_DISPLAY_NAME "Tern")
set(CPACK_NSIS_URL_INFO_ABOUT "${TERN_HOMEPAGE}")
set(CPACK_NSIS_CONTACT "${TERN_PACKAGE_MAINTAINER}")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MODIFY_PATH OFF)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\tern.exe")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
set(CPACK_NSIS_UNINSTALL_NAME "Uninstall Tern")
if(TERN_WINDOWS_ICON)
  set(CPACK_NSIS_MUI_ICON "${TERN_WINDOWS_ICON}")
  set(CPACK_NSIS_MUI_UNIICON "${TERN_WINDOWS_ICON}")
endif()
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  WriteRegStr HKLM "Software\Classes\Tern.mailto" "" "Tern mailto link"
  WriteRegStr HKLM "Software\Classes\Tern.mailto" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\Tern.mailto\DefaultIcon" "" "$INSTDIR\bin\tern.exe,0"
  WriteRegStr HKLM "Software\Classes\Tern.mailto\shell\open\command" "" '"$INSTDIR\bin\tern.exe" "%1"'
  WriteRegStr HKLM "Software\Clients\Mail\Tern" "" "Tern"
  WriteRegStr HKLM "Software\Clients\Mail\Tern\shell\open\command" "" '"$INSTDIR\bin\tern.exe"'
  WriteRegStr HKLM "Software\Clients\Mail\Tern\Capabilities" "ApplicationName" "Tern"
  WriteRegStr HKLM "Software\Clients\Mail\Tern\Capabilities" "ApplicationDescription" "Mail for Outlook.com, Microsoft 365 and any IMAP server"
  WriteRegStr HKLM "Software\Clients\Mail\Tern\Capabilities\URLAssociations" "mailto" "Tern.mailto"
  WriteRegStr HKLM "Software\RegisteredApplications" "Tern" "Software\Clients\Mail\Tern\Capabilities"
]=])
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  DeleteRegValue HKLM "Software\RegisteredApplications" "Tern"
  DeleteRegKey HKLM "Software\Clients\Mail\Tern"
  DeleteRegKey HKLM "Software\Classes\Tern.mailto"
]=])

# macOS (DragNDrop): Tern.app with the Info.plist of installer/macos (mailto URL scheme).
set(CPACK_DMG_VOLUME_NAME "Tern ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDZO")

include(CPack)
