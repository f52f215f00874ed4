"""Charts as inline SVG, drawn on the server: no JavaScript, printable, with a text title.

Every chart on a page sits beside a table of the same figures, for people who cannot see it.
"""

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 230


def _money(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    return f"£{value:,.0f}"


def bar_chart(rows: list[tuple[str, float]], *, title: str, second: list[float] | None = None,
              legend: tuple[str, str] = ("", "")) -> Markup:
    """Horizontal bars (optionally a second, overlaid series such as local coverage)."""
    if not rows:
        return Markup("")
    top = max([abs(v) for _, v in rows] + [abs(v) for v in second or []] + [1.0])
    span = WIDTH - LABEL_WIDTH - 90
    height = len(rows) * (BAR_HEIGHT + 8) + 30
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * (BAR_HEIGHT + 8)
        width = max(1.0, span * abs(value) / top)
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" '
                     f'class="chart__label">{escape(str(label)[:34])}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                     f'height="{BAR_HEIGHT}" class="chart__bar"/>')
        if second is not None:
            inner = span * abs(second[i]) / top
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 6}" width="{inner:.1f}" '
                         f'height="{BAR_HEIGHT - 12}" class="chart__bar--second"/>')
        parts.append(f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 16}" '
                     f'class="chart__value">{_money(value)}</text>')
    if second is not None and any(legend):
        y = height - 8
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y - 10}" width="12" height="12" '
                     f'class="chart__bar"/><text x="{LABEL_WIDTH + 16}" y="{y}" '
                     f'class="chart__label">{escape(legend[0])}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH + 200}" y="{y - 10}" width="12" height="12" '
                     f'class="chart__bar--second"/><text x="{LABEL_WIDTH + 216}" y="{y}" '
                     f'class="chart__label">{escape(legend[1])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def share_chart(rows: list[tuple[str, float | None, float | None]], *, title: str) -> Markup:
    """Columns of a share (0..1) per year, such as the local share of spend."""
    if not rows:
        return Markup("")
    height, base, step = 220, 180, max(28, (WIDTH - 60) // max(len(rows), 1))
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>",
             f'<line x1="40" y1="{base}" x2="{WIDTH}" y2="{base}" class="chart__axis"/>']
    for i, (label, share, wider) in enumerate(rows):
        x = 50 + i * step
        if wider is not None:
            h = 150 * wider
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{step * 0.6:.1f}" '
                         f'height="{h:.1f}" class="chart__bar--light"/>')
        if share is not None:
            h = 150 * share
            parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{step * 0.6:.1f}" '
                         f'height="{h:.1f}" class="chart__bar"/>')
            parts.append(f'<text x="{x}" y="{base - h - 4:.1f}" class="chart__value">'
                         f'{share * 100:.0f}%</text>')
        parts.append(f'<text x="{x}" y="{base + 16}" class="chart__label">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
