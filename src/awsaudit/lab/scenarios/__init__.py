"""Named lab scenarios: realistic accounts built into the lab, each with the problems it plants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from awsaudit.lab.backend import seed_ids
from awsaudit.lab.scenarios import misconfigured, organization, synthetic, well_configured
from awsaudit.lab.scenarios.model import BuiltScenario, Planted, Scenario, ScenarioError

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

__all__ = [
    "SCENARIOS",
    "BuiltScenario",
    "Planted",
    "Scenario",
    "ScenarioError",
    "build_scenario",
    "scenario_named",
]

# Every build seeds moto's id generator, so a scenario built in a freshly started lab gets the
# same ids every time. After Lab.reset moto re-creates the default VPCs of every region it had
# touched before the seed applies, so their ids (and those drawn after them) then differ.
ID_SEED = 20261128

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            name="misconfigured",
            description="Small account in us-east-1 and eu-west-1 violating many guide points (fixed size).",
            regions=misconfigured.REGIONS,
            build=misconfigured.build,
        ),
        Scenario(
            name="well-configured",
            description="Member account of an organization meeting every guide point (us-east-1, eu-west-1).",
            regions=well_configured.REGIONS,
            build=well_configured.build,
        ),
        Scenario(
            name="synthetic",
            description="Sized account for benchmarks: users, roles, security groups, buckets, regions.",
            regions=synthetic.region_names(synthetic.DEFAULTS["regions"]),
            build=synthetic.build,
            parameters=synthetic.DEFAULTS,
        ),
        Scenario(
            name="organization",
            description="Management account and member accounts in two OUs with different postures "
            "(members=N sizes it; us-east-1).",
            regions=organization.REGIONS,
            build=organization.build,
            parameters=organization.DEFAULTS,
        ),
    )
}


def scenario_named(name: str) -> Scenario:
    """The scenario called ``name``; callers check it before starting a lab, so a typo costs no server."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ScenarioError(f"unknown scenario {name!r} (known: {', '.join(sorted(SCENARIOS))})")
    return scenario


def build_scenario(name: str, lab: Lab, **params: int) -> BuiltScenario:
    """Build scenario ``name`` into ``lab``, which must hold no other scenario (see Lab.reset)."""
    scenario = scenario_named(name)
    unknown = sorted(set(params) - set(scenario.parameters))
    if unknown:
        raise ScenarioError(f"scenario {name!r} takes no parameter {', '.join(unknown)}")
    for key, value in params.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ScenarioError(
                f"parameter {key} of scenario {name!r} must be a non-negative integer, not {value!r}"
            )
    seed_ids(ID_SEED)
    return scenario.build(lab, {**scenario.parameters, **params})
