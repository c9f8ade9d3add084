"""Scans and photos as grayscale pages: PNG, JPEG, TIFF (every page of a multi-page TIFF) and
PDF (each page rendered at 200 dpi). Read from bytes in memory: nothing is written to disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf")
PDF_DPI = 200


class BadImage(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def files_in(paths: list[Path]) -> list[Path]:
    """The scan files named, folders opened (sorted by name, as a scanner numbers them)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in SUFFIXES)
        else:
            out.append(p)
    return out


def pages(path: Path) -> Iterator[np.ndarray]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BadImage("文件无法读取") from exc
    if data[:5] == b"%PDF-":
        yield from _pdf_pages(data)
        return
    buf = np.frombuffer(data, np.uint8)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        ok, images = cv2.imdecodemulti(buf, cv2.IMREAD_GRAYSCALE)
        if not ok or not images:
            raise BadImage("TIFF 文件已损坏或格式不受支持")
        yield from images
        return
    image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise BadImage("不是可识别的图片（支持 PNG、JPEG、TIFF、PDF）")
    yield image


def _pdf_pages(data: bytes) -> Iterator[np.ndarray]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise BadImage("PDF 文件已损坏") from exc
    try:
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=PDF_DPI / 72, grayscale=True)
            yield np.array(bitmap.to_pil().convert("L"))
    finally:
        doc.close()
