#!/usr/bin/env bash
# Builds the Debian package: target/debian/gig-kiosk_<version>_<arch>.deb.
#
#   deploy/build-deb.sh            for this machine's architecture
#   deploy/build-deb.sh arm64      for a Raspberry Pi 4/5 (cross-built)
#   deploy/build-deb.sh amd64      for a small x86-64 box
#
# Extra arguments go to `cargo deb` (e.g. --no-build, --profile, -o DIR).
# Installs what it needs where missing (as root, on Debian 12): cargo-deb,
# and for a foreign architecture the cross linker and that architecture's
# -dev libraries (multiarch). The third-party licence notices (every crate
# linked for that architecture, and the fonts) are gathered first into
# target/licenses/, from where the package takes them. docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."

native=$(dpkg --print-architecture)
arch=${1:-$native}
[ $# -gt 0 ] && shift
case "$arch" in
    amd64) triple=x86_64-unknown-linux-gnu gnu=x86_64-linux-gnu ;;
    arm64) triple=aarch64-unknown-linux-gnu gnu=aarch64-linux-gnu ;;
    *) echo "build-deb.sh: no such architecture: $arch (amd64 or arm64)" >&2; exit 2 ;;
esac

# The libraries Slint's backends link, for the target architecture.
libs=(libudev-dev libinput-dev libxkbcommon-dev libgbm-dev libfontconfig1-dev)
need=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
target_args=()
if [ "$arch" != "$native" ]; then
    dpkg --print-foreign-architectures | grep -qx "$arch" || {
        echo "build-deb.sh: adding the $arch architecture to dpkg"
        dpkg --add-architecture "$arch"
    }
    for p in "gcc-$gnu" "libc6-dev-$arch-cross" "${libs[@]/%/:$arch}"; do installed "$p" || need+=("$p"); done
    rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
    upper=$(echo "$triple" | tr 'a-z-' 'A-Z_')
    export "CARGO_TARGET_${upper}_LINKER=$gnu-gcc"
    export "CC_${triple//-/_}=$gnu-gcc" "AR_${triple//-/_}=$gnu-ar"
    # pkg-config answers for the target's libraries, not the build machine's.
    export PKG_CONFIG_ALLOW_CROSS=1
    export PKG_CONFIG_LIBDIR="/usr/lib/$gnu/pkgconfig:/usr/share/pkgconfig"
    target_args=(--target "$triple")
else
    for p in build-essential pkg-config "${libs[@]}"; do installed "$p" || need+=("$p"); done
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "build-deb.sh: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}"
fi
cargo deb --version >/dev/null 2>&1 || .ci/setup

mkdir -p target/licenses
python3 deploy/third-party-licenses.py --target "$triple" target/licenses/THIRD-PARTY-LICENSES.txt
# --dbgsym: the binary in the package is stripped (lintian, and a 5x smaller
# package); its line tables go into gig-kiosk-dbgsym_*.ddeb beside it, for
# reading a crash's backtrace.
cargo deb --locked --dbgsym "${target_args[@]}" "$@"
