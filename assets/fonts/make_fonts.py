#!/usr/bin/env python3
"""Builds Kiosk Sans Regular and Bold: one face covering Latin and Chinese.

Why: the kiosk has no system fonts to fall back on, Slint's renderers need one
family that covers every character on screen, and Droid Sans Fallback (the
CJK font, Apache-2.0) has no Latin letters or digits. So each face is Noto
Sans (OFL-1.1) for Latin and punctuation merged with Droid Sans Fallback for
Chinese. Droid has no bold; the bold CJK glyphs are emboldened here the way
FreeType's FT_Outline_EmboldenXY does it (every point moved outwards along
the bisector of its two edges), which keeps the TrueType point structure.

Usage: make_fonts.py NotoSans-Regular.ttf NotoSans-Bold.ttf DroidSansFallbackFull.ttf OUTDIR
(make-fonts.sh fetches the inputs from Debian and runs this.)
Needs: fontTools (pip install fonttools).
"""

import math
import sys

from fontTools import merge
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

# Bold stroke thickening, in font units at 1000 units per em (total, both sides).
BOLD_STRENGTH = 46


def contour_ranges(glyph):
    start = 0
    for end in glyph.endPtsOfContours:
        yield start, end + 1
        start = end + 1


def embolden(glyph, strength):
    """FT_Outline_EmboldenXY on a simple TrueType glyph, in place."""
    coords = [(float(x), float(y)) for x, y in glyph.coordinates]
    if not coords:
        return
    area = 0.0
    for a, b in contour_ranges(glyph):
        for i in range(a, b):
            x0, y0 = coords[i]
            x1, y1 = coords[a + (i - a + 1) % (b - a)]
            area += x0 * y1 - x1 * y0
    # TrueType outer contours run clockwise (negative area, y up).
    truetype = area < 0
    half = strength / 2.0
    out = list(coords)
    for a, b in contour_ranges(glyph):
        n = b - a
        if n < 3:
            continue
        for k in range(n):
            i = a + k
            # Previous and next points that differ from this one.
            p = next((coords[a + (k - s) % n] for s in range(1, n) if coords[a + (k - s) % n] != coords[i]), None)
            q = next((coords[a + (k + s) % n] for s in range(1, n) if coords[a + (k + s) % n] != coords[i]), None)
            if p is None or q is None:
                continue
            inx, iny = coords[i][0] - p[0], coords[i][1] - p[1]
            outx, outy = q[0] - coords[i][0], q[1] - coords[i][1]
            lin, lout = math.hypot(inx, iny), math.hypot(outx, outy)
            inx, iny, outx, outy = inx / lin, iny / lin, outx / lout, outy / lout
            d = inx * outx + iny * outy
            if d <= -0.9375:  # a spike: leave it
                continue
            d += 1.0
            sx, sy = iny + outy, inx + outx
            if truetype:
                sx = -sx
            else:
                sy = -sy
            cross = outx * iny - outy * inx
            if truetype:
                cross = -cross
            limit = min(lin, lout)
            sx = sx * half / d if half * cross <= limit * d else sx * limit / cross
            sy = sy * half / d if half * cross <= limit * d else sy * limit / cross
            out[i] = (coords[i][0] + sx, coords[i][1] + sy)
    glyph.coordinates = type(glyph.coordinates)([(round(x), round(y)) for x, y in out])


def prepare(font):
    # Hinting and vertical metrics cannot be merged meaningfully.
    for tag in ["DSIG", "cvt ", "fpgm", "prep", "vhea", "vmtx", "gasp", "hdmx", "LTSH", "VDMX"]:
        if tag in font:
            del font[tag]
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["OS/2"].version = 4


def name(font, style):
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22)]
    for nid, value in [
        (1, "Kiosk Sans"),
        (2, style),
        (3, f"gig-kiosk: Kiosk Sans {style}"),
        (4, f"Kiosk Sans {style}"),
        (6, f"KioskSans-{style}"),
    ]:
        table.setName(value, nid, 3, 1, 0x409)
        table.setName(value, nid, 1, 0, 0)


def build(latin_path, cjk, style, out_dir, tmp):
    latin = TTFont(latin_path)
    prepare(latin)
    latin.save(f"{tmp}/latin-{style}.ttf")
    cjk.save(f"{tmp}/cjk-{style}.ttf")
    font = merge.Merger().merge([f"{tmp}/latin-{style}.ttf", f"{tmp}/cjk-{style}.ttf"])
    name(font, style)
    os2 = font["OS/2"]
    os2.recalcUnicodeRanges(font)
    os2.ulCodePageRange1 |= 1 << 18  # Chinese (PRC)
    os2.usWeightClass = 700 if style == "Bold" else 400
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (0b100000 if style == "Bold" else 0b1000000)
    font["head"].macStyle = 1 if style == "Bold" else 0
    font.save(f"{out_dir}/KioskSans-{style}.ttf")


def main():
    latin_regular, latin_bold, droid_path, out_dir = sys.argv[1:5]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cjk = TTFont(droid_path)
        scale_upem(cjk, 1000)
        prepare(cjk)
        build(latin_regular, cjk, "Regular", out_dir, tmp)
        glyf = cjk["glyf"]
        for gname in cjk.getGlyphOrder():
            g = glyf[gname]
            if g.numberOfContours > 0:
                embolden(g, BOLD_STRENGTH)
                g.recalcBounds(glyf)
                width, _ = cjk["hmtx"][gname]
                cjk["hmtx"][gname] = (width, g.xMin)
        build(latin_bold, cjk, "Bold", out_dir, tmp)


if __name__ == "__main__":
    main()
