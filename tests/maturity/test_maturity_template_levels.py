"""Named levels per template: the EY 2019 template scores on its five stages, others on EY 2023."""

from __future__ import annotations

import dataclasses

import pytest

from barometre.maturity.analysis import MaturityOptions
from barometre.maturity.levels import EY2019, EY2023, template_preset
from barometre.questionnaire.templates_catalogue import load_template


def test_the_ey_template_names_its_five_stages_and_others_fall_back_to_ey2023() -> None:
    ey = load_template("ey-france-urbaine-maturite")
    assert template_preset(ey.settings) == "ey2019"
    assert MaturityOptions().scale(ey).names == EY2019.names
    assert len(EY2019.names) == 5 and len(EY2023.names) == 6
    # the stages are those of the template's items (labels of the ey_stades scale)
    assert tuple(level.label for level in ey.scales["ey_stades"]) == EY2019.names
    plain = dataclasses.replace(ey, settings={})
    assert MaturityOptions().scale(plain).names == EY2023.names
    assert MaturityOptions(preset="ey2023").scale(ey).names == EY2023.names  # explicit wins
    with pytest.raises(ValueError, match="réglage maturity_levels « ey1999 » inconnu"):
        MaturityOptions().scale(dataclasses.replace(ey, settings={"maturity_levels": "ey1999"}))
