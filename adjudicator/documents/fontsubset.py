"""A small working copy of the CJK font, cut to the characters in use.

Why: WeasyPrint subsets every font it embeds, once per PDF. The cost of that subsetting grows
with the size of the *source* font, not with the few hundred glyphs a notice uses: a Noto
Sans CJK face has 65,535 CFF glyphs, and with glyph IDs retained (as WeasyPrint does) every
PDF pays ~50 ms per face with HarfBuzz (and many seconds where WeasyPrint falls back to
fontTools) and carries a ~300 KB font program. Cutting the face down once per process (per
batch) to the characters the documents use -- ASCII and common punctuation
(:func:`base_charset`), the templates' own text and the data of the batch, a few hundred
characters -- makes the per-PDF subsetting about a millisecond and the PDFs smaller, with
the very same glyphs. The renderer (render.py) makes sure every character a document prints
is in the working copy before laying it out.

A character the working copy lacks (one the source face does not have) is still printed:
the stylesheet lists the full system font after the working copy, and Pango falls back per
character.

The subsetting uses HarfBuzz's public C API (``libharfbuzz-subset``, already a WeasyPrint
dependency) through :mod:`ctypes`; where it is missing, :func:`subset_font` returns None and
the renderer uses the full font, slower but identical in print.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterable
from pathlib import Path

__all__ = ["base_charset", "subset_font"]

# Code point ranges always kept: ASCII and Latin-1 (¥ × ÷ ·), general
# punctuation (— … “ ” ‰), number forms and enclosed numerals, CJK symbols and punctuation
# (、。《》〔〕【】), fullwidth forms (（），：；！？￥).
_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2010, 0x203A),
    (0x2160, 0x216B),
    (0x2460, 0x2473),
    (0x3000, 0x303F),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
)


def base_charset(extra_text: Iterable[str] = ()) -> frozenset[str]:
    """The fixed ranges (ASCII, Latin-1, punctuation, fullwidth forms) and ``extra_text``."""
    chars: set[str] = set()
    for start, end in _RANGES:
        chars.update(chr(cp) for cp in range(start, end + 1))
    for text in extra_text:
        chars.update(text)
    return frozenset(ch for ch in chars if ch.isprintable() or ch == "\u3000")


# hb_subset_sets_t: the set of table tags the subsetter drops.
_SETS_DROP_TABLE_TAG = 3


def _tag(name: str) -> int:
    """An OpenType table tag as HarfBuzz's 32-bit integer."""
    return int.from_bytes(name.encode("ascii"), "big")


class _HarfBuzz:
    """The few HarfBuzz functions needed, typed for ctypes."""

    def __init__(self, hb: ctypes.CDLL, hbs: ctypes.CDLL) -> None:
        vp, u32 = ctypes.c_void_p, ctypes.c_uint
        self.blob_from_file = hb.hb_blob_create_from_file
        self.blob_from_file.restype, self.blob_from_file.argtypes = vp, [ctypes.c_char_p]
        self.face_create = hb.hb_face_create
        self.face_create.restype, self.face_create.argtypes = vp, [vp, u32]
        self.face_destroy = hb.hb_face_destroy
        self.face_destroy.restype, self.face_destroy.argtypes = None, [vp]
        self.face_glyph_count = hb.hb_face_get_glyph_count
        self.face_glyph_count.restype, self.face_glyph_count.argtypes = u32, [vp]
        self.face_blob = hb.hb_face_reference_blob
        self.face_blob.restype, self.face_blob.argtypes = vp, [vp]
        self.blob_destroy = hb.hb_blob_destroy
        self.blob_destroy.restype, self.blob_destroy.argtypes = None, [vp]
        self.blob_data = hb.hb_blob_get_data
        self.blob_data.restype = ctypes.POINTER(ctypes.c_char)
        self.blob_data.argtypes = [vp, ctypes.POINTER(u32)]
        self.set_add = hb.hb_set_add
        self.set_add.restype, self.set_add.argtypes = None, [vp, u32]
        self.input_create = hbs.hb_subset_input_create_or_fail
        self.input_create.restype, self.input_create.argtypes = vp, []
        self.input_destroy = hbs.hb_subset_input_destroy
        self.input_destroy.restype, self.input_destroy.argtypes = None, [vp]
        self.input_unicodes = hbs.hb_subset_input_unicode_set
        self.input_unicodes.restype, self.input_unicodes.argtypes = vp, [vp]
        self.subset = hbs.hb_subset_or_fail
        self.subset.restype, self.subset.argtypes = vp, [vp, vp]
        self.input_set = hbs.hb_subset_input_set
        self.input_set.restype, self.input_set.argtypes = vp, [vp, ctypes.c_int]


@functools.lru_cache(maxsize=1)
def _harfbuzz() -> _HarfBuzz | None:
    names = {
        "hb": (ctypes.util.find_library("harfbuzz"), "libharfbuzz.so.0", "libharfbuzz.0.dylib"),
        "hbs": (
            ctypes.util.find_library("harfbuzz-subset"),
            "libharfbuzz-subset.so.0",
            "libharfbuzz-subset.0.dylib",
        ),
    }
    libs: dict[str, ctypes.CDLL] = {}
    for key, candidates in names.items():
        for name in candidates:
            if not name:
                continue
            try:
                libs[key] = ctypes.CDLL(name)
                break
            except OSError:
                continue
        else:
            return None
    try:
        return _HarfBuzz(libs["hb"], libs["hbs"])
    except AttributeError:  # a HarfBuzz too old to have the subset API
        return None


def subset_font(path: Path, index: int, chars: Iterable[str]) -> bytes | None:
    """An OpenType font with only ``chars`` of face ``index`` of ``path``, or None.

    None means HarfBuzz's subsetter is unavailable or failed; the caller then uses the full
    font. Glyph outlines and metrics of the kept characters are unchanged. The glyph
    substitution table (GSUB: vertical, traditional and Japanese/Korean variant forms) is
    left out: horizontal simplified Chinese does not use it, and keeping it would pull in
    ~6,000 variant glyphs that make every later subsetting slower.
    """
    hb = _harfbuzz()
    if hb is None:
        return None
    blob = hb.blob_from_file(str(path).encode())
    face = hb.face_create(blob, index) if blob else None
    subset_input = hb.input_create()
    result_face = None
    result_blob = None
    try:
        if not face or not subset_input or hb.face_glyph_count(face) <= 1:
            return None
        hb.set_add(hb.input_set(subset_input, _SETS_DROP_TABLE_TAG), _tag("GSUB"))
        unicodes = hb.input_unicodes(subset_input)
        for ch in chars:
            hb.set_add(unicodes, ord(ch))
        result_face = hb.subset(face, subset_input)
        if not result_face:
            return None
        result_blob = hb.face_blob(result_face)
        length = ctypes.c_uint(0)
        data = hb.blob_data(result_blob, ctypes.byref(length))
        if not data or length.value == 0:
            return None
        return ctypes.string_at(data, length.value)
    finally:
        if result_blob:
            hb.blob_destroy(result_blob)
        if result_face:
            hb.face_destroy(result_face)
        if subset_input:
            hb.input_destroy(subset_input)
        if face:
            hb.face_destroy(face)
        if blob:
            hb.blob_destroy(blob)
