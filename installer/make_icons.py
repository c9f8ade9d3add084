"""Draw the application icon (a document with a heart: 心档) at every size the platforms want.

Run once when the design changes; the PNGs, the .ico and the .svg are committed.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
TEAL, WHITE, CORAL = (0, 121, 107, 255), (255, 255, 255, 255), (239, 83, 80, 255)

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256">
 <rect x="8" y="8" width="240" height="240" rx="48" fill="#00796b"/>
 <path d="M70 52h86l30 30v122a12 12 0 0 1-12 12H70a12 12 0 0 1-12-12V64a12 12 0 0 1 12-12z" fill="#fff"/>
 <path d="M156 52v30h30" fill="#b2dfdb"/>
 <path d="M122 186c-30-22-46-38-46-58 0-14 10-24 23-24 9 0 17 5 23 13 6-8 14-13 23-13 13 0 23 10 23 24 0 20-16 36-46 58z" fill="#ef5350"/>
</svg>
"""


def draw(size: int = 1024) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=48 * s, fill=TEAL)
    d.rounded_rectangle([58 * s, 52 * s, 186 * s, 216 * s], radius=12 * s, fill=WHITE)
    d.polygon([(156 * s, 52 * s), (186 * s, 82 * s), (156 * s, 82 * s)], fill=(178, 223, 219, 255))
    d.polygon([(156 * s, 40 * s), (200 * s, 40 * s), (200 * s, 82 * s)], fill=TEAL)
    d.ellipse([76 * s, 104 * s, 124 * s, 150 * s], fill=CORAL)
    d.ellipse([120 * s, 104 * s, 168 * s, 150 * s], fill=CORAL)
    d.polygon([(78 * s, 134 * s), (166 * s, 134 * s), (122 * s, 190 * s)], fill=CORAL)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    for n in (16, 24, 32, 48, 64, 128, 256, 512):
        big.resize((n, n), Image.LANCZOS).save(OUT / f"xindang-{n}.png")
    big.resize((256, 256), Image.LANCZOS).save(
        OUT / "xindang.ico",
        sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
    (OUT / "xindang.svg").write_text(SVG, encoding="utf-8")


if __name__ == "__main__":
    main()
