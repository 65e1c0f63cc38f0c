"""Tests for the mechanism / cell source / study model tagger (pure, no database).

The development set is read from /work/shared at run time (it is under publishers'
copyright and must not be copied here); tests that need it skip with the reason when it is
absent. The synthetic abstracts at the end were written for these tests, paraphrasing
typical study designs, so the rules are also checked on text they were not tuned on.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from curation import evaluation, tagger
from curation.tagger import split_sentences, tag

DEV_SET = Path("/work/shared/data/abstracts/dev.jsonl")

needs_dev_set = pytest.mark.skipif(
    not DEV_SET.is_file(),
    reason=f"{DEV_SET} is not here (the labelled development set is read at run time)",
)


def _dev_items() -> list[dict]:
    with DEV_SET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def _values(hits: tuple[tagger.FacetHit, ...]) -> set[str]:
    return {hit.value for hit in hits}


POI_STUDY = (
    "Premature ovarian insufficiency (POI) causes infertility. "
    "Here we transplanted human umbilical cord mesenchymal stem cells (hUC-MSCs) into "
    "cyclophosphamide-treated rats with premature ovarian failure. "
)


# --- The contract -------------------------------------------------------------------------


def test_it_exposes_a_version_and_the_four_mechanisms():
    assert isinstance(tagger.TAGGER_VERSION, str)
    assert 0 < len(tagger.TAGGER_VERSION) <= 50  # Paper.tagger_version holds 50 characters
    assert tagger.MECHANISMS == (
        "gc_differentiation",
        "immune_regulation",
        "exosomes",
        "anti_apoptosis",
    )


def test_its_results_are_frozen_dataclasses():
    result = tag(title="", abstract=POI_STUDY + "hUC-MSCs reduced granulosa cell apoptosis.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.relevant = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.mechanisms[0].score = 1.0  # type: ignore[misc]


def test_labels_follow_the_order_of_mechanisms():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSC exosomes reduced granulosa cell apoptosis and lowered "
        "ovarian TNF-alpha and IL-6.",
    )
    assert result.labels() == ("immune_regulation", "exosomes", "anti_apoptosis")
    assert result.labels() == tuple(hit.slug for hit in result.mechanisms)


def test_scores_lie_in_the_open_unit_interval_and_evidence_is_bounded():
    result = tag(
        title="hUC-MSC exosomes protect granulosa cells",
        abstract=POI_STUDY + "Exosomes reduced apoptosis. Exosomes reduced TUNEL staining. "
        "Exosomes lowered cleaved caspase-3. Exosomes lowered Bax.",
    )
    assert result.mechanisms
    for hit in result.mechanisms:
        assert 0 < hit.score <= 1
        assert 1 <= len(hit.evidence) <= tagger.MAX_EVIDENCE
    assert 0.5 <= result.relevance_score <= 1


def test_empty_input_is_irrelevant_and_empty():
    result = tag(title="", abstract="")
    assert result == tagger.TagResult(
        relevant=False,
        relevance_score=0.0,
        mechanisms=(),
        cell_sources=(),
        models=(),
        inducing_agents=(),
    )


def test_it_is_deterministic():
    abstract = POI_STUDY + "Exosomes from hUC-MSCs reduced granulosa cell apoptosis."
    first = tag(title="A title about BMSCs", abstract=abstract)
    tag(title="", abstract="Something else entirely about ADSCs and the knee.")
    assert tag(title="A title about BMSCs", abstract=abstract) == first


# --- Sentence splitting -------------------------------------------------------------------


def test_it_does_not_split_after_common_abbreviations():
    text = (
        "As reported by Liu et al. in 2020, MSCs (e.g. BMSCs, i.e. marrow cells) were "
        "compared vs. PBS as shown in Fig. 2 and Figs. 3-4. The second sentence starts here."
    )
    assert _sentences(text) == [
        "As reported by Liu et al. in 2020, MSCs (e.g. BMSCs, i.e. marrow cells) were "
        "compared vs. PBS as shown in Fig. 2 and Figs. 3-4.",
        "The second sentence starts here.",
    ]


def test_it_keeps_numbers_and_bracketed_asides_together():
    text = (
        "Rats received 2.5 mg/kg cisplatin and 1 x 10(6) cells (n = 5 per group; P < .05). "
        "The variant (p. R264Q) was found. Done."
    )
    assert _sentences(text) == [
        "Rats received 2.5 mg/kg cisplatin and 1 x 10(6) cells (n = 5 per group; P < .05).",
        "The variant (p. R264Q) was found.",
        "Done.",
    ]


def test_a_lower_case_identifier_may_start_a_sentence():
    text = "The exosomes were isolated. hAEC-derived exosomes were round. miR-21 was enriched."
    assert _sentences(text) == [
        "The exosomes were isolated.",
        "hAEC-derived exosomes were round.",
        "miR-21 was enriched.",
    ]


def test_a_plain_lower_case_word_continues_the_sentence():
    assert _sentences("Cells were counted approx. ten days later. Next.") == [
        "Cells were counted approx. ten days later.",
        "Next.",
    ]


def test_headings_are_not_sentences():
    text = (
        "Background\n\nMSCs repair tissue.\n\nMethods\nRats were treated.\n"
        "RESULTS: Follicles increased. CONCLUSIONS: MSCs work.\n"
        "Keywords: exosomes; apoptosis"
    )
    assert _sentences(text) == [
        "MSCs repair tissue.",
        "Rats were treated.",
        "Follicles increased.",
        "MSCs work.",
    ]


def test_a_hard_wrapped_line_continues_its_sentence():
    text = "Mesenchymal stem cells were injected\ninto the ovaries of mice. They homed."
    assert _sentences(text) == [
        "Mesenchymal stem cells were injected\ninto the ovaries of mice.",
        "They homed.",
    ]


def test_a_truncated_text_ends_with_its_last_fragment():
    assert _sentences("First sentence. The number of total follicles and mature fol") == [
        "First sentence.",
        "The number of total follicles and mature fol",
    ]


def test_spans_index_the_text_exactly():
    text = "  BACKGROUND: A one.\u00a0B two (see Fig. 1).\n\nRESULTS:  C three?  D four!  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["A one.", "B two (see Fig. 1).", "C three?", "D four!"]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


def test_empty_text_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


# --- Negation -----------------------------------------------------------------------------


def test_cells_that_did_not_differentiate_into_granulosa_cells_get_no_gc_tag():
    result = tag(
        title="",
        abstract=POI_STUDY + "The transplanted hUC-MSCs did not differentiate into granulosa "
        "cells. They reduced granulosa cell apoptosis.",
    )
    assert result.relevant
    assert result.labels() == ("anti_apoptosis",)


def test_msc_that_did_not_reduce_apoptosis_get_no_apoptosis_tag():
    result = tag(title="", abstract=POI_STUDY + "MSCs did not reduce apoptosis.")
    assert result.relevant
    assert "anti_apoptosis" not in result.labels()


def test_no_significant_difference_in_apoptosis_is_not_a_finding():
    result = tag(
        title="",
        abstract=POI_STUDY + "There was no significant difference in apoptosis between groups.",
    )
    assert "anti_apoptosis" not in result.labels()


@pytest.mark.parametrize(
    "denial",
    [
        "Differentiation of hUC-MSCs into granulosa cells was not observed.",
        "Differentiation of hUC-MSCs into granulosa cells has not been detected.",
        "The hUC-MSCs reduced follicle loss, and differentiation into granulosa cells was absent.",
    ],
)
def test_a_denial_after_the_cue_is_a_negation_too(denial):
    result = tag(title="", abstract=POI_STUDY + denial)
    assert "gc_differentiation" not in result.labels()


def test_a_negation_stops_at_the_end_of_its_clause():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSCs did not alter body weight, but they reduced granulosa "
        "cell apoptosis.",
    )
    assert result.labels() == ("anti_apoptosis",)


def test_not_only_is_not_a_negation():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSC exosomes not only reduced granulosa cell apoptosis but "
        "also improved follicle counts.",
    )
    assert set(result.labels()) == {"exosomes", "anti_apoptosis"}


def test_a_question_answered_no_gives_no_tag():
    result = tag(
        title="",
        abstract=POI_STUDY + "We asked whether hUC-MSCs differentiate into granulosa cells. "
        "GFP-labelled hUC-MSCs were absent from follicles and none expressed FSHR.",
    )
    assert "gc_differentiation" not in result.labels()


# --- Background and hedges ----------------------------------------------------------------


def test_what_msc_are_known_to_do_is_background():
    result = tag(
        title="",
        abstract="MSCs are known to secrete growth factors and to have immunomodulatory "
        "properties. Here we transplanted BMSCs into cyclophosphamide-treated rats with "
        "premature ovarian failure. BMSCs reduced granulosa cell apoptosis.",
    )
    assert result.labels() == ("anti_apoptosis",)


def test_previous_studies_in_the_background_section_give_no_tag():
    result = tag(
        title="",
        abstract="BACKGROUND: Previous studies reported that MSC-derived exosomes suppress "
        "inflammation.\nMETHODS: BMSCs were injected into rats with premature ovarian failure "
        "induced by cisplatin.\nRESULTS: BMSCs reduced granulosa cell apoptosis.",
    )
    assert result.relevant
    assert result.labels() == ("anti_apoptosis",)


def test_a_trailing_labelled_line_does_not_make_the_abstract_structured():
    result = tag(
        title="",
        abstract="Inflammation drives ovarian damage, and MSCs suppress inflammation. Here we "
        "gave BMSCs to rats with "
        "cisplatin-induced premature ovarian failure. BMSCs reduced granulosa cell "
        "apoptosis.\nTrial registration: not applicable.",
    )
    assert result.labels() == ("anti_apoptosis",)


def test_an_aim_stated_in_the_background_section_counts():
    result = tag(
        title="",
        abstract="BACKGROUND: POI has no cure. In this study, we investigated exosomes derived "
        "from menstrual blood stem cells in POI mice.\nRESULTS: Ovarian function improved.",
    )
    assert result.labels() == ("exosomes",)


def test_what_the_ovarys_own_cells_secrete_is_not_paracrine_therapy():
    for sentence in (
        "Estradiol in the culture supernatant of KGN cells was measured by ELISA.",
        "Granulosa cells secreted estradiol and other factors.",
        "Treatment increased VEGF secretion by granulosa cells.",
    ):
        assert tag(title="", abstract=POI_STUDY + sentence).labels() == (), sentence
    supernatant = tag(
        title="", abstract=POI_STUDY + "The culture supernatant of hUC-MSCs protected KGN cells."
    )
    assert supernatant.labels() == ("exosomes",)


def test_a_cytokine_in_a_secretion_list_is_not_immune_regulation():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSCs secreted VEGF, HGF and IL-6 into their medium.",
    )
    assert result.labels() == ("exosomes",)


def test_immune_response_in_an_annotation_list_is_not_immune_regulation():
    result = tag(
        title="",
        abstract=POI_STUDY + "Cytokines in the conditioned medium participate in a variety of "
        "biological processes including angiogenesis and immune response.",
    )
    assert "immune_regulation" not in result.labels()


def test_low_immunogenicity_is_not_immune_regulation():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSCs have low immunogenicity, and immunohistochemistry "
        "showed no rejection.",
    )
    assert "immune_regulation" not in result.labels()


def test_follicle_atresia_alone_is_not_anti_apoptosis():
    result = tag(
        title="", abstract=POI_STUDY + "hUC-MSCs prevented follicle atresia in treated rats."
    )
    assert result.labels() == ()


def test_granulosa_cell_proliferation_is_not_differentiation():
    result = tag(
        title="",
        abstract=POI_STUDY + "Exosomes promoted the proliferation of granulosa cells and "
        "increased the expression of FOXL2.",
    )
    assert result.labels() == ("exosomes",)


def test_chemotherapy_induced_granulosa_cell_apoptosis_is_not_induced_granulosa_cells():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSCs inhibited chemotherapy-induced granulosa cell apoptosis.",
    )
    assert result.labels() == ("anti_apoptosis",)


def test_differentiation_into_many_cell_types_is_not_gc_differentiation():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC-MSCs can differentiate into many cell types, including "
        "oocyte-like cells.",
    )
    assert "gc_differentiation" not in result.labels()


def test_granulosa_like_cells_and_homing_with_markers_are_gc_differentiation():
    like = tag(
        title="", abstract=POI_STUDY + "hUC-MSCs were induced into granulosa-like cells in vitro."
    )
    homing = tag(
        title="",
        abstract=POI_STUDY + "PKH26-labelled hUC-MSCs homed to the granulosa layer of growing "
        "follicles and co-expressed FSHR and CYP19A1.",
    )
    assert like.labels() == ("gc_differentiation",)
    assert homing.labels() == ("gc_differentiation",)


@pytest.mark.parametrize(
    "sentence",
    [
        "After transplantation, hAECs expressed granulosa cell markers such as FSHR and CYP19A1.",
        "hUC-MSCs acquired a granulosa cell phenotype, expressing AMH and FOXL2.",
        "Some hUC-MSCs transdifferentiated into ovarian granulosa cells.",
        "Y chromosome-positive donor cells were found among granulosa cells of follicles.",
        "GFP-positive cells were found within the granulosa layer of follicles, where they "
        "co-expressed FSHR and CYP19A1.",
    ],
)
def test_it_recognises_ways_of_saying_stem_cells_became_granulosa_cells(sentence):
    assert tag(title="", abstract=POI_STUDY + sentence).labels() == ("gc_differentiation",)


@pytest.mark.parametrize(
    "sentence",
    [
        "hUC-MSC treatment restored granulosa cell morphology.",
        "hUC-MSC treatment increased the expression of FSHR and AMH in granulosa cells.",
        "In hUC-MSC-treated rats, granulosa cells expressed more FSHR.",
        "GFP-labelled hUC-MSCs were found in the ovary, and granulosa cells expressed more FSHR.",
        "hUC-MSCs homed to the injured ovary, and granulosa cells expressed more FSHR.",
        "GFP-labelled hUC-MSCs were not found in follicles.",
    ],
)
def test_better_granulosa_cells_are_not_stem_cells_becoming_granulosa_cells(sentence):
    assert tag(title="", abstract=POI_STUDY + sentence).labels() == ()


def test_greek_letters_and_unicode_hyphens_are_understood():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUC\u2010MSCs lowered ovarian TNF-\u03b1 and IL-1\u03b2 and "
        "produced granulosa\u2010like cells.",
    )
    assert set(result.labels()) == {"gc_differentiation", "immune_regulation"}


# --- Relevance ----------------------------------------------------------------------------


def test_poi_without_stem_cells_is_not_relevant_and_gets_no_tags():
    result = tag(
        title="Melatonin protects granulosa cells in premature ovarian insufficiency",
        abstract="Premature ovarian insufficiency (POI) follows chemotherapy. Melatonin reduced "
        "granulosa cell apoptosis, lowered IL-6 and TNF-alpha and preserved follicles in "
        "cyclophosphamide-treated mice.",
    )
    assert not result.relevant
    assert result.mechanisms == ()
    assert result.relevance_score < 0.5
    assert _values(result.inducing_agents) == {"cyclophosphamide"}  # facets all the same


def test_stem_cells_for_another_organ_are_not_relevant():
    result = tag(
        title="Bone marrow MSC exosomes protect the kidney",
        abstract="MSC-derived exosomes reduced tubular cell apoptosis and inflammation in "
        "cisplatin-induced acute kidney injury in mice.",
    )
    assert not result.relevant
    assert result.mechanisms == ()
    assert _values(result.cell_sources) == {"bone_marrow"}


def test_stem_cells_named_only_in_the_background_of_a_drug_study_are_not_relevant():
    result = tag(
        title="",
        abstract="Stem cell therapy has been proposed for premature ovarian insufficiency. "
        "Here we gave resveratrol to cyclophosphamide-treated mice. Resveratrol reduced "
        "granulosa cell apoptosis and preserved ovarian follicles.",
    )
    assert not result.relevant


def test_ovariectomy_and_ovarian_cancer_are_not_ovarian_insufficiency():
    ovx = tag(
        title="",
        abstract="ADSCs were implanted in ovariectomized rats to treat osteoporosis; bone "
        "volume increased.",
    )
    cancer = tag(
        title="",
        abstract="MSCs promote ovarian cancer growth. MSC exosomes made ovarian cancer cells "
        "resistant to cisplatin.",
    )
    assert not ovx.relevant
    assert not cancer.relevant


def test_one_disease_in_a_list_does_not_make_a_review_relevant():
    result = tag(
        title="",
        abstract="MSCs have been used in many diseases, such as myocardial infarction, liver "
        "fibrosis and premature ovarian failure (POF). This review describes their "
        "immunomodulatory properties.",
    )
    assert not result.relevant


def test_stem_cell_factor_is_not_a_stem_cell():
    result = tag(
        title="",
        abstract="Stem cell factor (SCF) regulates ovarian follicle activation. Serum SCF was "
        "lower in women with premature ovarian insufficiency.",
    )
    assert not result.relevant


def test_vesicles_from_other_cells_are_not_a_stem_cell_intervention():
    result = tag(
        title="",
        abstract="MSC-derived exosomes have been reported to repair injured ovaries. Here we "
        "injected exosomes from young follicular fluid into mice with premature ovarian "
        "failure. The exosomes reduced granulosa cell apoptosis.",
    )
    assert not result.relevant


def test_stem_cells_for_poi_are_relevant():
    result = tag(title="", abstract=POI_STUDY + "Ovarian function improved.")
    assert result.relevant
    assert result.relevance_score >= 0.5


def test_poi_after_haematopoietic_stem_cell_transplantation_is_not_relevant():
    result = tag(
        title="Ovarian function after allogeneic stem cell transplantation for leukaemia",
        abstract="Women transplanted for leukaemia after busulfan conditioning often develop "
        "premature ovarian insufficiency. AMH was undetectable in 80% of stem cell "
        "transplant recipients.",
    )
    assert not result.relevant


def test_apoptosis_of_the_transplanted_cells_is_not_anti_apoptosis():
    result = tag(
        title="",
        abstract=POI_STUDY + "Hypoxic preconditioning reduced the apoptosis of the transplanted "
        "hUC-MSCs and increased their retention in the ovary.",
    )
    assert result.relevant
    assert "anti_apoptosis" not in result.labels()


def test_human_reproduction_headings_give_sections():
    abstract = (
        "STUDY QUESTION: Do hUC-MSCs help women with POI?\n"
        "WHAT IS KNOWN ALREADY: MSCs are known to reduce granulosa cell apoptosis.\n"
        "MAIN RESULTS AND THE ROLE OF CHANCE: Four women conceived after hUC-MSC injection.\n"
        "STUDY FUNDING/COMPETING INTEREST(S): None.\n"
    )
    assert _sentences(abstract) == [
        "Do hUC-MSCs help women with POI?",
        "MSCs are known to reduce granulosa cell apoptosis.",
        "Four women conceived after hUC-MSC injection.",
    ]
    result = tag(title="", abstract=abstract)
    assert result.relevant
    assert result.labels() == ()  # the apoptosis sentence is what is known already


def test_a_copyright_footer_is_not_part_of_the_abstract():
    text = "MSCs reduced apoptosis. Copyright (c) 2021 Elsevier Inc. All rights reserved."
    assert _sentences(text) == ["MSCs reduced apoptosis."]


# --- Facets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "source"),
    [
        ("BMSCs", "bone_marrow"),
        ("BM-MSCs", "bone_marrow"),
        ("bone marrow-derived mononuclear cells", "bone_marrow"),
        ("hUC-MSCs", "umbilical_cord"),
        ("hUCMSCs", "umbilical_cord"),
        ("hUMSCs", "umbilical_cord"),
        ("UC-MSCs", "umbilical_cord"),
        ("WJ-MSCs", "umbilical_cord"),
        ("Wharton's jelly MSCs", "umbilical_cord"),
        ("ADSCs", "adipose"),
        ("AD-MSCs", "adipose"),
        ("hADSCs", "adipose"),
        ("adipose-derived stromal cells", "adipose"),
        ("MenSCs", "menstrual_endometrium"),
        ("EnSCs", "menstrual_endometrium"),
        ("endometrial mesenchymal stem cells", "menstrual_endometrium"),
        ("hAECs", "amniotic"),
        ("AFSCs", "amniotic"),
        ("hAFSCs", "amniotic"),
        ("hAMSCs", "amniotic"),
        ("hAD-MSCs", "amniotic"),  # amnion-derived per DOMAIN.md, not adipose
        ("amniotic membrane cells", "amniotic"),
        ("PMSCs", "placenta"),
        ("hPMSCs", "placenta"),
        ("chorionic plate-derived MSCs", "placenta"),
        ("iPSCs", "pluripotent"),
        ("hiPSCs", "pluripotent"),
        ("hESCs", "pluripotent"),
        ("embryonic stem cells", "pluripotent"),
        ("dental pulp stem cells", "other"),
        ("female germline stem cells", "other"),
        ("skin-derived stem cells", "other"),
    ],
)
def test_it_recognises_each_cell_source(cells, source):
    result = tag(
        title="",
        abstract=f"{cells} were transplanted into mice with premature ovarian insufficiency. "
        "Ovarian function improved.",
    )
    assert _values(result.cell_sources) == {source}
    evidence = result.cell_sources[0].evidence[0]
    assert cells in evidence.sentence


def test_an_abbreviation_the_abstract_defines_wins_over_the_usual_reading():
    endometrial = tag(
        title="",
        abstract="WJ-MSCs were differentiated into endometrial stromal cell (ESC)-like cells. "
        "ESC markers rose, and the ESCs secreted prolactin.",
    )
    adipose = tag(
        title="",
        abstract="Human adipose-derived mesenchymal stem cells (hAD-MSCs) were given to POF "
        "mice. hAD-MSCs restored ovarian function.",
    )
    assert _values(endometrial.cell_sources) == {"umbilical_cord"}
    assert _values(adipose.cell_sources) == {"adipose"}


def test_an_ambiguous_short_form_needs_support():
    inflammasome = tag(
        title="",
        abstract="NLRP3, ASC and caspase-1 rose in the ovaries of POF mice treated with a drug.",
    )
    assert _values(inflammasome.cell_sources) == set()
    assert not inflammasome.relevant


def test_generic_msc_have_no_cell_source():
    result = tag(
        title="",
        abstract="Mesenchymal stem cells (MSCs) were transplanted into rats with premature "
        "ovarian failure. MSCs restored ovarian function.",
    )
    assert _values(result.cell_sources) == set()


def test_umbilical_vein_endothelial_cells_are_not_umbilical_cord_msc():
    result = tag(
        title="",
        abstract="ADSCs improved tube formation of human umbilical vein endothelial cells "
        "(HUVECs) and restored ovarian function in POF rats.",
    )
    assert _values(result.cell_sources) == {"adipose"}


@pytest.mark.parametrize(
    ("model", "agent"),
    [
        ("Rats received cyclophosphamide for 14 days", "cyclophosphamide"),
        ("Mice were injected with CTX", "cyclophosphamide"),
        ("Rats were injected with cisplatin", "cisplatin"),
        ("Rats were given CDDP", "cisplatin"),
        ("Mice were treated with busulfan", "busulfan"),
        ("Mice were injected with 4-vinylcyclohexene diepoxide", "vcd"),
        ("Rats received VCD", "vcd"),
        ("Mice were given D-galactose", "d_galactose"),
        ("Mice were injected with D-gal", "d_galactose"),
        ("Mice were immunised with ZP3 peptide", "autoimmune"),
        ("Rats were fed tripterygium glycosides", "tripterygium"),
        ("Mice were exposed to 4 Gy whole-body irradiation", "radiation"),
        ("Naturally aged mice were used", "ageing"),
        ("Mice were injected with doxorubicin", "other_chemotherapy"),
        ("Chemotherapy-induced POF mice were used", "other_chemotherapy"),
    ],
)
def test_it_recognises_each_inducing_agent(model, agent):
    result = tag(
        title="",
        abstract=f"{model} to model premature ovarian insufficiency. Then BMSCs were "
        "transplanted into the ovaries.",
    )
    assert _values(result.inducing_agents) == {agent}


def test_generic_chemotherapy_is_only_used_when_no_drug_is_named():
    result = tag(
        title="",
        abstract="Chemotherapy-induced POF mice were given MSCs. The mice had received "
        "cisplatin for a week.",
    )
    assert _values(result.inducing_agents) == {"cisplatin"}


@pytest.mark.parametrize(
    ("sentence", "model"),
    [
        ("Twelve women with POI were enrolled and received intraovarian MSCs.", "clinical"),
        ("This pilot study (NCT01234567) tested intraovarian MSCs in POI.", "clinical"),
        ("MSCs were injected into POF rats.", "animal"),
        ("KGN cells were co-cultured with MSCs after cisplatin exposure.", "in_vitro"),
        ("In this review, we summarise MSC therapy for POI.", "review"),
    ],
)
def test_it_recognises_each_study_model(sentence, model):
    result = tag(title="", abstract=sentence)
    assert _values(result.models) == {model}


def test_a_future_clinical_trial_is_not_a_clinical_study():
    result = tag(
        title="",
        abstract="MSCs were injected into POF rats and restored ovarian function. Clinical "
        "trials in women with POI are warranted.",
    )
    assert _values(result.models) == {"animal"}


def test_randomised_rats_are_not_a_clinical_trial():
    result = tag(
        title="",
        abstract="In this pilot study, rats were randomized into four groups and given MSCs "
        "after cisplatin.",
    )
    assert _values(result.models) == {"animal"}


def test_rat_cells_do_not_make_an_animal_study():
    result = tag(
        title="",
        abstract="Primary rat granulosa cells were cultured with MSC exosomes in vitro.",
    )
    assert _values(result.models) == {"in_vitro"}


def test_facet_values_come_with_their_evidence_sentence():
    abstract = POI_STUDY + "Ovarian function improved."
    result = tag(title="", abstract=abstract)
    for hit in result.cell_sources + result.models + result.inducing_agents:
        assert hit.evidence
        for evidence in hit.evidence:
            assert abstract[evidence.start : evidence.end] == evidence.sentence


# --- Evidence offsets ---------------------------------------------------------------------


def _all_evidence(result: tagger.TagResult):
    for hit in result.mechanisms + result.cell_sources + result.models + result.inducing_agents:
        yield from hit.evidence


def test_evidence_in_the_title_indexes_the_title():
    title = "  Exosomes from hUC-MSCs reduce granulosa cell apoptosis in POF  "
    result = tag(title=title, abstract="")
    assert result.relevant
    evidence = [e for e in _all_evidence(result) if e.field == "title"]
    assert evidence
    for item in evidence:
        assert title[item.start : item.end] == item.sentence == title.strip()


def test_evidence_prefers_the_abstract_over_the_title():
    result = tag(
        title="hUC-MSC exosomes reduce granulosa cell apoptosis",
        abstract=POI_STUDY + "Exosomes reduced granulosa cell apoptosis in treated rats.",
    )
    for hit in result.mechanisms:
        assert all(e.field == "abstract" for e in hit.evidence)


@needs_dev_set
def test_evidence_offsets_index_the_dev_abstracts_exactly():
    for item in _dev_items():
        title, abstract = item["title"] or "", item["abstract"]
        for evidence in _all_evidence(tag(title=title, abstract=abstract)):
            source = title if evidence.field == "title" else abstract
            assert source[evidence.start : evidence.end] == evidence.sentence, item["id"]


@needs_dev_set
def test_dev_sentences_are_split_where_the_labels_expect():
    # Every labelled evidence sentence is one whole sentence of the splitter.
    for item in _dev_items():
        sentences = {" ".join(s.split()) for s in _sentences(item["abstract"])}
        for slug, labelled in item["evidence"].items():
            for sentence in labelled:
                assert " ".join(sentence.split()) in sentences, (item["id"], slug)


# --- Synthetic abstracts ------------------------------------------------------------------


class Case(NamedTuple):
    id: str
    title: str
    abstract: str
    relevant: bool
    labels: tuple[str, ...]
    cell_sources: tuple[str, ...] | None = None  # None: not checked
    models: tuple[str, ...] | None = None
    agents: tuple[str, ...] | None = None


SYNTHETIC = (
    Case(
        "bmsc-ctx-homing",
        title=(
            "Bone marrow mesenchymal stem cells home to the injured ovary and restore "
            "folliculogenesis in cyclophosphamide-treated rats"
        ),
        abstract=(
            "BACKGROUND: Chemotherapy frequently damages the ovary, and bone marrow mesenchymal "
            "stem cells (BMSCs) have been reported to repair injured tissues.\nMETHODS: Female "
            "Sprague-Dawley rats received cyclophosphamide (CTX; 50 mg/kg on day 1, then 8 "
            "mg/kg/d for 14 days). GFP-labelled BMSCs (1 x 10(6) cells) were injected via the "
            "tail vein. Serum FSH, E2 and AMH were measured by ELISA, follicles were counted on "
            "H&E sections, and apoptosis of granulosa cells was assessed by TUNEL staining and "
            "Western blot for Bax, Bcl-2 and cleaved caspase-3.\nRESULTS: GFP-positive cells were "
            "found in the ovarian stroma and within the granulosa layer of growing follicles, "
            "where they co-expressed FSHR and CYP19A1. BMSC transplantation lowered FSH, raised "
            "E2 and AMH, increased the number of primordial and primary follicles and decreased "
            "the proportion of TUNEL-positive granulosa cells (P < 0.05). The Bax/Bcl-2 ratio "
            "fell in treated ovaries.\nCONCLUSIONS: BMSCs engraft in the damaged ovary, may "
            "contribute to granulosa cell regeneration and protect granulosa cells from "
            "apoptosis."
        ),
        relevant=True,
        labels=("anti_apoptosis", "gc_differentiation"),
        cell_sources=("bone_marrow",),
        models=("animal",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "bmsc-no-differentiation-paracrine",
        title=(
            "Transplanted BMSCs act through paracrine factors rather than granulosa cell "
            "differentiation in chemotherapy-induced ovarian failure"
        ),
        abstract=(
            "Premature ovarian failure after chemotherapy has no effective treatment. Mesenchymal "
            "stem cells are known to secrete a broad range of cytokines and to have "
            "immunomodulatory properties. In this study, we transplanted PKH26-labelled rat BMSCs "
            "into the ovaries of mice treated with busulfan and cyclophosphamide. Labelled cells "
            "were detected in the ovarian interstitium for up to two weeks, but they did not "
            "differentiate into granulosa cells and were absent from follicles. BMSCs secreted "
            "VEGF, HGF and IGF-1 in vitro, and conditioned medium from BMSCs reduced apoptosis of "
            "cultured granulosa cells exposed to phosphoramide mustard. Hormone levels and "
            "follicle counts improved after transplantation. These data suggest that BMSCs "
            "restore ovarian function through paracrine effects."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("bone_marrow",),
        models=("animal", "in_vitro"),
        agents=("busulfan", "cyclophosphamide"),
    ),
    Case(
        "haec-clinical-pilot",
        title=(
            "Intraovarian injection of human amniotic epithelial cells in women with premature "
            "ovarian insufficiency: a pilot study"
        ),
        abstract=(
            "Objective: To assess the safety and feasibility of human amniotic epithelial cell "
            "(hAEC) transplantation in women with premature ovarian insufficiency (POI).\nDesign: "
            "Prospective, single-arm pilot study (ClinicalTrials.gov NCT03207412).\nPatients: "
            "Twelve women aged 28-39 years with POI and amenorrhoea for more than 6 months were "
            "enrolled.\nInterventions: hAECs (5 x 10^6 cells per ovary) were injected into both "
            "ovaries under transvaginal ultrasound guidance.\nResults: No serious adverse events "
            "occurred during 12 months of follow-up. Menstruation resumed in five women, serum "
            "FSH decreased and AMH increased in seven, and one woman conceived "
            "spontaneously.\nConclusions: Intraovarian hAEC transplantation appears safe and may "
            "improve ovarian function in some women with POI; randomised trials are warranted."
        ),
        relevant=True,
        labels=(),
        cell_sources=("amniotic",),
        models=("clinical",),
        agents=(),
    ),
    Case(
        "mensc-ev-in-vitro",
        title=(
            "Extracellular vesicles from menstrual blood-derived stem cells protect granulosa "
            "cells against cisplatin"
        ),
        abstract=(
            "Cisplatin is widely used in cancer treatment but damages ovarian granulosa cells. "
            "Here we asked whether extracellular vesicles secreted by menstrual blood-derived "
            "stem cells (MenSC-EVs) protect human granulosa cells in vitro. MenSC-EVs were "
            "isolated by ultracentrifugation and characterised by nanoparticle tracking analysis "
            "and Western blot for CD63 and TSG101. KGN cells were exposed to cisplatin (10 uM) "
            "with or without MenSC-EVs. MenSC-EVs were taken up by KGN cells, improved their "
            "viability, and reduced the annexin V-positive fraction and the levels of cleaved "
            "caspase-3 and caspase-9. Sequencing showed that miR-21-5p was enriched in MenSC-EVs, "
            "and inhibiting it abolished the protective effect. MenSC-EVs may be developed into a "
            "cell-free therapy for chemotherapy-induced ovarian damage."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("menstrual_endometrium",),
        models=("in_vitro",),
        agents=("cisplatin",),
    ),
    Case(
        "prp-negative",
        title=(
            "Autologous platelet-rich plasma injected into the ovaries of women with poor ovarian "
            "reserve"
        ),
        abstract=(
            "Background: Platelet-rich plasma (PRP) contains growth factors that may support "
            "follicle activation.\nMethods: In this retrospective cohort, 86 women with premature "
            "ovarian insufficiency or poor ovarian reserve received intraovarian PRP. Serum AMH, "
            "FSH and antral follicle count were recorded before and three months after "
            "injection.\nResults: AMH rose and FSH fell modestly after PRP; 11 women conceived. "
            "There was no significant change in antral follicle count.\nConclusion: Intraovarian "
            "PRP may benefit some women with diminished ovarian reserve, but controlled trials "
            "are needed."
        ),
        relevant=False,
        labels=(),
        cell_sources=(),
        models=("clinical",),
        agents=(),
    ),
    Case(
        "dor-genetics-negative",
        title=(
            "Premutation alleles of FMR1 and variants in meiotic genes in women with diminished "
            "ovarian reserve"
        ),
        abstract=(
            "Diminished ovarian reserve (DOR) and premature ovarian insufficiency have a strong "
            "genetic component. We genotyped the FMR1 CGG repeat and performed whole-exome "
            "sequencing in 312 women with DOR and 200 controls. FMR1 premutation alleles were "
            "found in 2.9% of cases versus 0.5% of controls. Rare damaging variants in MCM8, MCM9 "
            "and HFM1 were enriched among cases, and granulosa cells from carriers showed "
            "increased apoptosis in culture. Genetic testing should be considered for women with "
            "unexplained DOR."
        ),
        relevant=False,
        labels=(),
        cell_sources=(),
        models=("clinical", "in_vitro"),
        agents=(),
    ),
    Case(
        "hucmsc-autoimmune-zp3",
        title=(
            "Human umbilical cord MSCs rebalance Th17 and Treg cells in autoimmune premature "
            "ovarian insufficiency"
        ),
        abstract=(
            "Autoimmune mechanisms account for a proportion of premature ovarian insufficiency "
            "(POI). We induced autoimmune POI in female BALB/c mice by immunisation with zona "
            "pellucida 3 (ZP3) peptide and then infused hUC-MSCs through the tail vein. Compared "
            "with untreated POI mice, hUC-MSC-treated mice showed recovered oestrous cycles, "
            "lower FSH and higher AMH. Flow cytometry revealed that hUC-MSCs decreased the "
            "proportion of splenic Th17 cells and increased CD4+CD25+Foxp3+ regulatory T cells. "
            "Serum IL-17, IFN-gamma and TNF-alpha fell, whereas IL-10 and TGF-beta rose. hUC-MSCs "
            "therefore relieve autoimmune ovarian injury by restoring immune tolerance."
        ),
        relevant=True,
        labels=("immune_regulation",),
        cell_sources=("umbilical_cord",),
        models=("animal",),
        agents=("autoimmune",),
    ),
    Case(
        "adsc-cm-vcd",
        title=(
            "Conditioned medium of adipose-derived stem cells improves ovarian function in "
            "VCD-treated mice"
        ),
        abstract=(
            "Objective: Cell-free products may avoid the risks of cell transplantation. We "
            "examined whether conditioned medium from human adipose-derived stem cells (ADSC-CM) "
            "restores ovarian function in a 4-vinylcyclohexene diepoxide (VCD) model of ovarian "
            "failure.\nMethods: Mice received VCD (160 mg/kg, i.p.) for 15 days and then "
            "intraovarian ADSC-CM or control medium. Follicle counts, serum hormones and "
            "fertility were examined.\nResults: ADSC-CM increased primordial and growing "
            "follicles, normalised FSH and E2 and improved litter size. Proteomic analysis "
            "identified VEGF, bFGF and HGF among the most abundant proteins in "
            "ADSC-CM.\nConclusions: The secretome of ADSCs partly reproduces the benefit of the "
            "cells."
        ),
        relevant=True,
        labels=("exosomes",),
        cell_sources=("adipose",),
        models=("animal",),
        agents=("vcd",),
    ),
    Case(
        "ipsc-granulosa-like",
        title=(
            "Granulosa-like cells derived from human induced pluripotent stem cells restore "
            "oestrogen production after busulfan injury"
        ),
        abstract=(
            "Replacing lost granulosa cells could restore endocrine function in ovarian failure. "
            "We differentiated human induced pluripotent stem cells (hiPSCs) into granulosa-like "
            "cells with BMP4 and FSH. The derived cells expressed FOXL2, FSHR, CYP19A1 and AMH "
            "and secreted oestradiol in response to FSH. When aggregated with mouse fetal ovarian "
            "cells and transplanted under the kidney capsule of busulfan-treated mice, the "
            "hiPSC-derived cells formed follicle-like structures and produced oestradiol. These "
            "results show that hiPSCs can give rise to functional granulosa-like cells."
        ),
        relevant=True,
        labels=("gc_differentiation",),
        cell_sources=("pluripotent",),
        models=("animal", "in_vitro"),
        agents=("busulfan",),
    ),
    Case(
        "review-msc-exosomes",
        title=(
            "Mesenchymal stem cell-derived exosomes for premature ovarian insufficiency: a "
            "narrative review"
        ),
        abstract=(
            "Premature ovarian insufficiency (POI) affects about 1% of women under 40. Exosomes "
            "released by mesenchymal stem cells carry proteins and microRNAs that reproduce many "
            "benefits of the parent cells. In this review, we summarise preclinical studies in "
            "which MSC-derived exosomes from bone marrow, umbilical cord, adipose tissue and "
            "amniotic fluid improved ovarian function in chemotherapy-induced POI. The main "
            "mechanisms discussed are inhibition of granulosa cell apoptosis through the PI3K/AKT "
            "pathway, regulation of the immune response and inflammation, and promotion of "
            "angiogenesis. We also consider the obstacles to clinical translation, including "
            "standardisation of exosome production."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes", "immune_regulation"),
        cell_sources=("adipose", "amniotic", "bone_marrow", "umbilical_cord"),
        models=("review",),
        agents=(),
    ),
    Case(
        "spinal-cord-negative",
        title=(
            "Bone marrow stromal cells reduce neuronal apoptosis and inflammation after spinal "
            "cord injury in rats"
        ),
        abstract=(
            "Spinal cord injury causes neuronal death and a persistent inflammatory response. We "
            "transplanted bone marrow stromal cells (BMSCs) into the injured spinal cord of adult "
            "rats. BMSCs reduced TUNEL-positive neurons, lowered IL-1b and TNF-a, shifted "
            "macrophages towards the M2 phenotype and secreted BDNF and VEGF. Locomotor scores "
            "improved over eight weeks. BMSC transplantation is a promising treatment for spinal "
            "cord injury."
        ),
        relevant=False,
        labels=(),
        cell_sources=("bone_marrow",),
        models=("animal",),
        agents=(),
    ),
    Case(
        "hpmsc-dgal-ageing",
        title=(
            "Human placenta-derived mesenchymal stem cells attenuate ovarian inflammation in "
            "D-galactose-induced ovarian ageing"
        ),
        abstract=(
            "Ovarian ageing is accompanied by chronic low-grade inflammation. Female mice were "
            "given D-galactose (200 mg/kg/day) for eight weeks to induce ovarian ageing and then "
            "received human placental mesenchymal stem cells (hPMSCs) intravenously. hPMSC "
            "treatment lowered ovarian IL-6, IL-1b and TNF-a, reduced NLRP3 inflammasome "
            "activation and macrophage infiltration, and increased follicle numbers. The hPMSCs "
            "did not reduce granulosa cell apoptosis, which remained comparable to that of "
            "D-galactose controls. Our findings indicate that hPMSCs delay ovarian ageing mainly "
            "by dampening inflammation."
        ),
        relevant=True,
        labels=("immune_regulation",),
        cell_sources=("placenta",),
        models=("animal",),
        agents=("d_galactose",),
    ),
    Case(
        "wj-growth-factor-il6",
        title="Wharton's jelly MSCs improve ovarian reserve in cisplatin-treated rats",
        abstract=(
            "Aim: To test whether Wharton's jelly mesenchymal stem cells (WJ-MSCs) protect the "
            "ovary from cisplatin.\nMethods: Rats received cisplatin (2 mg/kg) for ten days and "
            "then WJ-MSCs through the tail vein. The growth factors secreted by WJ-MSCs were "
            "measured in their culture supernatant.\nResults: WJ-MSCs secreted VEGF, HGF, IGF-1 "
            "and IL-6. In treated ovaries the number of atretic follicles fell, granulosa cell "
            "apoptosis decreased and AMH rose.\nConclusion: WJ-MSCs protect the ovarian reserve, "
            "probably through the growth factors they secrete."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("umbilical_cord",),
        models=("animal",),
        agents=("cisplatin",),
    ),
    Case(
        "radiation-bm-exosomes",
        title="Bone marrow MSC exosomes and radiation-induced ovarian injury",
        abstract=(
            "Pelvic radiotherapy often leads to premature ovarian insufficiency. Mice received a "
            "single 4 Gy dose of whole-body irradiation, followed by intraovarian injection of "
            "exosomes derived from bone marrow MSCs (BMSC-Exos). BMSC-Exos preserved primordial "
            "follicles, decreased granulosa cell apoptosis and restored fertility compared with "
            "irradiated controls. Mechanistically, exosomal miR-144-5p targeted PTEN and "
            "activated PI3K/AKT signalling. BMSC-Exos may protect the ovary during radiotherapy."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("bone_marrow",),
        models=("animal",),
        agents=("radiation",),
    ),
    Case(
        "tripterygium-hucmsc",
        title="",
        abstract=(
            "Tripterygium glycosides (TG) cause ovarian damage in women treated for autoimmune "
            "disease. We established a rat model of POF with TG (50 mg/kg/day, 8 weeks) and "
            "transplanted hUCMSCs through the tail vein. Four weeks later, oestrous cycles, serum "
            "E2 and the number of healthy follicles had recovered, and the ovarian expression of "
            "cleaved caspase-3 and Bax had fallen. Thus, hUCMSC transplantation can reverse "
            "TG-induced POF in rats."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
        cell_sources=("umbilical_cord",),
        models=("animal",),
        agents=("tripterygium",),
    ),
    Case(
        "resveratrol-stem-background-negative",
        title="Resveratrol protects the ovarian reserve of mice treated with cyclophosphamide",
        abstract=(
            "Premature ovarian insufficiency (POI) is a common consequence of chemotherapy. Stem "
            "cell therapy has been proposed for POI, but its clinical use remains limited. Here "
            "we evaluated resveratrol, a natural polyphenol, in mice given cyclophosphamide. "
            "Resveratrol reduced granulosa cell apoptosis, lowered serum IL-6 and TNF-a and "
            "preserved primordial follicles. Resveratrol may be a simple adjuvant to protect "
            "fertility during chemotherapy."
        ),
        relevant=False,
        labels=(),
        cell_sources=(),
        models=("animal",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "ovx-osteoporosis-negative",
        title="Adipose-derived stem cell sheets prevent bone loss in ovariectomized rats",
        abstract=(
            "Oestrogen deficiency after ovariectomy causes osteoporosis. We implanted sheets of "
            "adipose-derived stem cells (ADSCs) in ovariectomized (OVX) rats. ADSC sheets "
            "increased trabecular bone volume, reduced osteoclast numbers and lowered serum IL-6 "
            "and TNF-a. ADSC sheets may be useful for postmenopausal osteoporosis."
        ),
        relevant=False,
        labels=(),
        cell_sources=("adipose",),
        models=("animal",),
        agents=(),
    ),
    Case(
        "ovarian-cancer-msc-negative",
        title="Mesenchymal stem cells in the tumour microenvironment of ovarian cancer",
        abstract=(
            "Ovarian cancer remains the most lethal gynaecological malignancy. Mesenchymal stem "
            "cells recruited to ovarian tumours promote cancer cell proliferation, angiogenesis "
            "and immune evasion. We show that MSC-derived exosomes transfer miR-21 to ovarian "
            "cancer cells and confer resistance to cisplatin-induced apoptosis. Targeting "
            "MSC-tumour crosstalk may improve chemotherapy of ovarian cancer."
        ),
        relevant=False,
        labels=(),
        cell_sources=(),
        models=(),
        agents=("cisplatin",),
    ),
    Case(
        "background-immune-only",
        title="Umbilical cord MSC transplantation reduces granulosa cell apoptosis in POF rats",
        abstract=(
            "Mesenchymal stem cells (MSCs) are known to secrete cytokines and exert "
            "immunomodulatory effects. Previous studies reported that MSCs reduce inflammation in "
            "many diseases. The aim of this study was to evaluate umbilical cord MSCs (UC-MSCs) "
            "in a rat model of premature ovarian failure induced by cyclophosphamide. UC-MSC "
            "transplantation restored oestrous cycles and reduced the number of TUNEL-positive "
            "granulosa cells. There was no significant difference in serum IL-6 between treated "
            "and untreated rats."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
        cell_sources=("umbilical_cord",),
        models=("animal",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "sev-pyroptosis",
        title="",
        abstract=(
            "Premature ovarian insufficiency (POI) seriously affects female fertility. Small "
            "extracellular vesicles (sEVs) from human umbilical cord mesenchymal stem cells were "
            "isolated and injected into the ovaries of cisplatin-induced POI mice. sEV treatment "
            "improved the estrous cycle and follicle numbers. Further, sEVs suppressed granulosa "
            "cell pyroptosis by downregulating NLRP3, caspase-1 and GSDMD, and reduced the "
            "secretion of IL-1β and IL-18. In conclusion, hUCMSC-sEVs protect ovarian function by "
            "inhibiting the NLRP3 inflammasome."
        ),
        relevant=True,
        # Pyroptosis and caspase-1 (an inflammatory caspase) are not apoptosis.
        labels=("exosomes", "immune_regulation"),
    ),
    Case(
        "had-msc-amnion",
        title=(
            "Human amnion-derived mesenchymal stem cells protect against cisplatin-induced "
            "ovarian injury"
        ),
        abstract=(
            "OBJECTIVE: To explore the effect of human amnion-derived mesenchymal stem cells "
            "(hAD-MSCs) on ovarian damage caused by cisplatin. METHODS: Rats were injected with "
            "cisplatin to establish the POF model, and hAD-MSCs were transplanted via the tail "
            "vein. The apoptosis rate of granulosa cells was detected by flow cytometry. RESULTS: "
            "hAD-MSCs decreased the apoptosis rate of granulosa cells and raised serum AMH. "
            "CONCLUSION: hAD-MSCs improve the ovarian function of POF rats."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
        cell_sources=("amniotic",),
        agents=("cisplatin",),
    ),
    Case(
        "chinglish-bmsc",
        title="",
        abstract=(
            "To investigate the effect of BMSCs on ovary function of POF rats and it's mechanism. "
            "40 SD rats were randomly divided into 4 groups, the POF model was established by "
            "intraperitoneal injection of CTX. The results shown that BMSCs can improve the ovary "
            "function of POF rats by inhibit the granulosa cells apoptosis, the expression of "
            "Bcl-2 was increased and Bax was decreased. BMSCs transplantation can repair the "
            "ovary function of POF rats."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
        cell_sources=("bone_marrow",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "abmdsc-clinical",
        title=(
            "Autologous bone marrow stem cell infusion into the ovarian artery in premature "
            "ovarian failure"
        ),
        abstract=(
            "Fifteen women with POF (age 26-39 years) underwent bone marrow aspiration, and "
            "autologous bone marrow-derived stem cells (ABMDSC) were infused into the ovarian "
            "artery by catheterization. Patients were followed for 12 months. Menses resumed in 4 "
            "of 15 women and three pregnancies were achieved, with serum AMH increasing in "
            "responders. ABMDSC infusion is a feasible option in women with POF, though larger "
            "trials are needed."
        ),
        relevant=True,
        labels=(),
        cell_sources=("bone_marrow",),
        models=("clinical",),
    ),
    Case(
        "exo-macrophage",
        title="Exosomes from hUCMSCs restore ovarian function through macrophage polarization",
        abstract=(
            "Background: Inflammation participates in chemotherapy-induced ovarian injury. "
            "Methods: POI was induced in mice by cyclophosphamide and busulfan, followed by "
            "tail-vein injection of hUCMSC-derived exosomes. Results: Exosome treatment increased "
            "M2 and decreased M1 macrophages in the ovary and reduced the levels of TNF-α. "
            "Conclusions: hUCMSC exosomes relieve POI partly by shifting macrophages towards an "
            "anti-inflammatory phenotype."
        ),
        relevant=True,
        labels=("exosomes", "immune_regulation"),
        agents=("busulfan", "cyclophosphamide"),
    ),
    Case(
        "fgsc-fertility",
        title="Female germline stem cells restore fertility in sterilized mice",
        abstract=(
            "Female germline stem cells (FGSCs) were isolated from neonatal mouse ovaries and "
            "transplanted into the ovaries of mice sterilized with busulfan and cyclophosphamide. "
            "Transplanted FGSCs differentiated into oocytes, and treated mice produced offspring "
            "carrying the donor marker. FGSC transplantation may be a strategy to restore "
            "fertility after ovarian failure."
        ),
        relevant=True,
        labels=(),
        cell_sources=("other",),
    ),
    Case(
        "ff-exosome-pcos-negative",
        title="Follicular fluid exosomal microRNAs in polycystic ovary syndrome",
        abstract=(
            "Exosomes in follicular fluid carry microRNAs that may regulate granulosa cell "
            "function. We isolated follicular fluid exosomes from 30 women with PCOS and 30 "
            "controls undergoing IVF. Twenty miRNAs differed between groups, and miR-143 "
            "inhibited granulosa cell proliferation and promoted apoptosis in KGN cells. "
            "Follicular fluid exosomal miRNAs may contribute to PCOS."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "hair-follicle-negative",
        title="Hair follicle stem cells and wound healing",
        abstract=(
            "Hair follicle stem cells contribute to skin regeneration. In a mouse model of "
            "full-thickness wounds, transplanted hair follicle stem cells reduced inflammation "
            "and apoptosis at the wound edge and accelerated re-epithelialisation."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "findings-first",
        title="",
        abstract=(
            "Transplantation of human amniotic fluid stem cells (hAFSCs) into "
            "cyclophosphamide-treated mice restored the oestrous cycle and reduced apoptosis of "
            "granulosa cells. hAFSCs were labelled with DiR and tracked by in vivo imaging; the "
            "signal persisted in the ovary for 14 days. Labelled cells were not detected inside "
            "follicles. hAFSCs may be a source for treating chemotherapy-induced ovarian failure."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
        cell_sources=("amniotic",),
    ),
    Case(
        "immunogenicity-trap",
        title="Safety of repeated intraovarian injection of hUC-MSCs in cynomolgus monkeys",
        abstract=(
            "hUC-MSCs have low immunogenicity, which makes allogeneic use possible. We injected "
            "hUC-MSCs into the ovaries of aged cynomolgus monkeys three times. "
            "Immunohistochemistry and immunofluorescence showed no abnormal tissue, and no immune "
            "rejection was observed. Serum AMH and the number of antral follicles increased after "
            "injection. Repeated intraovarian hUC-MSC injection is safe in non-human primates."
        ),
        relevant=True,
        labels=(),
        cell_sources=("umbilical_cord",),
        models=("animal",),
    ),
    Case(
        "transdiff",
        title=(
            "Adipose stem cells transdifferentiate into granulosa-like cells in a co-culture system"
        ),
        abstract=(
            "We co-cultured human adipose-derived stem cells with ovarian granulosa cells in a "
            "Transwell system. A subset of the stem cells transdifferentiated into granulosa-like "
            "cells expressing inhibin alpha and aromatase. No evidence of differentiation into "
            "oocyte-like cells was found. Co-culture with granulosa cells can steer ADSCs toward "
            "a granulosa fate, which may be useful in ovarian insufficiency."
        ),
        relevant=True,
        labels=("gc_differentiation",),
        cell_sources=("adipose",),
        models=("in_vitro",),
    ),
    Case(
        "negated-gc-evidence",
        title=(
            "Mesenchymal stem cells improve ovarian function in POF mice without becoming "
            "granulosa cells"
        ),
        abstract=(
            "Bone marrow MSCs were transplanted into mice with cyclophosphamide-induced POF. "
            "Ovarian function improved, but no evidence of differentiation into granulosa cells "
            "was found, and GFP-labelled MSCs remained in the interstitium. MSC-treated ovaries "
            "showed fewer TUNEL-positive follicles."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
    ),
    Case(
        "inline-labels-pubmed",
        title="Menstrual blood stem cells and POI",
        abstract=(
            "BACKGROUND: MenSCs are easily obtained. OBJECTIVE: To determine whether MenSCs "
            "restore ovarian function. METHODS: POI mice (CTX) received MenSCs. RESULTS: MenSCs "
            "increased follicle numbers, reduced granulosa cell apoptosis (Fig. 2; 12.5% vs. "
            "31.2%, p < 0.01) and elevated FGF2 secretion. CONCLUSIONS: MenSCs restore ovarian "
            "function, e.g. by paracrine FGF2."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("menstrual_endometrium",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "iva-review-negative",
        title="Treatment options for primary ovarian insufficiency",
        abstract=(
            "Primary ovarian insufficiency affects 1% of women. Hormone replacement remains the "
            "mainstay of treatment, and oocyte donation offers the best chance of pregnancy. In "
            "vitro activation of dormant follicles and intraovarian platelet-rich plasma are "
            "experimental. This review discusses current management of POI."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "previous-own-work",
        title="",
        abstract=(
            "Background: We previously showed that menstrual blood-derived stem cells reduce "
            "granulosa cell apoptosis in POI mice. Methods: Here, MenSC-derived conditioned "
            "medium was given to VCD-treated rats. Results: Conditioned medium improved follicle "
            "counts and raised E2."
        ),
        relevant=True,
        labels=("exosomes",),
    ),
    Case(
        "whether-then-negative",
        title="",
        abstract=(
            "We examined whether bone marrow MSCs differentiate into granulosa cells after "
            "transplantation into cyclophosphamide-treated mice. MSCs were labelled with PKH26 "
            "and injected into the ovaries. PKH26-positive cells remained in the stroma and did "
            "not express FSHR or AMH, and none were found in the granulosa layer. Nevertheless, "
            "treated mice had more follicles and fewer TUNEL-positive granulosa cells."
        ),
        relevant=True,
        labels=("anti_apoptosis",),
    ),
    Case(
        "ferroptosis",
        title="hUC-MSCs alleviate ovarian ferroptosis",
        abstract=(
            "Ferroptosis contributes to chemotherapy-induced ovarian damage. We transplanted "
            "hUC-MSCs into cisplatin-treated rats. hUC-MSCs reduced lipid peroxidation, restored "
            "GPX4 expression and prevented ferroptotic cell death of granulosa cells, improving "
            "follicle counts."
        ),
        relevant=True,
        labels=(),
    ),
    Case(
        "testis-negative",
        title="BMSCs repair busulfan-induced testicular damage",
        abstract=(
            "Busulfan damages spermatogenesis. BMSCs were injected into the testes of "
            "busulfan-treated mice; they reduced germ cell apoptosis and inflammation and "
            "restored sperm counts."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "review-homing-diff",
        title="Mechanisms of stem cell therapy for premature ovarian insufficiency",
        abstract=(
            "Stem cell therapy is a promising strategy for premature ovarian insufficiency. This "
            "review summarises how transplanted stem cells act: homing to the injured ovary, "
            "differentiation into granulosa cells, paracrine secretion of growth factors, "
            "inhibition of granulosa cell apoptosis and immunomodulation."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes", "gc_differentiation", "immune_regulation"),
    ),
    Case(
        "pbsc-clinical",
        title="",
        abstract=(
            "Thirty women with poor ovarian reserve were randomized to intraovarian infusion of "
            "autologous peripheral blood stem cells mobilised with G-CSF or to no treatment. AMH "
            "and antral follicle count increased in the treated group, and clinical pregnancy "
            "rates were higher after IVF."
        ),
        relevant=True,
        labels=(),
        models=("clinical",),
    ),
    Case(
        "angiogenesis-only",
        title="Placental MSCs promote ovarian angiogenesis in POF rats",
        abstract=(
            "Human placenta-derived MSCs were transplanted into rats with "
            "cyclophosphamide-induced POF. Treatment increased ovarian microvessel density and "
            "the expression of VEGF and CD31, and restored oestrous cycles."
        ),
        relevant=True,
        labels=(),
        cell_sources=("placenta",),
    ),
    Case(
        "asherman-negative",
        title="Menstrual blood stem cells for thin endometrium",
        abstract=(
            "Thin endometrium causes implantation failure. Menstrual blood-derived stem cells "
            "were transplanted into rats with injured endometrium. Endometrial thickness, "
            "microvessel density and fertility improved, and inflammation decreased."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "female-infertility-review",
        title="Stem cells and female reproductive disorders",
        abstract=(
            "In this review, we discuss stem cell-based therapies for female reproductive "
            "disorders, including intrauterine adhesions, premature ovarian failure and "
            "polycystic ovary syndrome. MSCs and their exosomes exert anti-inflammatory and "
            "anti-apoptotic effects in these diseases."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes", "immune_regulation"),
    ),
    Case(
        "oocyte-differentiation",
        title="Ovarian stem cells generate oocytes in vitro",
        abstract=(
            "Oogonial stem cells (OSCs) were isolated from adult mouse ovaries. In culture, OSCs "
            "differentiated into oocyte-like cells expressing DAZL and VASA, and after "
            "transplantation into chemotherapy-sterilised ovaries they formed follicles."
        ),
        relevant=True,
        labels=(),
        cell_sources=("other",),
    ),
    Case(
        "scf-negative",
        title="Stem cell factor and follicle activation in premature ovarian insufficiency",
        abstract=(
            "Kit ligand, also known as stem cell factor (SCF), regulates primordial follicle "
            "activation. We measured serum SCF in 80 women with POI and 80 controls. SCF was "
            "lower in women with POI and correlated with AMH."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "endpoint-negative",
        title="",
        abstract=(
            "OBJECTIVE: To test whether adipose-derived stem cells prevent cisplatin-induced "
            "apoptosis of granulosa cells. METHODS: Rats received cisplatin and ADSCs; apoptosis "
            "was measured by TUNEL. RESULTS: ADSCs did not reduce granulosa cell apoptosis, "
            "although serum AMH was higher. CONCLUSIONS: ADSCs may improve ovarian endocrine "
            "function through mechanisms other than anti-apoptosis."
        ),
        relevant=True,
        labels=(),
    ),
    Case(
        "hsct-poi-negative",
        title=(
            "Premature ovarian insufficiency after haematopoietic stem cell transplantation in "
            "childhood"
        ),
        abstract=(
            "Allogeneic haematopoietic stem cell transplantation (HSCT) with busulfan "
            "conditioning is a major cause of premature ovarian insufficiency. We followed 120 "
            "girls transplanted for leukaemia; 78% developed POI, and AMH was undetectable in "
            "most. Total body irradiation further increased the risk."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "bmt-negative",
        title="",
        abstract=(
            "Ovarian function was assessed in 45 women after bone marrow transplantation for "
            "aplastic anaemia. Spontaneous recovery of ovarian function occurred in women "
            "transplanted before age 25."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "msc-survival-apoptosis",
        title="",
        abstract=(
            "Poor survival of transplanted cells limits MSC therapy for premature ovarian "
            "failure. We pretreated BMSCs with melatonin before transplantation into POF rats. "
            "Melatonin pretreatment reduced the apoptosis of the transplanted BMSCs and increased "
            "their retention in the ovary, and treated rats showed higher AMH."
        ),
        relevant=True,
        labels=(),
    ),
    Case(
        "variety-exos",
        title="hUCMSC-Exos rescue ovarian function",
        abstract=(
            "BACKGROUND: Cell-free therapy is attractive. METHODS: Exosomes were isolated from "
            "human umbilical cord MSCs (hUCMSC-Exos) and injected into POF mice induced by "
            "cisplatin. RESULTS: hUCMSC-Exos lowered the apoptotic rate of granulosa cells, "
            "decreased caspase-3 activity and raised the Bcl-2/Bax ratio. Inflammatory cell "
            "infiltration in the ovary was also reduced. CONCLUSION: hUCMSC-Exos act through "
            "paracrine mechanisms."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes", "immune_regulation"),
    ),
    Case(
        "th1th2",
        title="",
        abstract=(
            "Autoimmune POF was induced in mice with zona pellucida glycoprotein 3. Human "
            "menstrual blood stem cells were infused intravenously. MenSC therapy restored the "
            "Th1/Th2 cytokine balance and increased CD4+CD25+ regulatory T cells in the spleen."
        ),
        relevant=True,
        labels=("immune_regulation",),
        cell_sources=("menstrual_endometrium",),
        agents=("autoimmune",),
    ),
    Case(
        "y-chromosome",
        title="Male donor BMSCs in female POF mice",
        abstract=(
            "Male BMSCs were transplanted into female mice with busulfan-induced POF to trace "
            "donor cells by the Y chromosome. Y chromosome-positive cells were detected among "
            "granulosa cells of antral follicles and expressed inhibin-alpha. BMSC "
            "transplantation restored estrous cycles."
        ),
        relevant=True,
        labels=("gc_differentiation",),
    ),
    Case(
        "prp-plus-bmsc",
        title="Platelet-rich plasma combined with autologous BMSCs for POI",
        abstract=(
            "Eighteen women with POI received intraovarian autologous bone marrow-derived stem "
            "cells combined with platelet-rich plasma. Menses resumed in six women and two "
            "conceived."
        ),
        relevant=True,
        labels=(),
        cell_sources=("bone_marrow",),
        models=("clinical",),
    ),
    Case(
        "msc-cm-kgn",
        title="",
        abstract=(
            "KGN cells were treated with phosphoramide mustard to mimic cyclophosphamide damage "
            "and then cultured with conditioned medium from human amniotic mesenchymal stem cells "
            "(hAMSC-CM). hAMSC-CM increased KGN proliferation, reduced annexin V-positive cells "
            "and restored estradiol production."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        cell_sources=("amniotic",),
        models=("in_vitro",),
        agents=("cyclophosphamide",),
    ),
    Case(
        "cancer-stem-negative",
        title="",
        abstract=(
            "Cancer stem cells drive relapse of breast cancer. Chemotherapy with cyclophosphamide "
            "eliminated cancer stem cells but caused premature ovarian insufficiency in 30% of "
            "young patients."
        ),
        relevant=False,
        labels=(),
    ),
    Case(
        "ovarian-aging-msc-review",
        title="Mesenchymal stem cells and ovarian aging",
        abstract=(
            "Ovarian aging reduces fertility. Here we review how MSCs and their extracellular "
            "vesicles delay ovarian aging in animal models, mainly by reducing oxidative stress "
            "and granulosa cell apoptosis."
        ),
        relevant=True,
        labels=("anti_apoptosis", "exosomes"),
        models=("review",),
    ),
)


@pytest.mark.parametrize("case", SYNTHETIC, ids=[case.id for case in SYNTHETIC])
def test_it_behaves_sensibly_on_synthetic_abstracts(case):
    result = tag(title=case.title, abstract=case.abstract)
    assert result.relevant is case.relevant
    assert set(result.labels()) == set(case.labels)
    if case.cell_sources is not None:
        assert _values(result.cell_sources) == set(case.cell_sources)
    if case.models is not None:
        assert _values(result.models) == set(case.models)
    if case.agents is not None:
        assert _values(result.inducing_agents) == set(case.agents)
    for evidence in _all_evidence(result):
        source = case.title if evidence.field == "title" else case.abstract
        assert source[evidence.start : evidence.end] == evidence.sentence


# --- Rules that generalise beyond the development set --------------------------------------


def test_the_granulosa_like_tumour_cell_line_kgn_is_not_a_differentiation():
    result = tag(
        title="",
        abstract="We studied conditioned medium from human umbilical cord MSCs (hUCMSC-CM) on "
        "the human granulosa-like tumour cell line KGN exposed to cisplatin. hUCMSC-CM reduced "
        "apoptosis of KGN cells.",
    )
    assert result.relevant
    assert "gc_differentiation" not in result.labels()


def test_cells_that_become_granulosa_cells_need_no_into():
    result = tag(
        title="",
        abstract=POI_STUDY + "Labelled hUC-MSCs homed to the ovary and became granulosa cells.",
    )
    assert "gc_differentiation" in result.labels()


def test_stem_cell_derived_exosomes_protecting_granulosa_cells_are_not_derived_granulosa_cells():
    result = tag(
        title="",
        abstract=POI_STUDY + "hUCMSC-derived exosomes protect granulosa cells from apoptosis.",
    )
    assert set(result.labels()) == {"exosomes", "anti_apoptosis"}


def test_labelled_oocytes_in_follicles_came_from_germline_cells_not_granulosa_cells():
    result = tag(
        title="",
        abstract="We transplanted GFP-labelled female germline stem cells into the ovaries of "
        "mice with chemotherapy-induced ovarian failure. Two months later, GFP-positive oocytes "
        "were present in growing follicles.",
    )
    assert result.relevant
    assert "gc_differentiation" not in result.labels()


def test_a_sentence_whose_strongest_claim_is_denied_is_a_denial():
    result = tag(
        title="",
        abstract=POI_STUDY + "GFP-positive cells were located in the stroma around follicles, "
        "but none co-expressed FSHR, indicating that they did not become granulosa cells.",
    )
    assert "gc_differentiation" not in result.labels()


def test_little_evidence_for_differentiation_in_a_review_is_a_denial():
    result = tag(
        title="Mesenchymal stem cells for ovarian failure: a narrative review",
        abstract="This review covers MSC therapy for premature ovarian insufficiency. Early work "
        "proposed that MSCs replace damaged granulosa cells, but lineage tracing has found "
        "little evidence that transplanted MSCs differentiate into granulosa cells.",
    )
    assert result.relevant
    assert "gc_differentiation" not in result.labels()


def test_a_mini_review_counts_every_sentence():
    result = tag(
        title="How do stem cells repair the failing ovary?",
        abstract="Stem cell transplantation restores fertility in animal models of ovarian "
        "failure. This mini-review considers whether transplanted cells differentiate into "
        "granulosa cells or release paracrine factors.",
    )
    assert set(result.labels()) == {"gc_differentiation", "exosomes"}


@pytest.mark.parametrize(
    ("sentence", "apoptosis"),
    [
        ("MSCs lowered cleaved caspase-1 and gasdermin D in granulosa cells.", False),
        ("MSCs lowered cleaved caspase-3 in granulosa cells.", True),
        (
            "Fewer granulosa cells were terminal deoxynucleotidyl transferase dUTP nick end "
            "labelling-positive after MSCs.",
            True,
        ),
        ("MSCs prevented the programmed cell death of follicular cells.", True),
        ("MSCs reduced PARP cleavage in granulosa cells.", True),
    ],
)
def test_apoptosis_is_read_from_its_markers_and_not_from_inflammatory_caspases(sentence, apoptosis):
    result = tag(title="", abstract=POI_STUDY + sentence)
    assert ("anti_apoptosis" in result.labels()) is apoptosis


@pytest.mark.parametrize(
    "sentence",
    [
        "BMSCs protected granulosa cells through soluble factors such as HGF.",
        "Heat-inactivation showed that secreted proteins mediate the protective effect.",
        "Preconditioning improved the trophic function of the cells.",
    ],
)
def test_soluble_factors_of_the_cells_are_paracrine_action(sentence):
    result = tag(title="", abstract=POI_STUDY + sentence)
    assert "exosomes" in result.labels()


@pytest.mark.parametrize(
    "sentence",
    [
        "hUC-MSCs lowered serum anti-ovarian antibodies.",
        "hUC-MSCs damped the humoral autoimmune response against the ovary.",
        "After transplantation, the AOA titre declined.",
    ],
)
def test_antibodies_against_the_ovary_are_immune_regulation(sentence):
    result = tag(title="", abstract=POI_STUDY + sentence)
    assert "immune_regulation" in result.labels()


def test_stem_cells_named_only_as_future_work_do_not_make_a_drug_study_relevant():
    result = tag(
        title="Melatonin in cyclophosphamide-induced ovarian injury",
        abstract="We tested melatonin in mice given cyclophosphamide. Melatonin preserved "
        "primordial follicles and reduced granulosa cell apoptosis. Future studies should "
        "compare this approach with stem cell therapy and exosome-based treatments.",
    )
    assert not result.relevant
    assert result.labels() == ()


def test_the_ovary_in_a_list_of_diseases_is_not_the_subject_of_a_broad_review():
    result = tag(
        title="Clinical applications of mesenchymal stromal cells",
        abstract="This review summarises MSC trials in graft-versus-host disease, "
        "osteoarthritis, myocardial infarction, liver cirrhosis and premature ovarian failure. "
        "The immunomodulatory and paracrine properties of MSCs are discussed.",
    )
    assert not result.relevant


def test_germline_stem_cells_characterised_in_healthy_ovaries_are_not_an_intervention():
    result = tag(
        title="Characterisation of oogonial stem cells isolated from adult mouse ovaries",
        abstract="DDX4-positive cells were isolated from adult mouse ovaries and cultured. They "
        "formed oocyte-like cells that expressed Gdf9 and Zp3 but did not complete meiosis.",
    )
    assert not result.relevant


def test_ovarian_endometriosis_is_not_the_ovary_as_a_subject():
    result = tag(
        title="Endometrial stem cells in the pathogenesis of ovarian endometriosis",
        abstract="Endometrial mesenchymal stem cells from endometriotic lesions secreted more "
        "IL-6 and were resistant to apoptosis.",
    )
    assert not result.relevant


def test_menopause_alone_is_not_the_ovary_as_a_subject():
    result = tag(
        title="Adipose stem cell exosomes for vaginal atrophy after menopause",
        abstract="Ovariectomised rats received intravaginal ADSC-derived exosomes, which "
        "increased epithelial thickness and reduced epithelial cell apoptosis in "
        "postmenopausal vaginal atrophy.",
    )
    assert not result.relevant


def test_oocytes_are_part_of_the_ovary():
    result = tag(
        title="MSC-conditioned medium improves in vitro maturation of oocytes from aged mice",
        abstract="Cumulus-oocyte complexes from 12-month-old mice were matured with conditioned "
        "medium from bone marrow MSCs. Cumulus cell apoptosis was lower with the medium.",
    )
    assert result.relevant
    assert set(result.labels()) == {"exosomes", "anti_apoptosis"}


def test_evidence_skips_the_cut_off_end_of_a_truncated_abstract():
    abstract = (
        POI_STUDY + "Apoptosis of granulosa cells was detected by TUNEL. The proportion of "
        "TUNEL-positive granulosa cells was markedly"
    )
    result = tag(title="", abstract=abstract)
    (hit,) = [h for h in result.mechanisms if h.slug == "anti_apoptosis"]
    assert [e.sentence for e in hit.evidence] == [
        "Apoptosis of granulosa cells was detected by TUNEL."
    ]


def test_evidence_prefers_the_aim_over_how_the_vesicles_were_characterised():
    result = tag(
        title="",
        abstract="Premature ovarian failure has no cure. This study aimed to test exosomes from "
        "hUC-MSCs in cisplatin-treated rats. The exosomes were cup-shaped, 100 nm in diameter "
        "and positive for CD63. The exosomes improved follicle counts in POF rats.",
    )
    (hit,) = [h for h in result.mechanisms if h.slug == "exosomes"]
    assert hit.evidence[0].sentence.startswith("This study aimed")
    assert all("CD63" not in e.sentence for e in hit.evidence)


def test_an_ovary_study_without_a_condition_or_purpose_has_a_score_below_half():
    result = tag(
        title="Oogonial stem cells of the adult mouse ovary",
        abstract="Oogonial stem cells were sorted from adult mouse ovaries and expanded.",
    )
    assert not result.relevant
    assert result.relevance_score < 0.5


# --- Start characters of patterns (the speed guard) ---------------------------------------


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (r"\b(?:exosom\w*|extracellular[-\s]+vesicles?|micro-?vesicles?)", "em"),
        (r"\b[hrm]?BM-?MSCs?\b|\bA?BMDSC\w*", "hrmBA"),
        (r"(?<!cancer )(?<!tumor )stem[-\s]+cells?", "s"),
        (r"(?=[ab])c|d", "cd"),
        (r"x{0,2}y|(?P<name>z)", "xyz"),
        (r"\(\s*[0-9]", "("),
        (r"[a-c-]x", "abc-"),
        (r"[]a]b", "]a"),
        (r"[a\-z]b", "a-z"),
        (r"(?:[)]|b)c", ")b"),
    ],
)
def test_the_start_characters_are_read_from_the_pattern(pattern, chars):
    assert tagger._start_chars(pattern) == frozenset(chars)


@pytest.mark.parametrize(
    "pattern",
    [r"\w+x", r".x", r"(?i)abc", r"[^a]b", r"a?", r"a|", r"\dx", r"a{}b", r"(a)?(?(1)b|c)"],
)
def test_a_pattern_the_reader_does_not_follow_gets_no_guard(pattern):
    assert tagger._start_chars(pattern) is None
    compiled = tagger._compile(pattern)
    assert compiled.pattern == pattern  # compiled as written, only slower


def _lexemes() -> list[tagger._Lexeme]:
    found: dict[int, tagger._Lexeme] = {}

    def walk(value, depth=0):
        if isinstance(value, tagger._Lexeme):
            found[id(value)] = value
        elif depth < 3 and isinstance(value, (tuple, list)):
            for item in value:
                walk(item, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)

    for value in vars(tagger).values():
        walk(value)
    return list(found.values())


def test_the_tagger_reads_no_private_part_of_re():
    source = Path(tagger.__file__).read_text(encoding="utf-8")
    for private in ("_parser", "_constants", "sre_parse", "sre_constants"):
        assert private not in source


def test_every_guarded_pattern_finds_what_the_plain_pattern_finds():
    texts = [
        json.loads(line)["abstract"]
        for path in SYNTHETIC_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if DEV_SET.is_file():
        texts += [item["abstract"] for item in _dev_items()]
    texts = [tagger._fold(text) for text in texts]
    lexemes = _lexemes()
    assert len(lexemes) > 80
    guarded = 0
    for lexeme in lexemes:
        for source, compiled, lower in (
            (lexeme.ci_source, lexeme.ci, True),
            (lexeme.cs_source, lexeme.cs, False),
        ):
            if not source:
                continue
            guarded += compiled.pattern != source
            plain = re.compile(source)
            for text in texts:
                text = tagger._lower(text) if lower else text
                expected = [m.span() for m in plain.finditer(text)]
                assert [m.span() for m in compiled.finditer(text)] == expected, source[:60]
    assert guarded > 80  # the guard is in use, not silently dropped


# --- The synthetic held-out sets ------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "abstracts"
SYNTHETIC_SETS = (
    FIXTURES / "heldout_synthetic.jsonl",
    FIXTURES / "heldout_synthetic_voice_b.jsonl",
)
DEV_FIELDS = {
    "id",
    "pmid",
    "pmcid",
    "doi",
    "title",
    "journal",
    "year",
    "abstract",
    "abstract_complete",
    "source_url",
    "relevance",
    "study_type",
    "labels",
    "evidence",
    "mentioned_only",
    "borderline_labels",
    "mechanism_terms_if_topic_ignored",
    "msc_source",
    "model",
    "notes",
    "metadata_notes",
}


def _synthetic(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("path", SYNTHETIC_SETS, ids=lambda p: p.stem)
def test_the_synthetic_sets_are_shaped_like_the_dev_set(path):
    items = _synthetic(path)
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert set(item) == DEV_FIELDS, item["id"]
        assert set(item["labels"]) == set(item["evidence"]), item["id"]
        assert set(item["labels"]) <= set(tagger.MECHANISMS), item["id"]
        if item["relevance"] == "negative":
            assert item["labels"] == [], item["id"]
        sentences = {" ".join(s.split()) for s in _sentences(item["abstract"])}
        for slug, labelled in item["evidence"].items():
            for sentence in labelled:
                assert " ".join(sentence.split()) in sentences, (item["id"], slug)


def test_the_main_synthetic_set_is_large_and_varied():
    items = _synthetic(SYNTHETIC_SETS[0])
    assert len(items) >= 60
    grades = {item["relevance"] for item in items}
    assert grades == {"positive", "borderline", "negative"}
    assert any(not item["abstract_complete"] for item in items)
    for slug in tagger.MECHANISMS:
        assert sum(slug in item["labels"] for item in items) >= 5, slug


@pytest.mark.parametrize("path", SYNTHETIC_SETS, ids=lambda p: p.stem)
def test_the_tagger_reaches_its_targets_on_the_synthetic_sets(path):
    report = evaluation.evaluate_file(path)
    assert report.macro_f1 >= 0.90
    for slug, score in report.mechanisms.items():
        assert score.f1 >= 0.80, slug
    assert report.relevance_accuracy >= 0.90
    assert report.evidence_precision >= 0.80


@pytest.mark.parametrize("path", SYNTHETIC_SETS, ids=lambda p: p.stem)
def test_evidence_offsets_index_the_synthetic_abstracts_exactly(path):
    for item in _synthetic(path):
        title, abstract = item["title"] or "", item["abstract"]
        for evidence in _all_evidence(tag(title=title, abstract=abstract)):
            source = title if evidence.field == "title" else abstract
            assert source[evidence.start : evidence.end] == evidence.sentence, item["id"]


@pytest.mark.parametrize(
    ("sentence", "apoptosis"),
    [
        ("Granulosa cell apoptosis was similar between the MSC and control groups.", False),
        ("After MSCs, granulosa cell apoptosis was comparable to that of normal rats.", True),
    ],
)
def test_no_difference_between_groups_is_a_negative_finding(sentence, apoptosis):
    result = tag(title="", abstract=POI_STUDY + sentence)
    assert ("anti_apoptosis" in result.labels()) is apoptosis


def test_stem_cells_listed_among_other_therapies_do_not_make_a_review_relevant():
    result = tag(
        title="The role of oxidative stress in ovarian aging: a review.",
        abstract=(
            "Ovarian aging refers to the decline of ovarian function until failure. This "
            "review focuses on how oxidative stress accelerates ovarian aging by promoting "
            "apoptosis, inflammation and mitochondrial damage. We also explore antioxidant "
            "therapies such as melatonin, vitamins, stem cell therapies, antioxidant "
            "monomers and traditional Chinese medicine, and their effect on ovarian function."
        ),
    )

    assert not result.relevant
    assert result.mechanisms == ()


def test_a_stem_cell_study_listing_its_own_outcomes_stays_relevant():
    result = tag(
        title="Umbilical cord MSCs restore ovarian function in cisplatin-induced POI mice",
        abstract=(
            "We transplanted human umbilical cord mesenchymal stem cells into POI mice. "
            "Serum AMH, follicle counts, and estrous cycles recovered, and granulosa cell "
            "apoptosis decreased."
        ),
    )

    assert result.relevant
    assert "anti_apoptosis" in result.labels()
