"""Shipping labels the sandbox's carriers print: real 4×6 inch PDF, PNG and ZPL documents.

Each label carries the service, the ship-from and ship-to addresses, the Amazon order id and the tracking
number as a Code 128 barcode (set B) with its text, like a carrier label. Written by hand (no Qt, no imaging
library): a one-page PDF with Helvetica text and filled rectangles, a 1-bit PNG at 203 dpi drawn with a small
bitmap font (``label_png``), and ZPL II commands for a thermal printer.
"""

from __future__ import annotations

from dataclasses import dataclass

from fbm_desk.sandbox.label_png import render_png

# Code 128 bar/space widths of the 107 symbols (value 0..105, then stop), ISO/IEC 15417.
_WIDTHS: tuple[str, ...] = (
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


def code128_modules(value: str) -> list[int]:
    """Alternating bar/space widths (bar first) of ``value`` in code set B, check symbol and stop included."""
    codes = [104, *(ord(c) - 32 for c in value)]
    check = (codes[0] + sum(i * v for i, v in enumerate(codes[1:], start=1))) % 103
    return [int(w) for v in [*codes, check, 106] for w in _WIDTHS[v]]


@dataclass(frozen=True)
class LabelContent:
    carrier: str
    service: str
    tracking: str
    order_id: str
    ship_from: tuple[str, ...]
    ship_to: tuple[str, ...]
    weight_g: int
    ship_date: str  # YYYY-MM-DD


def render(content: LabelContent, fmt: str) -> bytes:
    if fmt == "PDF":
        return render_pdf(content)
    if fmt == "PNG":
        return render_png(content.carrier, content.service, content.tracking, _text_lines(content),
                          code128_modules(content.tracking))  # fmt: skip
    return render_zpl(content).encode("ascii", "replace")


def _text_lines(c: LabelContent) -> list[str]:
    return [
        "FROM:",
        *c.ship_from,
        "",
        "SHIP TO:",
        *c.ship_to,
        "",
        f"ORDER {c.order_id}",
        f"WEIGHT {c.weight_g / 1000:.2f} KG  SHIP DATE {c.ship_date}",
    ]


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def _pdf_text(text: str) -> str:
    return _ascii(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def render_pdf(c: LabelContent) -> bytes:
    """One 288 × 432 pt page (4 × 6 in)."""
    ops: list[str] = ["0 g", "BT /F2 16 Tf 18 400 Td (" + _pdf_text(c.carrier.upper()) + ") Tj ET"]
    ops.append("BT /F1 11 Tf 18 384 Td (" + _pdf_text(c.service) + ") Tj ET")
    ops.append("18 376 252 1.5 re f")
    y = 360.0
    for line in _text_lines(c):
        if line:
            font = "/F2" if line.endswith(":") else "/F1"
            ops.append(f"BT {font} 9 Tf 18 {y:.1f} Td ({_pdf_text(line)}) Tj ET")
        y -= 11.5
    modules = code128_modules(c.tracking)
    unit = min(1.4, 252.0 / sum(modules))
    x = 18.0 + (252.0 - unit * sum(modules)) / 2
    for i, width in enumerate(modules):
        if i % 2 == 0:
            ops.append(f"{x:.2f} 60 {width * unit:.2f} 70 re f")
        x += width * unit
    ops.append("BT /F2 12 Tf 18 40 Td (TRACKING # " + _pdf_text(c.tracking) + ") Tj ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def render_zpl(c: LabelContent) -> str:
    """ZPL II for a 4×6 label at 203 dpi (812 × 1218 dots)."""
    fields = [
        f"^FO40,40^A0N,50,50^FD{_ascii(c.carrier.upper())}^FS",
        f"^FO40,100^A0N,30,30^FD{_ascii(c.service)}^FS",
    ]
    y = 160
    for line in _text_lines(c):
        if line:
            fields.append(f"^FO40,{y}^A0N,26,26^FD{_ascii(line)}^FS")
        y += 32
    fields.append(f"^FO60,{max(y + 20, 860)}^BY3^BCN,200,N,N,N^FD{_ascii(c.tracking)}^FS")
    fields.append(f"^FO60,{max(y + 240, 1100)}^A0N,34,34^FDTRACKING # {_ascii(c.tracking)}^FS")
    return "^XA^PW812^LL1218^CI0\n" + "\n".join(fields) + "\n^XZ\n"
