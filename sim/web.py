"""What the classroom app's browser page may load: only files shipped with the installed packages.

Solara serves its front end from ``/_solara/cdn/``, a proxy that answers from a local cache
(filled by the ``solara-assets`` package) and, for anything missing, fetches from a public CDN.
:func:`close_cdn_proxy` turns that fetch into a local 404, so no request ever leaves the
machine. :data:`ASSETS` names the vega, vega-lite and vega-embed builds ``solara-assets``
ships (exact versions), which :data:`VegaLite` (``vegalite.vue``) loads to draw the charts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
from pathlib import Path

import solara
import solara.server.cdn_helper as cdn_helper
import solara.server.settings as server_settings

log = logging.getLogger("solara.peninsula")  # shown at the server's own log level

BUILDS = {"requirejs": ("requirejs", "require.js"), "vega": ("vega", "build/vega.min.js"),
          "vega_lite": ("vega-lite", "build/vega-lite.min.js"), "vega_embed": ("vega-embed", "build/vega-embed.min.js")}


class NotShipped(Exception):
    """A file under ``/_solara/cdn/`` that no installed package ships."""


def refuse_outside(url: str) -> bytes:
    """In place of Solara's CDN fetch: never go outside; the proxy answers 404."""
    log.warning("not shipped, not fetched: %s", url)
    raise NotShipped(url)


def close_cdn_proxy() -> None:
    """Make Solara's CDN proxy answer only from the local cache (a 404 for anything else)."""
    cdn_helper.fetch_from_cdn = refuse_outside


PAGE_ASSETS = Path(__file__).resolve().with_name("assets")
"""Files the page takes from this package: ``custom.css`` (Solara puts it in every page's ``<head>``)."""


def serve_page_assets() -> None:
    """Serve :data:`PAGE_ASSETS` as Solara's ``/static/assets/`` (before Solara's own), so that the
    page's ``<head>`` carries this package's ``custom.css``: a page that holds still from the loading
    screen on (no animations, transitions or ripples to draw frame after frame)."""
    locations = server_settings.assets.extra_locations
    if str(PAGE_ASSETS) not in locations:
        locations.insert(0, str(PAGE_ASSETS))


def _trim() -> None:
    """Collect, then hand freed memory back to the system (glibc), so a closed class leaves no footprint."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        libc = ctypes.CDLL(name)
        if hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)


def return_memory_after_sessions() -> None:
    """When a session's kernel closes (culled after its tab closed), free its memory a moment later."""
    import solara.lab

    def started() -> object:
        log.info("a session opened")

        def closed() -> None:
            log.info("a session closed: its model is freed")
            threading.Timer(2.0, _trim).start()

        return closed

    solara.lab.on_kernel_start(started)


def cache_dir() -> Path:
    return Path(server_settings.assets.proxy_cache_dir)


def shipped(directory: Path | None = None) -> dict[str, str]:
    """The path under ``/_solara/cdn/`` of each build the page needs, at the version installed."""
    directory = directory or cache_dir()
    found = {}
    for key, (package, file) in BUILDS.items():
        versions = sorted(directory.glob(f"{package}@*/{file}"))
        if not versions:
            raise FileNotFoundError(f"{package} is not in {directory}: install the app's extras (solara-assets)")
        found[key] = versions[-1].relative_to(directory).as_posix()
    return found


ASSETS = shipped()


@solara.component_vue(str(Path(__file__).with_name("vegalite.vue")))
def VegaLite(spec: str, datasets: str, assets: dict) -> None:
    """A Vega-Lite chart: ``spec`` (JSON) embedded once; ``datasets``, JSON of its named data sets, replaced on each change.

    Strings, not dictionaries: the renderer need not walk the spec and hundreds of rows at each step looking for widgets."""
