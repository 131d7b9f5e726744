"""DPRK capability: fissile material and warheads grow while facilities run, stop under a
verified freeze, fall only under verified dismantlement.

Rates are the scenario's, from ``history/cases.md`` ("Fissile material and warheads"): the
5 MWe reactor gives about 6 kg of plutonium a year (about one warhead's worth); enrichment
outside Yongbyon grows the stock later. A freeze without inspectors is taken at its word
for Yongbyon only; sites outside Yongbyon run until verified denuclearisation.
"""

from __future__ import annotations

import numpy as np

from sim import concessions as c
from sim.state import WorldState


def grow(world: WorldState) -> None:
    """Phase 2 of a month."""
    yongbyon = np.where(world.yongbyon_running & ~world.yongbyon_dismantled, world.yongbyon_rate, 0.0)
    world.material = world.material + (yongbyon + world.other_sites_rate) / 12.0
    assembled = np.minimum(world.assembly_rate / 12.0, world.material - world.warheads)
    world.warheads = world.warheads + np.maximum(assembled, 0.0)
    _dismantle(world)


def _dismantle(world: WorldState) -> None:
    """Verified denuclearisation removes the arsenal in step with the deal's progress."""
    i = c.INDEX["denuclearization"]
    verified = world.delivering("denuclearization") & world.inspected
    if not verified.any():
        return
    done = world.progress[:, i]
    before = np.maximum(done - 1.0 / c.DURATION[i], 0.0)
    keep = np.where(verified, (1.0 - done) / np.maximum(1.0 - before, 1e-9), 1.0)
    world.material = world.material * keep
    world.warheads = world.warheads * keep
    world.other_sites_rate = np.where(verified, world.other_sites_rate * keep, world.other_sites_rate)
    world.sites_at_signing = np.where(verified, world.sites_at_signing * keep, world.sites_at_signing)
