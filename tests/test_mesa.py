"""The model keeps Mesa's conventions: Agent subclasses, model.agents, seeded model.rng, batch_run."""

from __future__ import annotations

import mesa
import numpy as np

from sim.actors import actor_classes
from sim.compat import batch_run_seeded
from sim.model import BLAS, DiplomacyModel
from tests.conftest import HANOI


def test_five_actors_are_mesa_agents():
    model = DiplomacyModel(scenario=HANOI)
    assert isinstance(model, mesa.Model)
    kinds = {type(agent) for agent in model.agents}
    assert kinds == set(actor_classes().values())
    assert all(isinstance(agent, mesa.Agent) for agent in model.agents)


def test_rng_is_the_model_generator():
    a, b = DiplomacyModel(scenario=HANOI, rng=5), DiplomacyModel(scenario=HANOI, rng=5)
    assert isinstance(a.rng, np.random.Generator)
    assert a.rng.random() == b.rng.random()


def test_step_protocol_advances_a_month_and_stops_at_the_horizon():
    model = DiplomacyModel(scenario=HANOI)
    assert model.date == "2019-01"
    model.step()
    assert model.date == "2019-02" and model.running
    model.run()
    assert not model.running and model.month_index == model.case.months


def test_batch_run_over_the_same_model():
    parameters = {"scenario": str(HANOI), "replicas": 1, "mesa_datacollector": True}
    results = batch_run_seeded(DiplomacyModel, parameters, seeds=[1, 2, 3], max_steps=100)
    assert len(results) == 3
    assert {"tension", "agreement_signed", "RunId"} <= set(results[0])
    ours = DiplomacyModel(scenario=HANOI, replicas=1, rng=1).run().outcomes()
    first = min(results, key=lambda row: row["RunId"])
    assert first["missile_launches"] == float(ours["missile_launches"][0])


def test_finished_models_are_freed():
    """Mesa 3.3 keeps every model in ``Agent._ids``; ``sim.compat`` lets finished ones go."""
    import gc

    from sim.runner import simulate

    def live() -> int:
        gc.collect()
        return sum(isinstance(o, DiplomacyModel) for o in gc.get_objects())

    before = live()
    for seed in range(3):
        simulate(HANOI, replicas=4, seed=seed)
    assert live() == before


def test_a_run_holds_blas_to_one_thread_and_gives_the_threads_back(monkeypatch):
    """Every run, however it is started (the narrated run builds the model directly), steps with BLAS at
    one thread, and the process has its threads back afterwards."""
    before = [library["num_threads"] for library in BLAS.info()]
    assert before, "numpy loads a BLAS library"
    seen: list[list[int]] = []
    step = DiplomacyModel.step

    def recording_step(model: DiplomacyModel) -> None:
        seen.append([library["num_threads"] for library in BLAS.info()])
        step(model)

    monkeypatch.setattr(DiplomacyModel, "step", recording_step)
    DiplomacyModel(scenario=HANOI, replicas=2, rng=0).run()
    assert seen and all(threads == [1] * len(before) for threads in seen)
    assert [library["num_threads"] for library in BLAS.info()] == before
