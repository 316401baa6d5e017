"""Legend images of the WMS layers (``LegendURL`` in the capabilities, ``GetLegendGraphic``;
QGIS shows them in its layer tree): the registry's legend entries, the same the web map
draws (layers.catalogue.legend), as swatches with Vietnamese labels in Noto Sans. Written
beside the Mapnik styles when the configuration is built, so they follow the land-use
colours the styles use."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from layers import registry
from layers.catalogue import legend
from tiles.styles import write_private

# Installed by `make` (fonts-noto-core, fonts-dejavu-core): full Vietnamese coverage.
FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
FONT_SIZE = 13
ROW = 20  # pixels per entry
SWATCH = (18, 12)
PADDING = 4
TEXT_COLOUR = (34, 34, 34, 255)


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, FONT_SIZE)
    return ImageFont.load_default()


def legend_png(spec: registry.LayerSpec, *, language: str = "vi") -> bytes:
    entries = legend(spec, language=language)
    font = _font()
    text_x = PADDING + SWATCH[0] + 6
    width = text_x + max(int(font.getlength(e["label"])) for e in entries) + PADDING
    image = Image.new("RGBA", (width, len(entries) * ROW + PADDING), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    for row, entry in enumerate(entries):
        top = PADDING + row * ROW + (ROW - SWATCH[1]) // 2 - 2
        box = (PADDING, top, PADDING + SWATCH[0], top + SWATCH[1])
        fill = ImageColor.getrgb(entry["fill"]) if entry.get("fill") else None
        outline = ImageColor.getrgb(entry.get("stroke") or "#666666")
        draw.rectangle(box, fill=fill, outline=outline, width=2 if entry.get("stroke") else 1)
        draw.text((text_x, PADDING + row * ROW), entry["label"], font=font, fill=TEXT_COLOUR)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def write_legends(folder: Path, keys: list[str]) -> dict[str, Path]:
    """``KEY_legend.png`` for each registry layer ``keys`` names; their paths by key."""
    paths = {}
    for key in keys:
        path = folder / f"{key}_legend.png"
        write_private(path, legend_png(registry.get(key)))
        paths[key] = path
    return paths
