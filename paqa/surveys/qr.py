"""QR codes of a survey's public link, made here (no network): an SVG that scales to any poster,
and a PNG for slides and documents. Both have a white background and the standard quiet zone."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.svg
from qrcode.image.pil import PilImage

#: Pixels per module of the PNG: about 500 pixels square for a survey link.
PNG_BOX_SIZE = 16
#: Error correction M: the code still reads with some 15% of it damaged or covered.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _code(link: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=4)
    code.add_data(link)
    code.make(fit=True)
    return code


def matrix(link: str) -> list[list[bool]]:
    """The QR code's modules (True: dark), quiet zone included."""
    return [list(row) for row in _code(link, 1).get_matrix()]


def qr_svg(link: str) -> bytes:
    """The QR code as a standalone SVG file: one path on a white rectangle, nothing else."""
    image = _code(link, 10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_png(link: str) -> bytes:
    """The QR code as a black and white PNG."""
    image = _code(link, PNG_BOX_SIZE).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
