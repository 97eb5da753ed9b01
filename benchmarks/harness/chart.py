"""``results/chart.png``: every whole-process row as a multiple of ``python -c pass``.

Why optional: matplotlib is the benchmark's only dependency outside the standard library
(the ``bench`` extra); without it the run is the same and says there is no chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .measure import Stats, base_of, find, ratio
from .report import fmt_ms, fmt_ratio

CHART_SKIP = frozenset({"pass", "check-integrity", "sha256sum"})


def write_chart(
    meta: Mapping[str, object],
    results: Mapping[int, Sequence[Stats]],
    counts: Mapping[int, int],
    target: Path,
) -> str:
    """A PNG of every whole-process row as a multiple of ``python -c pass``, per size.

    matplotlib is an optional dependency of the benchmark only (``pip install -e '.[bench]'``);
    without it the benchmark runs the same and says that there is no chart.
    """
    try:
        import matplotlib  # deferred: optional, and slow to import

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no chart: matplotlib is not installed (pip install -e '.[bench]')"
    sizes = list(results)
    keys: list[tuple[str, str]] = []
    for stats in results.values():
        for s in stats:
            if (
                s.kind == "process"
                and s.key not in CHART_SKIP
                and s.median is not None
                and s.key not in [k for k, _ in keys]
            ):
                keys.append((s.key, s.label))
    if not keys:
        return "no chart: no whole-process row was measured"
    colors = ("#4C72B0", "#DD8452", "#55A868", "#C44E52")
    height = 0.8 / len(sizes)
    fig, ax = plt.subplots(figsize=(11, 0.5 * len(keys) * max(1, len(sizes) * 0.8) + 1.6))
    biggest = 1.0
    for i, size in enumerate(sizes):
        stats = results[size]
        base = base_of(stats)
        for j, (key, _) in enumerate(keys):
            found = find(stats, key)
            value = ratio(found.median if found else None, base)
            if value is None or found is None or found.median is None:
                continue
            y = j + (i - (len(sizes) - 1) / 2) * height
            ax.barh(
                y,
                value,
                height=height * 0.92,
                color=colors[i % len(colors)],
                label=f"v{size}: {counts.get(size, '?')} distributions" if j == 0 else None,
            )
            ax.text(
                value * 1.04,
                y,
                f"{fmt_ratio(value)}  ({fmt_ms(found.median)} ms)",
                va="center",
                fontsize=8,
            )
            biggest = max(biggest, value)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([label for _, label in keys], fontsize=9)
    for tick, (key, _) in zip(ax.get_yticklabels(), keys, strict=True):
        if key == "import" or key.startswith("check-"):
            tick.set_fontweight("bold")  # bootguard's own rows
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(0.8, biggest * 3)
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if t <= biggest * 3]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t}x" for t in ticks])
    ax.minorticks_off()
    ax.axvline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel(
        "median wall time as a multiple of 'python -c pass' in the same venv (log scale); "
        "bold: bootguard"
    )
    ax.set_title(
        f"bootguard vs peers, whole processes · {str(meta.get('date', ''))[:10]} · "
        f"{meta.get('machine_line', '')}".replace(", Linux", "\nLinux"),
        fontsize=9,
    )
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", which="both", alpha=0.25)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return f"wrote {target}"
