#!/usr/bin/env bash
# Builds libsrtp2 on OpenSSL into .deps/libsrtp2, from Debian's own source
# package (the same version and patches as the binary package).
#
# Why: Debian builds libsrtp2 on NSS, which allocates and takes locks inside
# every srtp_protect/srtp_unprotect, against the rule that the per-packet
# path has neither (docs/benchmarks.md, "SRTP on OpenSSL"). libsrtp's OpenSSL
# backend keeps one cipher context per stream and allocates nothing per
# packet. CMakeLists.txt prefers this build when it exists and falls back to
# the system libsrtp2 otherwise, so a failure here is a warning, not an error.
#
#   scripts/srtp.sh            build unless already built
#   scripts/srtp.sh --force    build again
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
prefix=$root/.deps/libsrtp2
stamp=$prefix/.built-from

version=$(dpkg-query -W -f='${Version}' libsrtp2-dev 2>/dev/null || true)
if [[ -z $version ]]; then
    echo "srtp: libsrtp2-dev is not installed; run scripts/deps.sh first" >&2
    exit 1
fi
if [[ ${1:-} != --force && -f $prefix/lib/libsrtp2.a && $(cat "$stamp" 2>/dev/null) == "$version" ]]; then
    exit 0
fi

warn() {
    echo "srtp: WARNING: $*; confab will use the system libsrtp2 (on NSS)" >&2
    exit 0
}

work=$root/.deps/src
rm -rf "$work" && mkdir -p "$work/lists/partial" || warn "cannot make $work"
# A private apt configuration that knows Debian's source packages, so the
# system's sources and package lists stay as they are.
. /etc/os-release
suite=${VERSION_CODENAME:-bookworm}
echo "deb-src http://deb.debian.org/debian $suite main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=-"
          -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root" -q)

echo "srtp: building libsrtp2 $version on OpenSSL into ${prefix#"$root"/}"
(
    set -e
    cd "$work"
    apt-get "${apt_opts[@]}" update >/dev/null
    apt-get "${apt_opts[@]}" source --download-only "libsrtp2=$version" >/dev/null
    dpkg-source -q -x ./*.dsc src >/dev/null 2>&1
    cd src
    # Debian's optimisation flags (debian/rules), OpenSSL instead of NSS, a
    # static PIC library so that nothing at run time depends on .deps/.
    CFLAGS="-O3 -fexpensive-optimizations -funroll-loops -D_REENTRANT" \
        ./configure --prefix="$prefix" --enable-openssl --disable-debug-logging \
        >../configure.log
    make -j"$(nproc)" libsrtp2.a >../make.log
    rm -rf "$prefix"
    make install >../install.log
) || warn "building from the source package failed (logs in ${work#"$root"/})"

echo "$version" >"$stamp"
rm -rf "$work"
echo "srtp: done"
