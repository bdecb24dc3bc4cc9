#!/usr/bin/env python3
"""The packages of installer/Packaging.cmake, built and checked (issue 10). One step per CTest test:

  build    BUILD OUT                cpack -> the .deb, .rpm and .tar.gz in OUT (sizes printed)
  contents OUT SOURCE BUILD VERSION UI
                                    exact file lists of all three, control fields, dependencies,
                                    rpm requires, file contents (providers.json, unit, icons, ...)
  lintian  OUT                      no error (E:) from lintian on the .deb
  desktop  OUT SOURCE               the packaged .desktop and metainfo validate; Info.plist template
  install  OUT BUILD_PROVIDERS      apt-get install ./tern_*.deb on this machine (root), run the
                                    installed programs, apt-get purge, nothing left

Every check raises Failure with what was wrong; the exit status is 1 then.
"""
import glob
import gzip
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

APP_ID = "org.tern.Tern"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


class Failure(Exception):
    pass


def run(cmd, check=True, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if check and proc.returncode != 0:
        raise Failure(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}")
    return proc


def one(out, pattern):
    found = glob.glob(os.path.join(out, pattern))
    if len(found) != 1:
        raise Failure(f"expected one {pattern} in {out}, found {found}")
    return found[0]


def packages(out):
    return one(out, "tern_*.deb"), one(out, "tern-*.rpm"), one(out, "tern-*.tar.gz")


def expected_files(source, ui):
    """The files (not directories) every package holds, relative to the install prefix."""
    files = {"bin/tern-cli", "share/tern/providers.json", "lib/systemd/user/tern-relay.service",
             "share/man/man1/tern-cli.1.gz", "share/doc/tern/copyright", "share/doc/tern/changelog.Debian.gz"}
    if ui:
        files |= {"bin/tern", "lib/tern/tern-html-view.so", "share/man/man1/tern.1.gz", f"share/applications/{APP_ID}.desktop",
                  f"share/metainfo/{APP_ID}.metainfo.xml", f"share/icons/hicolor/scalable/apps/{APP_ID}.svg"}
        files |= {f"share/icons/hicolor/{s}x{s}/apps/{APP_ID}.png" for s in ICON_SIZES}
        # The catalogs compiled from resources/po (cmake/TernTranslations.cmake).
        for po in glob.glob(os.path.join(source, "resources/po/*.po")):
            lang = os.path.splitext(os.path.basename(po))[0]
            files.add(f"share/locale/{lang}/LC_MESSAGES/tern.mo")
    return files


def compare(what, listed, expected):
    missing, extra = sorted(expected - listed), sorted(listed - expected)
    if missing or extra:
        raise Failure(f"{what}: missing {missing}, unexpected {extra}")
    print(f"{what}: the {len(expected)} expected files, nothing else")


def extract_deb(deb, into):
    run(["dpkg-deb", "-x", deb, into])
    return os.path.join(into, "usr")


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failure(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


# --- steps -----------------------------------------------------------------------------------------

def step_build(build, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    # cpack in the build directory (the targets are built): the packages and CPack's staging go
    # to OUT, not next to what `cmake --build build --target package` makes.
    run(["cpack", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", out], cwd=build)
    for path in packages(out):
        print(f"{os.path.basename(path)}: {os.path.getsize(path) / 1e6:.2f} MB")


def step_contents(out, source, build, version, ui):
    ui = ui == "ON"
    deb, rpm, tgz = packages(out)
    want = expected_files(source, ui)

    # .deb: file list, control fields, computed dependencies.
    names = run(["dpkg-deb", "-c", deb]).stdout.splitlines()
    deb_files = set()
    for line in names:
        perms, path = line.split()[0], line.split()[-1]
        if perms.startswith("-"):
            if not path.startswith("./usr/"):
                raise Failure(f".deb installs outside /usr: {path}")
            deb_files.add(path[len("./usr/"):])
        elif perms.startswith("d") and perms != "drwxr-xr-x":
            raise Failure(f".deb directory {path} has mode {perms}")
    compare(".deb", deb_files, want)
    fields = {}
    for key in ("Package", "Version", "Architecture", "Maintainer", "Depends", "Section", "Homepage", "Description"):
        fields[key] = run(["dpkg-deb", "-f", deb, key]).stdout.strip()
    print("\n".join(f"  {k}: {v}" for k, v in fields.items()))
    if fields["Package"] != "tern" or fields["Version"] != f"{version}-1":
        raise Failure(f".deb is {fields['Package']} {fields['Version']}, expected tern {version}-1")
    if not re.match(r"^[^<>]+ <[^@\s]+@[^>\s]+>$", fields["Maintainer"]):
        raise Failure(f".deb maintainer {fields['Maintainer']!r} is not 'Name <address>'")
    if "\n" not in fields["Description"]:
        raise Failure(".deb has no long description")
    depends = [d.strip().split()[0] for d in fields["Depends"].split(",") if d.strip()]
    need = ["libc6", "libstdc++6", "libsecret-1-0", "libsqlite3-0", "libssl3", "libvmime"]
    if ui:
        need.append("libwxgtk3.2")
    for lib in need:
        if not any(d.startswith(lib) for d in depends):
            raise Failure(f".deb Depends lacks {lib} (dpkg-shlibdeps): {fields['Depends']}")

    # .rpm: file list (without the directories other packages own), requires, header.
    rpm_paths = set(run(["rpm", "-qpl", rpm]).stdout.split())
    own_dirs = {"/usr/share/tern", "/usr/share/doc/tern", "/usr/lib/tern"}
    rpm_files = {p[len("/usr/"):] for p in rpm_paths - own_dirs if p.startswith("/usr/")}
    if any(not p.startswith("/usr/") for p in rpm_paths):
        raise Failure(f".rpm installs outside /usr: {sorted(p for p in rpm_paths if not p.startswith('/usr/'))}")
    compare(".rpm", rpm_files, want)
    header = run(["rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{LICENSE} %{URL}\n", rpm]).stdout.split()
    print("  rpm:", " ".join(header))
    if header[:3] != ["tern", version, "1"]:
        raise Failure(f".rpm is {header[:3]}, expected tern {version} 1")
    requires = run(["rpm", "-qpR", rpm]).stdout.split("\n")
    need = ["libc.so.6", "libstdc++.so.6", "libsecret-1.so.0", "libsqlite3.so.0", "libssl.so.3", "libvmime.so"]
    if ui:
        need.append("libwx_gtk3u_core-3.2.so.0")
    for lib in need:
        if not any(r.startswith(lib) for r in requires):
            raise Failure(f".rpm requires lacks {lib} (automatic requires):\n" + "\n".join(requires))
    print(f"  rpm requires {len(requires)} capabilities, among them {', '.join(need)}")

    # .tar.gz: one top folder, the same files below it.
    top = os.path.basename(tgz)[: -len(".tar.gz")]
    tar_files = set()
    for line in run(["tar", "-tvzf", tgz]).stdout.splitlines():
        perms, path = line.split()[0], line.split()[-1]
        if not path.startswith(top + "/"):
            raise Failure(f".tar.gz entry outside {top}/: {path}")
        if perms.startswith("-"):
            tar_files.add(path[len(top) + 1:])
    compare(".tar.gz", tar_files, want)

    # What is inside the .deb, file by file.
    with tempfile.TemporaryDirectory() as tmp:
        usr = extract_deb(deb, tmp)
        with open(os.path.join(usr, "share/tern/providers.json"), "rb") as a, \
                open(os.path.join(source, "resources/providers.json"), "rb") as b:
            if a.read() != b.read():
                raise Failure("the packaged providers.json differs from resources/providers.json")
        programs = ["tern-cli"] + (["tern"] if ui else [])
        for program in programs:
            described = run(["file", "-b", os.path.join(usr, "bin", program)]).stdout
            if "ELF" not in described or "not stripped" in described or "with debug_info" in described:
                raise Failure(f"bin/{program} is not a stripped ELF program: {described}")
            if os.stat(os.path.join(usr, "bin", program)).st_mode & 0o777 != 0o755:
                raise Failure(f"bin/{program} is not mode 755")
        with open(os.path.join(usr, "lib/systemd/user/tern-relay.service")) as f:
            unit = f.read()
        if not re.search(r"^ExecStart=/usr/bin/tern-cli ", unit, re.M):
            raise Failure("the packaged tern-relay.service does not run /usr/bin/tern-cli")
        for page in programs:
            with gzip.open(os.path.join(usr, f"share/man/man1/{page}.1.gz"), "rt") as f:
                text = f.read()
            if f".TH {page.upper()} 1" not in text or f"Tern {version}" not in text:
                raise Failure(f"{page}.1: no .TH line with version {version}")
            groff = subprocess.run(["groff", "-man", "-ww", "-z"], input=text, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if groff.returncode != 0 or groff.stdout.strip():
                raise Failure(f"{page}.1: groff warns:\n{groff.stdout}")
        if ui:
            for size in ICON_SIZES:
                got = png_size(os.path.join(usr, f"share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png"))
                if got != (size, size):
                    raise Failure(f"the {size}x{size} icon is {got[0]}x{got[1]}")
        # Nothing of the build tree: no data file names it (the programs are checked above).
        for root, _, files in os.walk(usr):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                if path.endswith(".gz"):
                    data = gzip.decompress(data)
                if not data.startswith(b"\x7fELF") and os.path.abspath(build).encode() in data:
                    raise Failure(f"{os.path.relpath(path, usr)} names the build directory {build}")
        print("  contents: providers.json, stripped programs, unit, man pages, icon sizes as expected")


def step_lintian(out):
    deb = packages(out)[0]
    proc = run(["lintian", "--no-tag-display-limit", "--display-info", deb], check=False)
    print(proc.stdout)
    errors = [l for l in proc.stdout.splitlines() if l.startswith("E:")]
    if errors:
        raise Failure(f"lintian reports {len(errors)} errors on {os.path.basename(deb)}")
    if proc.returncode not in (0, 2) or "\nE:" in proc.stdout:
        raise Failure(f"lintian exited {proc.returncode}")
    print(f"lintian: no errors ({sum(1 for l in proc.stdout.splitlines() if l.startswith('W:'))} warnings)")


def step_desktop(out, source):
    deb = packages(out)[0]
    with tempfile.TemporaryDirectory() as tmp:
        usr = extract_deb(deb, tmp)
        desktop = os.path.join(usr, f"share/applications/{APP_ID}.desktop")
        metainfo = os.path.join(usr, f"share/metainfo/{APP_ID}.metainfo.xml")
        proc = run(["desktop-file-validate", desktop], check=False)
        if proc.returncode != 0 or proc.stdout.strip():
            raise Failure(f"desktop-file-validate {APP_ID}.desktop:\n{proc.stdout}")
        print(f"desktop-file-validate {APP_ID}.desktop: valid")
        with open(desktop) as f:
            entry = dict(l.rstrip("\n").split("=", 1) for l in f if "=" in l)
        if not re.match(r"^tern .*%u", entry.get("Exec", "")):
            raise Failure(f"Exec={entry.get('Exec')}: tern must get the mailto: link (%u)")
        if "x-scheme-handler/mailto" not in entry.get("MimeType", "").split(";"):
            raise Failure("the desktop file does not handle x-scheme-handler/mailto")
        if entry.get("Icon") != APP_ID:
            raise Failure(f"Icon={entry.get('Icon')}, expected {APP_ID}")
        proc = run(["appstreamcli", "validate", "--no-net", "--explain", metainfo], check=False)
        print(proc.stdout)
        if proc.returncode != 0 or re.search(r"^[EW]: ", proc.stdout, re.M):
            raise Failure(f"appstreamcli validate {APP_ID}.metainfo.xml: errors or warnings")
        with open(metainfo) as f:
            xml = f.read()
        if "@" in re.sub(r"<!--.*?-->", "", xml, flags=re.S) or f"<launchable type=\"desktop-id\">{APP_ID}.desktop<" not in xml:
            raise Failure("the metainfo has an unfilled @VAR@ or does not launch the desktop file")

    # macOS: the Info.plist template is a property list that registers the mailto scheme.
    with open(os.path.join(source, "installer/macos/Info.plist.in"), "rb") as f:
        template = f.read()
    plist = plistlib.loads(re.sub(rb"\$\{[A-Z_]+\}", b"x", template))
    schemes = [s for t in plist.get("CFBundleURLTypes", []) for s in t.get("CFBundleURLSchemes", [])]
    if "mailto" not in schemes:
        raise Failure("installer/macos/Info.plist.in does not register the mailto URL scheme")
    print("Info.plist.in: a property list with the mailto URL scheme")


def step_install(out, build_providers):
    deb = packages(out)[0]
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and run(sudo + ["true"], check=False).returncode != 0:
        raise Failure("installing the .deb needs root (or password-less sudo)")
    query = run(["dpkg-query", "-W", "-f", "${db:Status-Status}", "tern"], check=False)
    status = query.stdout.strip() if query.returncode == 0 else ""
    if status not in ("", "not-installed", "config-files") or os.path.exists("/usr/bin/tern-cli"):
        raise Failure(f"a tern package is already installed here ({status or '/usr/bin/tern-cli'}): "
                      "not replacing it; remove it first")
    deb_paths = ["/" + l.split()[-1][2:] for l in run(["dpkg-deb", "-c", deb]).stdout.splitlines()
                 if l.startswith("-")]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    home = tempfile.mkdtemp(prefix="tern-package-home-")
    try:
        run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", os.path.abspath(deb)], env=env)
        for path in deb_paths:
            if not os.path.isfile(path):
                raise Failure(f"{path} is not installed")
        got = run(["/usr/bin/tern-cli", "--version"]).stdout.strip()
        if got != f"tern-cli {out_version(deb)}":
            raise Failure(f"/usr/bin/tern-cli --version says {got!r}")
        print(got)
        if "/usr/bin/tern" in deb_paths:
            got = run(["xvfb-run", "-a", "/usr/bin/tern", "--version"]).stdout.strip()
            if got != f"tern {out_version(deb)}":
                raise Failure(f"xvfb-run /usr/bin/tern --version says {got!r}")
            print(got)
            # The reader's HTML view: the program finds its plug-in where the package put it.
            got = run(["/usr/bin/tern", "--check-html-view"]).stdout.strip()
            if got != "html view: /usr/lib/tern/tern-html-view.so":
                raise Failure(f"/usr/bin/tern --check-html-view says {got!r}")
            print(got)
            run(["desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop"])
        listing = run(["/usr/bin/tern-cli", "account", "list", "--home", home])
        if "No accounts" not in listing.stdout:
            raise Failure(f"tern-cli account list: {listing.stdout}")
        print("tern-cli account list --home", home, "->", listing.stdout.strip())
        check_installed_providers("/usr/bin/tern-cli", build_providers, home, sudo)
        # The .tar.gz unpacked anywhere finds its own copy too.
        unpacked = tempfile.mkdtemp(prefix="tern-package-tgz-")
        try:
            tgz = packages(out)[2]
            run(["tar", "-xzf", tgz, "-C", unpacked])
            top = os.path.join(unpacked, os.path.basename(tgz)[: -len(".tar.gz")])
            check_installed_providers(os.path.join(top, "bin/tern-cli"), build_providers, home, sudo)
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
        proc = run(["systemd-analyze", "verify", "--man=no", "/usr/lib/systemd/user/tern-relay.service"], check=False)
        if proc.returncode != 0:
            raise Failure(f"systemd-analyze verify on the installed unit:\n{proc.stdout}")
        print("the installed tern-relay.service verifies")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        purge = run(sudo + ["apt-get", "purge", "-y", "-q", "tern"], env=env, check=False)
        print(purge.stdout[-2000:])
    left = [p for p in deb_paths if os.path.lexists(p)]
    left += [d for d in ("/usr/share/tern", "/usr/share/doc/tern", "/usr/lib/tern") if os.path.lexists(d)]
    if left:
        raise Failure(f"left after apt-get purge: {left}")
    dpkg_list = run(["dpkg", "-L", "tern"], check=False)
    if dpkg_list.returncode == 0 and dpkg_list.stdout.strip():
        raise Failure(f"dpkg -L tern after purge:\n{dpkg_list.stdout}")
    print(f"purged: none of the {len(deb_paths)} files is left, dpkg -L tern is empty")


def out_version(deb):
    return os.path.basename(deb).split("_")[1].rsplit("-", 1)[0]


def check_installed_providers(cli, build_providers, home, sudo):
    """An installed tern-cli reads the providers.json installed beside it, not the build's copy:
    run in a mount namespace where the build's copy is hidden. The provider 'generic' exists only
    when a providers.json was read; with TERN_PROVIDERS pointing nowhere the same probe must fail."""
    hidden = os.path.dirname(os.path.abspath(build_providers))
    probe = [cli, "--home", home, "account", "add", "probe@example.org",
             "--provider", "generic", "--auth", "device"]

    def in_namespace(extra_env):
        script = 'mount -t tmpfs tern-hidden "$1" && shift && exec env "$@"'
        return run(sudo + ["unshare", "--mount", "sh", "-c", script, "sh", hidden] + extra_env + probe, check=False)

    found = in_namespace([])
    if "Only providers with OAuth settings" not in found.stdout:
        raise Failure(f"{cli} did not read its installed providers.json "
                      f"(build copy {build_providers} hidden):\n{found.stdout}")
    missing = in_namespace(["TERN_PROVIDERS=/nonexistent/providers.json"])
    if "cannot read the provider definitions /nonexistent/providers.json" not in missing.stdout:
        raise Failure(f"the probe does not tell a missing providers.json apart:\n{missing.stdout}")
    print(f"{cli} reads its installed providers.json ({hidden} hidden)")


def main(argv):
    steps = {"build": step_build, "contents": step_contents, "lintian": step_lintian,
             "desktop": step_desktop, "install": step_install}
    if len(argv) < 2 or argv[1] not in steps:
        print(__doc__)
        return 2
    try:
        steps[argv[1]](*argv[2:])
    except Failure as e:
        print(f"FAILED: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
