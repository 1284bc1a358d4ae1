#!/usr/bin/env bash
# Rebuilds KioskSans-Regular.ttf and KioskSans-Bold.ttf from Debian's font
# packages (see make_fonts.py for why). The results are committed, so the
# kiosk builds without running this; run it only to change the fonts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download fonts-noto-core fonts-droid-fallback
for deb in *.deb; do dpkg-deb -x "$deb" x; done
python3 -m pip install --quiet fonttools
python3 "$here/make_fonts.py" \
    x/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf \
    x/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf \
    x/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf \
    "$here"
ls -l "$here"/KioskSans-*.ttf
