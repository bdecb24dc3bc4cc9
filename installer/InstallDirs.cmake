# The install layout, included before build_config.hpp is generated: the installed programs find
# their data (providers.json) relative to their own folder, so the same binary works from /usr
# (deb, rpm), from wherever the .tar.gz is unpacked, and from a Windows or macOS install.
include(GNUInstallDirs)

set(TERN_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/tern")
if(APPLE)
  # DragNDrop: Tern.app/Contents/MacOS/{tern,tern-cli}, data in Tern.app/Contents/Resources.
  set(TERN_INSTALLED_PROVIDERS_RELATIVE "../Resources/providers.json")
else()
  file(RELATIVE_PATH _tern_bin_to_data "${CMAKE_INSTALL_FULL_BINDIR}"
       "${CMAKE_INSTALL_FULL_DATADIR}/tern/providers.json")
  set(TERN_INSTALLED_PROVIDERS_RELATIVE "${_tern_bin_to_data}")
  unset(_tern_bin_to_data)
endif()

# The reader's HTML view plug-in (tern-html-view, the only part that links WebKit), relative to
# the programs' folder, the same in the build tree (bin/ and lib/tern/) as installed.
if(APPLE)
  set(TERN_HTML_VIEW_PLUGIN_RELATIVE "../PlugIns")  # Tern.app/Contents/PlugIns
elseif(WIN32)
  set(TERN_HTML_VIEW_PLUGIN_RELATIVE ".")           # beside tern.exe, with the other DLLs
else()
  set(TERN_HTML_VIEW_PLUGIN_RELATIVE "../lib/tern")
endif()
