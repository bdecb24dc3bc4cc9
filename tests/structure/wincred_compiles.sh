#!/usr/bin/env bash
# Syntax-checks the Windows Credential Manager store with mingw-w64 (the real Windows headers).
set -u
cxx=$1 src=$2 generated=$3
if [ -z "$cxx" ] || [ ! -x "$cxx" ]; then
  echo "x86_64-w64-mingw32-g++ not found: scripts/install-deps installs g++-mingw-w64-x86-64"; exit 1
fi
"$cxx" -std=c++17 -fsyntax-only -Wall -Wextra -Werror -DUNICODE -D_UNICODE \
  -I"$src/auth/include" -I"$src/core/include" -I"$generated" \
  "$src/auth/src/wincred_credential_store.cpp" "$src/auth/src/credential_store.cpp"
rc=$?
[ $rc -eq 0 ] && echo "wincred_credential_store.cpp compiles for Windows"
exit $rc
