#!/usr/bin/env bash
# The core libraries build headless: no wxWidgets include may appear in them.
set -u
cd "$1"
hits=$(grep -rnE '#\s*include\s*[<"]wx/' core auth mail accounts app/cli 2>/dev/null)
if [ -n "$hits" ]; then
  echo "wxWidgets headers in the core:"; echo "$hits"; exit 1
fi
# The check itself must be able to see a hit: make sure the pattern matches a wx include.
echo '#include <wx/app.h>' | grep -qE '#\s*include\s*[<"]wx/' || { echo "pattern broken"; exit 1; }
echo "core, auth, mail, accounts and tern-cli include no wxWidgets header"
