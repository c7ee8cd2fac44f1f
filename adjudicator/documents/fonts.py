"""Finding a CJK font, or refusing to render.

Without a font that covers Chinese, WeasyPrint silently draws every character as an empty
box ("tofu") and the PDF looks valid. A notice of boxes posted in a village is worse than no
notice, so the renderer looks for a CJK font first and raises :class:`MissingCJKFontError`
with the fix when there is none.

The font is found through fontconfig (``fc-list :lang=zh``), which is also what Pango, and so
WeasyPrint, uses to resolve the CSS ``font-family``; when ``fc-list`` is not installed, a list
of known Debian/Ubuntu font files is checked instead. The preferred families come first (see
``PREFERRED_FAMILIES`` for why that order); the environment variable
``ADJUDICATOR_CJK_FONT`` names another family to use.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FONT_ENV_VAR",
    "KNOWN_FONT_FILES",
    "PREFERRED_FAMILIES",
    "WORKING_FAMILY",
    "CJKFont",
    "MissingCJKFontError",
    "find_cjk_font",
    "font_stylesheet",
]

FONT_ENV_VAR = "ADJUDICATOR_CJK_FONT"

#: Family name of the reduced working copy of the CJK font (see fontsubset.py).
WORKING_FAMILY = "Adjudicator CJK Working Copy"

#: Families tried first, best first. Noto Sans CJK SC (Debian ``fonts-noto-cjk``) has the
#: simplified-Chinese glyph forms, a real bold face and covers the rare characters of names;
#: the cost of subsetting its large CFF faces is contained by the working copy of
#: fontsubset.py (docs/documents.md). The TrueType fonts after it are fallbacks.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "AR PL SungtiL GB",
    "Droid Sans Fallback",
)

#: (file, family, face index) of the Debian/Ubuntu packages, checked when ``fc-list`` is
#: missing. Pango still finds these families through the fontconfig library.
KNOWN_FONT_FILES: tuple[tuple[str, str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", "AR PL UMing CN", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", "AR PL SungtiL GB", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "Droid Sans Fallback", 0),
)

_INSTALL_HINT = (
    "No font covering Chinese (CJK) was found, so the documents would print as empty boxes. "
    "Install one, for example on Debian/Ubuntu: apt-get install fonts-noto-cjk "
    "(then check with: fc-list :lang=zh)."
)


_FC_WEIGHT_REGULAR = 80
_FC_WEIGHT_BOLD = 200


class MissingCJKFontError(RuntimeError):
    """No usable CJK font: the documents cannot be rendered legibly."""

    def __init__(self, detail: str | None = None) -> None:
        message = _INSTALL_HINT if not detail else f"{_INSTALL_HINT} ({detail})"
        super().__init__(message)


@dataclass(frozen=True)
class CJKFont:
    """A CJK font: the family used in CSS and charts, and where its faces live.

    ``path``/``index`` is the regular face (a face of a collection file such as a ``.ttc``);
    ``bold_path``/``bold_index`` the bold face of the same family when one is installed.
    """

    family: str
    path: Path
    index: int = 0
    bold_path: Path | None = None
    bold_index: int = 0


def _fc_list() -> list[tuple[int, CJKFont]] | None:
    """(weight, face) of every face fontconfig says covers Chinese; None without fc-list."""
    executable = shutil.which("fc-list")
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "--format", "%{file}\t%{index}\t%{weight}\t%{family}\n", ":lang=zh"],
            capture_output=True,
            check=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    faces: list[tuple[int, CJKFont]] = []
    for line in completed.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or not parts[0]:
            continue
        file, index, weight, families = parts
        for family in families.split(","):
            family = family.strip()
            if family:
                face = CJKFont(family, Path(file), int(index) if index.isdigit() else 0)
                faces.append((int(weight) if weight.isdigit() else _FC_WEIGHT_REGULAR, face))
    return faces


def _known_files() -> list[tuple[int, CJKFont]]:
    faces: list[tuple[int, CJKFont]] = []
    for file, family, index in KNOWN_FONT_FILES:
        if Path(file).is_file():
            faces.append((_FC_WEIGHT_REGULAR, CJKFont(family, Path(file), index)))
            bold = Path(file.replace("-Regular.", "-Bold."))
            if bold != Path(file) and bold.is_file():
                faces.append((_FC_WEIGHT_BOLD, CJKFont(family, bold, index)))
    return faces


def _by_family(faces: list[tuple[int, CJKFont]]) -> dict[str, CJKFont]:
    """One font per family: its face closest to regular weight, with its bold face if any."""
    regular: dict[str, tuple[int, CJKFont]] = {}
    bold: dict[str, tuple[int, CJKFont]] = {}
    for weight, face in faces:
        if not face.path.is_file():
            continue
        key = face.family.casefold()
        distance = abs(weight - _FC_WEIGHT_REGULAR)
        if key not in regular or distance < regular[key][0]:
            regular[key] = (distance, face)
        if weight >= _FC_WEIGHT_BOLD - 20:
            distance = abs(weight - _FC_WEIGHT_BOLD)
            if key not in bold or distance < bold[key][0]:
                bold[key] = (distance, face)
    fonts: dict[str, CJKFont] = {}
    for key, (_, face) in regular.items():
        bold_face = bold.get(key, (0, None))[1]
        if bold_face is not None and (bold_face.path, bold_face.index) != (face.path, face.index):
            face = CJKFont(face.family, face.path, face.index, bold_face.path, bold_face.index)
        fonts[key] = face
    return fonts


def _choose(faces: list[tuple[int, CJKFont]], wanted: str | None) -> CJKFont | None:
    """The font of the wanted family, else of the first preferred family, else any font."""
    by_family = _by_family(faces)
    order = ([wanted] if wanted else []) + list(PREFERRED_FAMILIES)
    for family in order:
        face = by_family.get(family.casefold())
        if face is not None:
            return face
    if wanted:
        return None
    # No preferred family: any Chinese face, in a stable order, rather than nothing.
    usable = sorted(by_family.values(), key=lambda f: (f.family.casefold(), str(f.path)))
    return usable[0] if usable else None


@functools.lru_cache(maxsize=4)
def find_cjk_font(family: str | None = None) -> CJKFont:
    """The CJK font to render with; raises :class:`MissingCJKFontError` when there is none.

    ``family`` (or the ``ADJUDICATOR_CJK_FONT`` environment variable) asks for a given
    family; it must be installed. The result is cached for the life of the process.
    """
    wanted = family or os.environ.get(FONT_ENV_VAR) or None
    faces = _fc_list()
    if faces is None:
        faces = _known_files()
    chosen = _choose(faces, wanted)
    if chosen is None:
        if wanted:
            raise MissingCJKFontError(f"the requested font family {wanted!r} is not installed")
        raise MissingCJKFontError()
    return chosen


def font_stylesheet(font: CJKFont, working_faces: Mapping[str, str] | None = None) -> str:
    """CSS giving every element and the page margin boxes the CJK family.

    ``working_faces`` maps a CSS font weight (``"normal"``, ``"bold"``) to the URL of a
    reduced copy of that face (:mod:`adjudicator.documents.fontsubset`); they are declared
    as the family :data:`WORKING_FAMILY` and put first, with the full system family after
    them for any character they lack. Margin boxes (page numbers) inherit from ``@page``,
    not from ``body``, so both are set.
    """
    family = _css_string(font.family)
    rules: list[str] = []
    stack = f'"{family}", sans-serif'
    if working_faces:
        for weight, url in working_faces.items():
            rules.append(
                f'@font-face {{ font-family: "{WORKING_FAMILY}"; font-weight: {weight}; '
                f'font-style: normal; src: url("{_css_string(url)}"); }}'
            )
        stack = f'"{WORKING_FAMILY}", {stack}'
    rules.append(f"@page {{ font-family: {stack}; }}")
    rules.append(f"html {{ font-family: {stack}; }}")
    return "\n".join(rules) + "\n"


def _css_string(text: str) -> str:
    """``text`` made safe inside a double-quoted CSS string."""
    return "".join(ch for ch in text if ch not in '"\\\n\r\f')
