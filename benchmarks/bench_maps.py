"""HTML size and render time of a large parcels layer: landplan's maps beside explore().

Run from the repository root:

    python benchmarks/bench_maps.py --parcels 100000

For each variant it builds the map (Python time), writes the page (MB) and opens it in headless
Chromium with the network off, timing from navigation to the first frame painted after the page's
scripts ran (``load`` plus two animation frames). ``explore()`` pages load Leaflet from a CDN;
they are saved through :func:`landplan.maps.save_map`, which inlines Leaflet, so both open
offline and the comparison is of the data and its drawing only.

The "digitised" variants densify each parcel's boundary to a vertex every few metres with
centimetre noise, as traced boundaries come, to measure display simplification.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

import shapely

from landplan import maps
from landplan.policy import Policy
from landplan.sample import make_zone
from landplan.zone import Zone

PAINTED = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def render_seconds(browser, path: Path, timeout_s: float) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Network off: anything but the file itself is refused (tiles included: not measured).
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
    page.evaluate(PAINTED)
    elapsed = time.perf_counter() - start
    context.close()
    if errors:
        raise RuntimeError(f"{path.name}: {errors[0]}")
    return elapsed


def command_maps(store: Path, timeout_s: float) -> None:
    """Time ``landplan map KIND --db STORE`` in its own process, then render the page."""
    import sys

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _command import load, run

    print(f"load average at the start: {load()}")
    print("| command | CPU s | wall s | peak RSS GB | HTML MB | render s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=maps.find_browser(), args=list(maps.CHROMIUM_ARGS)
        )
        for kind in ("audit", "overview"):
            page = Path(tmp) / f"{kind}.html"
            args = ["map", kind, "--db", str(store), "--out", str(page), "--as-of", "2026-06-30"]
            whole = run(args)
            try:
                render = f"{render_seconds(browser, page, timeout_s):.1f}"
            except Exception as exc:  # a page the browser cannot draw is a result too
                render = f"failed ({type(exc).__name__})"
            print(
                f"| `landplan map {kind} --db` | {whole['cpu_s']:.1f} | {whole['wall_s']:.1f} "
                f"| {whole['peak_rss_gb']:.2f} | {page.stat().st_size / 1e6:.1f} | {render} |",
                flush=True,
            )
        browser.close()
    print(f"load average at the end: {load()}")


def digitised(parcels, step_m: float, seed: int):
    dense = shapely.segmentize(parcels.geometry.to_numpy(), step_m)
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi, 2)

    # Noise as a function of position, so a ring's closing vertex moves with its first one.
    def jitter(coords: np.ndarray) -> np.ndarray:
        angle = coords[:, 0] * 1.7 + coords[:, 1] * 2.3
        noise = 0.03 * np.column_stack([np.sin(angle + phase[0]), np.cos(angle + phase[1])])
        return coords + noise

    out = parcels.copy()
    out.geometry = shapely.make_valid(shapely.transform(dense, jitter))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step-m", type=float, default=5.0, help="vertex spacing, digitised")
    parser.add_argument("--timeout", type=float, default=180.0, help="render timeout, seconds")
    parser.add_argument("--skip-explore", action="store_true")
    parser.add_argument(
        "--explore-digitised",
        action="store_true",
        help="also explore() the digitised layer (about 5 KB of HTML per parcel)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="instead: `landplan map overview|audit --db STORE` as whole commands, each page "
        "rendered in Chromium (a 10⁶-parcel store: its context layers are aggregated)",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    if args.store is not None:
        command_maps(args.store, args.timeout)
        return

    layers = make_zone(seed=args.seed, n_parcels=args.parcels)
    parcels = Zone.from_layers({"parcels": layers["parcels"]}).parcels
    rough = digitised(parcels, args.step_m, args.seed)
    default = Policy.default()
    variants = [
        ("landplan, default policy", parcels, default),
        (
            "landplan, SVG (no canvas)",
            parcels,
            default.replace(**{"maps.canvas_min_features": 10**9}),
        ),
        ("landplan, digitised, simplified 0.5 m", rough, default),
        (
            "landplan, digitised, not simplified",
            rough,
            default.replace(**{"maps.simplify_tolerance_m": 0.0}),
        ),
    ]
    print(
        f"{len(parcels)} parcels; digitised: "
        f"{shapely.get_num_coordinates(rough.geometry.to_numpy()).mean():.0f} vertices per parcel"
    )
    print(f"{'variant':42} {'build s':>8} {'HTML MB':>8} {'render s':>9}")
    with TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=maps.find_browser(), args=list(maps.CHROMIUM_ARGS)
        )

        def report(name: str, build_s: float, path: Path) -> None:
            size_mb = path.stat().st_size / 1e6
            try:
                render = f"{render_seconds(browser, path, args.timeout):9.1f}"
            except Exception as exc:  # a page too large to render in time is a result too
                render = f"{'failed':>9}  ({type(exc).__name__}: {str(exc).splitlines()[0][:60]})"
            print(f"{name:42} {build_s:8.1f} {size_mb:8.1f} {render}", flush=True)
            path.unlink()

        for name, frame, policy in variants:
            start = time.perf_counter()
            zone = Zone(**{**Zone.empty(policy).layers(), "parcels": frame}, policy=policy)
            path = maps.save_map(maps.overview_map(zone), Path(tmp) / "landplan.html")
            report(name, time.perf_counter() - start, path)
        if not args.skip_explore:
            for name, frame in (
                ("GeoDataFrame.explore()", parcels),
                ("explore(), digitised", rough),
            ):
                start = time.perf_counter()
                m = frame[["parcel_id", "status", "geometry"]].explore(
                    column="status", legend=False
                )
                path = maps.save_map(m, Path(tmp) / "explore.html")
                report(name, time.perf_counter() - start, path)
        browser.close()


if __name__ == "__main__":
    main()
