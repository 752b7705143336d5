"""Code 128 (ISO/IEC 15417), code set B, drawn by our own code.

Why our own: the order id is short printable ASCII, so set B alone encodes it (start B, one symbol per
character, modulo-103 check symbol, stop); that is 30 lines with the standard width table, versus a package
that would bring Pillow or SVG writers we do not need. A USB scanner reads the symbol and types the order id,
followed by Enter when (as shipped by default) it is set to add that suffix; the pack flow's scan field opens
that order.
"""

from __future__ import annotations

# Bar/space widths (in modules) of the 107 symbols, value 0..105 then stop; checked against ISO/IEC 15417.
WIDTHS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip
START_B = 104
STOP = 106
QUIET_MODULES = 10  # blank space each side, as the standard asks


def symbol_values(text: str) -> list[int]:
    """Start B, one value per character (ASCII 32..126), the check value, stop."""
    if not text or any(not 32 <= ord(c) <= 126 for c in text):
        raise ValueError("Code 128 set B encodes printable ASCII only")
    values = [START_B, *(ord(c) - 32 for c in text)]
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return [*values, check, STOP]


def module_widths(text: str) -> list[int]:
    """The widths of alternating bars and spaces, starting with a bar (quiet zones not included)."""
    return [int(w) for v in symbol_values(text) for w in WIDTHS[v]]
