"""Generated images for the demo: gradients and shapes for articles, square logos for the
directory and the games, no files shipped."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PALETTES = [
    ((40, 48, 120), (120, 70, 200)),
    ((10, 90, 110), (40, 180, 170)),
    ((120, 30, 60), (230, 120, 80)),
    ((20, 30, 60), (60, 120, 220)),
    ((60, 20, 90), (200, 80, 160)),
    ((30, 70, 40), (150, 200, 90)),
]


def demo_image(seed, *, size=(1280, 720)):
    """JPEG bytes of a gradient with soft circles; the same seed gives the same picture."""
    digest = hashlib.sha256(seed.encode()).digest()
    top, bottom = PALETTES[digest[0] % len(PALETTES)]
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for i in range(6):
        x = digest[1 + i] / 255 * width
        y = digest[7 + i] / 255 * height
        r = 60 + digest[13 + i] / 255 * 220
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 28 + digest[19 + i] % 40))
    for i in range(0, width, 64):
        draw.line([(i, height * 0.72), (i + 32, height)], fill=(255, 255, 255, 30), width=2)
    image = Image.alpha_composite(
        image.convert("RGBA"), overlay.filter(ImageFilter.GaussianBlur(6))
    )
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=84, optimize=True)
    return buffer.getvalue()


def demo_logo(seed, *, initials="", size=160):
    """PNG bytes of a small square logo: a rounded tile with a shape and up to two letters."""
    digest = hashlib.sha256(seed.encode()).digest()
    background, accent = PALETTES[digest[0] % len(PALETTES)]
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=background)
    inset = size // 6 + digest[1] % (size // 8)
    box = (inset, inset, size - inset, size - inset)
    if digest[2] % 2:
        draw.ellipse(box, fill=accent)
    else:
        draw.regular_polygon((size / 2, size / 2, size / 2 - inset), 3 + digest[3] % 4, fill=accent)
    if initials:
        font = ImageFont.load_default(size=size // 3)
        draw.text((size / 2, size / 2), initials[:2], font=font, fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
