"""Draws bench/results.svg from bench/results.json (written by bench/run), by hand,
with the standard library only:

    python3 bench/chart.py bench/results.json bench/results.svg

Two grouped bar charts, SQLite next to PostgreSQL for every scenario: throughput at
full load (requests/s) and p99 latency at full load (ms), both on log scales because
the scenarios span three orders of magnitude. The latency chart also marks the p99 at
half the peak rate (the target's measurement) and the 50 ms target.
"""
import json
import math
import sys
from xml.sax.saxutils import escape

WIDTH = 960
LEFT, RIGHT = 90, 30
PANEL_HEIGHT = 300
BACKENDS = [("sqlite", "SQLite", "#4c78a8"), ("postgres", "PostgreSQL", "#f58518")]
# id, x-axis label lines
SCENARIOS = [
    ("health", ["/health/live"]),
    ("goals", ["goal list", "(200, limit=20)"]),
    ("app_goals", ["goal list", "by an app"]),
    ("shared_goals", ["shared goals", "by a supporter"]),
    ("fhir_goals", ["FHIR Goal search", "by a SMART app"]),
    ("sync", ["delta sync", "(100 changes)"]),
    ("agenda", ["agenda", "(20 routines)"]),
    ("article_cold", ["article GET", "cold (200)"]),
    ("article_304", ["article GET", "If-None-Match (304)"]),
    ("check_in", ["create", "check-in (POST)"]),
    ("journey", ["mobile journey", "(requests/s)"]),
]
BURST = ("login_burst", ["/health/live during", "login burst"])
HALF_P99_TARGET_MS = 50.0


def short(value):
    if value >= 10000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def tick_label(value):
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


class Svg:
    def __init__(self):
        self.parts = []

    def add(self, element):
        self.parts.append(element)

    def text(self, x, y, content, size=12, anchor="middle", weight="normal", fill="#222", rotate=None, lines=None):
        transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate is not None else ""
        body = escape(content)
        if lines:
            body = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size + 2}">{escape(line)}</tspan>'
                           for i, line in enumerate(lines))
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
                 f'font-weight="{weight}" fill="{fill}"{transform}>{body}</text>')

    def line(self, x1, y1, x2, y2, stroke="#ccc", width=1, dash=None):
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{dashes}/>')

    def rect(self, x, y, w, h, fill, title=None):
        tip = f"<title>{escape(title)}</title>" if title else ""
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">{tip}</rect>')

    def diamond(self, x, y, r=5, title=None):
        tip = f"<title>{escape(title)}</title>" if title else ""
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
        self.add(f'<polygon points="{points}" fill="#fff" stroke="#222" stroke-width="1.5">{tip}</polygon>')


def bar_panel(svg, top, title, axis_label, groups, unit, markers=None, target_line=None):
    """groups: [(label lines, {backend: value})]; markers: {(group index, backend): value}."""
    values = [v for _, by in groups for v in by.values() if v]
    values += [v for v in (markers or {}).values() if v]
    if target_line:
        values.append(target_line[0])
    if not values:
        return
    low = 10 ** math.floor(math.log10(min(values) * 0.6))
    # The top: the next decade, or twice the tallest bar (room for its label) if lower.
    high = min(10 ** math.ceil(math.log10(max(values) * 1.05)), max(values) * 2)
    if high / low < 100:
        low = 10 ** math.floor(math.log10(high / 100))
    plot_top, plot_bottom = top + 40, top + 40 + PANEL_HEIGHT
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value):
        fraction = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return plot_bottom - fraction * PANEL_HEIGHT

    svg.text(LEFT + plot_width / 2, top + 14, title, size=15, weight="bold")
    decade = low
    while decade <= high * 1.0001:
        y = y_of(decade)
        svg.line(LEFT, y, LEFT + plot_width, y, stroke="#ddd")
        svg.text(LEFT - 8, y + 4, tick_label(decade), size=11, anchor="end", fill="#555")
        for step in range(2, 10):
            minor = decade * step
            if minor < high:
                svg.line(LEFT - 3, y_of(minor), LEFT, y_of(minor), stroke="#999")
        decade *= 10
    svg.line(LEFT, plot_top, LEFT, plot_bottom, stroke="#333")
    svg.line(LEFT, plot_bottom, LEFT + plot_width, plot_bottom, stroke="#333")
    svg.text(24, (plot_top + plot_bottom) / 2, axis_label, size=12, rotate=-90)

    if target_line:
        value, label = target_line
        y = y_of(value)
        svg.line(LEFT, y, LEFT + plot_width, y, stroke="#c0392b", width=1.5, dash="6 4")
        # The key sits in the title row, where no bar can cover it.
        svg.line(LEFT + plot_width - 300, top + 30, LEFT + plot_width - 270, top + 30, stroke="#c0392b", width=1.5, dash="6 4")
        svg.text(LEFT + plot_width - 264, top + 34, label, size=11, anchor="start", fill="#c0392b")

    group_width = plot_width / len(groups)
    bar_width = min(40, group_width * 0.32)
    for index, (label, by_backend) in enumerate(groups):
        center = LEFT + group_width * (index + 0.5)
        for offset, (backend, name, colour) in zip((-0.5, 0.5), BACKENDS):
            x = center + offset * bar_width * 1.1 - bar_width / 2
            value = by_backend.get(backend)
            if value:
                y = y_of(max(value, low))
                svg.rect(x, y, bar_width, plot_bottom - y, colour, f"{name}: {short(value)} {unit}")
                svg.text(x + bar_width / 2, y - 4, short(value), size=10, fill="#333")
            marker = (markers or {}).get((index, backend))
            if marker:
                svg.diamond(x + bar_width / 2, y_of(marker), title=f"{name}: p99 {short(marker)} ms at half the peak rate")
        svg.text(center, plot_bottom + 18, "", size=11, lines=label)


def main():
    source, target = sys.argv[1], sys.argv[2]
    results = json.load(open(source))
    meta, backends = results["meta"], results["backends"]

    def scenario(backend, name):
        return backends.get(backend, {}).get("scenarios", {}).get(name, {})

    throughput = [(label, {b: scenario(b, s).get("rate") for b, _, _ in BACKENDS}) for s, label in SCENARIOS]
    latency = [(label, {b: scenario(b, s).get("p99") for b, _, _ in BACKENDS}) for s, label in SCENARIOS]
    latency.append((BURST[1], {b: backends.get(b, {}).get("login_burst", {}).get("load_p99") for b, _, _ in BACKENDS}))
    markers = {}
    for index, (name, _) in enumerate(SCENARIOS):
        for backend, _, _ in BACKENDS:
            value = scenario(backend, name).get("half_p99")
            if value:
                markers[(index, backend)] = value

    svg = Svg()
    height = 82 + 2 * (PANEL_HEIGHT + 110) + 10
    dirty = " + uncommitted changes" if meta.get("dirty") else ""
    svg.text(WIDTH / 2, 28, "Waymark benchmarks: SQLite vs PostgreSQL", size=19, weight="bold")
    svg.text(WIDTH / 2, 48, f"commit {meta.get('commit', '?')}{dirty}, {meta.get('date', '?')}; {meta.get('cores', '?')} cores; "
             f"wrk {meta.get('threads', '?')} threads, {meta.get('connections', '?')} connections, "
             f"{meta.get('duration', '?')} s per measurement", size=12, fill="#555")
    legend_x = WIDTH / 2 - 230
    for offset, (_, name, colour) in zip((0, 110), BACKENDS):
        svg.rect(legend_x + offset, 60, 14, 14, colour)
        svg.text(legend_x + offset + 20, 72, name, size=12, anchor="start")
    svg.diamond(legend_x + 257, 67)
    svg.text(legend_x + 267, 72, "p99 at half the peak rate", size=12, anchor="start")

    bar_panel(svg, 92, "Throughput at full load", "requests per second (log scale)", throughput, "req/s")
    bar_panel(svg, 92 + PANEL_HEIGHT + 110, "p99 latency at full load", "p99 latency, ms (log scale)", latency, "ms",
              markers=markers, target_line=(HALF_P99_TARGET_MS, "target: p99 < 50 ms at half the peak rate"))

    with open(target, "w") as out:
        out.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
                  f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif">\n')
        out.write(f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>\n')
        for part in svg.parts:
            out.write(part + "\n")
        out.write("</svg>\n")


if __name__ == "__main__":
    main()
