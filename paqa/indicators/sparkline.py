"""A tiny trend line for dashboard rows: numbers only, no text, drawn without the chart engine so
a dashboard of sixty indicators stays fast. The figures themselves are in the row beside it."""

import base64
from collections.abc import Sequence
from decimal import Decimal

WIDTH, HEIGHT, PAD = 120, 32, 3


def sparkline_svg(values: Sequence[Decimal | float]) -> str:
    if len(values) < 2:
        return ""
    numbers = [float(v) for v in values]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / (len(numbers) - 1)
    points = " ".join(
        f"{PAD + i * step:.1f},{HEIGHT - PAD - (n - low) / span * (HEIGHT - 2 * PAD):.1f}"
        for i, n in enumerate(numbers)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}"><polyline fill="none" stroke="#1d70b8" '
        f'stroke-width="2" points="{points}"/><circle cx="{last_x}" cy="{last_y}" r="2.5" '
        f'fill="#0b0c0c"/></svg>'
    )


def sparkline_data_uri(values: Sequence[Decimal | float]) -> str:
    svg = sparkline_svg(values)
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
