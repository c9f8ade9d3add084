"""Synthetic scans of the real printed sheets (never real answers)."""

import random

import cv2
import pytest

from app.scan import synthetic
from app.services import scan_print, students


@pytest.fixture
def klass(populated_vault):
    return students.grades_and_classes(populated_vault)[0].classes[0]


@pytest.fixture
def scanned(populated_vault, klass, tmp_path):
    """Return make(scale, styles, kind='clean', fmt='png', count=2) → (paths, truths, roster):
    the class's real sheets, marked per `styles` (item → style) and saved as scans."""

    def make(scale, styles=None, kind="clean", fmt="png", count=2, seed=7):
        rng = random.Random(seed)
        pdf, _serial, layout = scan_print.print_scan_sheets(
            populated_vault, scale, class_id=klass.id
        )
        roster = students.search_students(
            populated_vault,
            students.StudentFilter(class_id=klass.id, status="enrolled"),
            sort="name",
        )
        pages = synthetic.render_pages(pdf, 200)
        paths, truths = [], []
        for n in range(count):
            truth = []
            for p in range(layout.pages):
                img = pages[n * layout.pages + p]
                truth += synthetic.mark_page(img, 200, layout, p + 1, rng, styles)
                img = synthetic.degrade(img, kind, rng)
                path = tmp_path / f"scan_{scale}_{n:03d}_{p}.{fmt}"
                cv2.imwrite(str(path), img)
                paths.append(path)
            truths.append(truth)
        return paths, truths, roster[:count]

    return make
