"""The decision is about the use (issue 21): the same model makes us a deployer for an internal assistant and the
provider of a high-risk system for CV screening; the use decides our role, the obligations of the request, the risks
the rules propose, what may be filed at all, which earlier assessment a request is prefilled from, and which
approvals must be reviewed before a new obligation applies.

On the demo register (built once for the module): GLM-5 (MIT, developer Zhipu AI on the Entity List) and its three
demo uses (an internal coding assistant, a customer chatbot under our name through Zhipu AI's API, a fine-tune to
rank job applications), Llama 4 under its community licence, and the law the demo loads with its citations (the AI
Act as amended by Regulation (EU) 2026/1744, the GDPR's transfer and DPIA articles, the Entity List).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from models_catalog.models import AIModel
from riskreg.register import demo, rules, services
from riskreg.register.context import AdoptionContext, context_clean
from riskreg.register.models import AdoptionRequest, RequestEvent, RiskItem
from riskreg.register.obligations import approvals_to_review, request_obligations
from riskreg.register.our_role import our_roles, role_codes
from tests.factories import AIModelFactory, OrganisationFactory, SanctionsNoteFactory, use

D = datetime.date
AI_ACT = "Regulation (EU) 2024/1689, "
GDPR = "Regulation (EU) 2016/679, "
ENTITY_LIST = "15 CFR 744.11 and 744.16(a)"
ASSESSED = {"residual_likelihood": 2, "residual_impact": 3, "treatment": "mitigate", "planned_controls": "Pilot only."}


@pytest.fixture
def world(demo_register, requester, legal, security, procurement):
    """The demo register (tests/conftest.py) and its cast, by role name."""
    return {"requester": requester, "legal": legal, "security": security, "procurement": procurement}


def model(slug: str) -> AIModel:
    return AIModel.objects.get(slug=slug)


def glm5_request(use_name: str) -> AdoptionRequest:
    """One of the demo's three GLM-5 requests: "coding", "chatbot" or "cv"."""
    return AdoptionRequest.objects.get(model__slug="glm-5", use_case=demo.GLM5_USES[use_name][0])


def the_use(owner, **changes) -> AdoptionContext:
    """A use as a request is filed with it (checked by context_clean, the country's adequacy read from the
    catalog): an internal use of published weights on our servers, by staff, in the EU and the US, unless
    ``changes`` say otherwise."""
    return AdoptionContext.of(AdoptionRequest(**context_clean(use(owner, **changes))))


def file(world, ai_model: AIModel, use_case: str, **changes) -> AdoptionRequest:
    return services.adoption_request_create(
        requester=world["requester"],
        model=ai_model,
        use_case=use_case,
        data_classification="internal",
        context=use(world["requester"], **changes),
    )


def derived(ai_model: AIModel, context: AdoptionContext, rule: str) -> list[rules.DerivedRisk]:
    return [risk for risk in rules.derive(model=ai_model, context=context) if risk.rule == rule]


def ours(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["holder"] == "us"]


def citing(entries: list[dict], start: str) -> list[dict]:
    return [entry for entry in entries if entry["citation"].startswith(start)]


def page_of(request: AdoptionRequest, reader) -> str:
    client = Client()
    client.force_login(reader)
    return client.get(f"/requests/{request.pk}/").content.decode()


# --- 1. our role, per jurisdiction, with why and its article ---------------------------------------------------


def test_an_internal_self_hosted_use_makes_us_a_deployer_in_the_eu_and_a_user_in_the_us(world):
    roles = our_roles(context=AdoptionContext.of(glm5_request("coding")), model=model("glm-5"))

    assert list(roles) == ["EU", "US"]
    eu, us = roles["EU"], roles["US"]
    assert (eu["role"], eu["also"]) == ("deployer", [])
    assert eu["because"] == "we use the system under our authority in the course of our business"
    assert eu["citation"] == AI_ACT + "Art. 3(4)"
    assert us["role"] == "user"
    assert us["because"].startswith("US federal law sets no roles for using AI models")
    assert us["citation"].startswith("15 CFR 744.11")


def test_integrating_the_model_under_our_own_name_makes_us_the_provider_of_an_ai_system_and_a_deployer(world):
    chatbot = glm5_request("chatbot")  # Zhipu AI's API, under our name, for customers in DE, FR and NL

    roles = our_roles(context=AdoptionContext.of(chatbot), model=chatbot.model)

    assert list(roles) == ["EU"]  # member states count as the EU
    eu = roles["EU"]
    assert (eu["role"], eu["role_label"]) == ("provider_system", "provider of an AI system")
    assert eu["because"] == "we put the system into service under our own name"
    assert eu["citation"] == AI_ACT + "Art. 3(3)"
    assert role_codes(eu) == {"provider_system", "deployer"}


def test_a_use_in_an_annex_iii_area_makes_us_the_provider_of_a_high_risk_system_and_also_its_deployer(world):
    cv = glm5_request("cv")  # ranking job applications: Annex III, point 4

    eu = our_roles(context=AdoptionContext.of(cv), model=cv.model)["EU"]

    assert (eu["role"], eu["role_label"]) == ("provider_high_risk", "provider of a high-risk AI system")
    assert "employment, workers' management, self-employment (Annex III, point 4)" in eu["because"]
    assert eu["because"].endswith("which makes the system built on it high-risk")
    assert eu["citation"] == AI_ACT + "Art. 25(1)(c), Art. 6"
    [deployer] = eu["also"]
    assert (deployer["role"], deployer["citation"]) == ("deployer", AI_ACT + "Art. 3(4)")


def test_a_fine_tune_above_a_third_of_the_original_compute_makes_us_provider_of_the_modified_model(world):
    glm5 = model("glm-5")  # 40B active parameters x 28.5T tokens x 6: about 6.8e24 FLOP, a third 2.3e24

    above = our_roles(context=the_use(world["requester"], modification="fine_tuning", finetune_flop=3e24), model=glm5)
    below = our_roles(context=the_use(world["requester"], modification="fine_tuning", finetune_flop=4e21), model=glm5)

    gpai = above["EU"]
    assert gpai["role"] == "provider_gpai"
    assert gpai["because"].startswith(
        "the fine-tuning uses 3.0e+24 FLOP, more than a third of GLM-5's estimated training compute of 6.8e+24 FLOP"
    )
    assert "para 63" in gpai["citation"] and "Art. 53" in gpai["citation"]
    assert role_codes(gpai) == {"provider_gpai", "deployer"}
    assert "provider_gpai" not in role_codes(below["EU"])
    assert below["EU"]["role"] == "deployer"
    assert (
        "The fine-tuning uses 4.0e+21 FLOP, not more than a third of GLM-5's estimated training compute of 6.8e+24 "
        "FLOP (6 x parameters x tokens, an estimate): the developer stays the provider of the general-purpose model"
    ) in below["EU"]["unsettled"]
    assert "the guidelines are not binding" in below["EU"]["unsettled"]


def test_a_fine_tune_above_a_third_gives_the_request_the_modified_models_provider_duties(world):
    request = file(world, model("glm-5"), "Fine-tune on our codebase", modification="fine_tuning", finetune_flop=3e24)

    [duty] = citing(ours(request_obligations(request=request)), AI_ACT + "Art. 53(1);")

    assert duty["title"].startswith("As provider of the modified general-purpose model")
    assert "our role: provider of a modified general-purpose AI model" in duty["applies_because"]
    assert "para 63-68" in duty["citation"]


def test_the_demo_cv_fine_tune_stays_below_a_third_and_says_the_law_is_not_settled(world):
    cv = glm5_request("cv")  # 4.0e21 FLOP

    eu = our_roles(context=AdoptionContext.of(cv), model=cv.model)["EU"]

    assert "provider_gpai" not in role_codes(eu)
    assert eu["unsettled"].startswith("The fine-tuning uses 4.0e+21 FLOP, not more than a third of GLM-5's")


# --- 2. the obligations of each request --------------------------------------------------------------------------


def test_the_internal_coding_assistant_has_deployer_duties_but_no_high_risk_or_provider_duties(world):
    entries = ours(request_obligations(request=glm5_request("coding")))

    assert citing(entries, AI_ACT + "Art. 4,")  # AI literacy
    assert citing(entries, AI_ACT + "Art. 5(1);")  # no prohibited practice
    assert all("our role: deployer" in entry["applies_because"] for entry in entries)
    assert not citing(entries, AI_ACT + "Art. 26")  # the high-risk deployer's duties
    assert not citing(entries, AI_ACT + "Art. 16")  # the high-risk provider's duties
    assert not [entry for entry in entries if "Art. 50(1)" in entry["citation"] or "Art. 50(2)" in entry["citation"]]
    assert not citing(entries, AI_ACT + "Art. 53")  # the modified model's provider
    assert not citing(entries, GDPR)  # no personal data


def test_the_cv_screening_request_has_the_art_26_duties_from_2_dec_2027_and_a_gdpr_dpia(world):
    entries = ours(request_obligations(request=glm5_request("cv")))

    [art26] = citing(entries, AI_ACT + "Art. 26;")
    assert (art26["applies_from"], art26["applies_from_label"]) == ("2027-12-02", "2 Dec 2027")
    assert "as amended by Regulation (EU) 2026/1744" in art26["citation"]
    assert "our role: deployer" in art26["applies_because"]
    area = "the use is in employment, workers' management, self-employment (Annex III, point 4)"
    assert area in art26["applies_because"]
    [dpia] = citing(entries, GDPR + "Art. 35(1)")
    assert "it processes personal data (other people, special categories of GDPR Art. 9(1))" in dpia["applies_because"]
    [provider] = citing(entries, AI_ACT + "Art. 16 and Art. 25(1);")
    assert provider["applies_from"] == "2027-12-02"


def test_the_chatbot_sending_customers_data_to_china_has_the_gdpr_transfer_duty_and_art_50_1_transparency(world):
    entries = ours(request_obligations(request=glm5_request("chatbot")))

    [transfer] = citing(entries, GDPR + "Art. 44")
    assert "personal data (customers) goes to CN: China has no EU adequacy decision" in transfer["applies_because"]
    [transparency] = citing(entries, AI_ACT + "Art. 50(1)")
    assert "our role: provider of an AI system" in transparency["applies_because"]
    assert "its output reaches our customers" in transparency["applies_because"]
    assert not citing(entries, AI_ACT + "Art. 26")


def test_the_developers_duties_are_the_developers_and_mit_licensed_glm_5_is_exempt_from_art_53_1_a_b(world):
    entries = request_obligations(request=glm5_request("coding"))

    developer = [entry for entry in entries if entry["holder"] == "developer"]
    [documentation] = citing(developer, AI_ACT + "Art. 53(1)(a), (b)")
    assert documentation["exempt"] == (
        "released with open weights under MIT, a free and open-source licence under the AI Act, and not presumed to "
        "have systemic risk (Art. 53(2), 54(6))"
    )
    [copyright_policy] = citing(developer, AI_ACT + "Art. 53(1)(c), (d)")
    assert copyright_policy["exempt"] == ""  # Art. 53(2) does not exempt the copyright policy and the summary
    assert entries.index(documentation) > max(entries.index(entry) for entry in ours(entries))  # ours come first


def test_every_obligation_of_a_request_carries_its_citation_and_source(world):
    for name in ("coding", "chatbot", "cv"):
        entries = request_obligations(request=glm5_request(name))
        assert entries
        for entry in entries:
            assert entry["citation"].strip(), entry
            assert entry["source"] and entry["source"]["title"].strip(), entry


def test_a_use_only_in_the_us_gets_no_eu_obligation(world):
    glm5 = model("glm-5")
    request = file(world, glm5, "Research with Zhipu AI in the US", jurisdictions=["US"], technology_to_developer=True)

    entries = request_obligations(request=request)

    assert {entry["jurisdiction"] for entry in entries} == {"US"}
    [entity_list] = ours(entries)  # sending technology to Entity-Listed Zhipu AI
    assert entity_list["citation"] == "15 CFR 744.11, 744.16 and Supplement No. 4 to Part 744; 90 FR 4617"
    assert "our role: user" in entity_list["applies_because"]
    llama_in_the_us = AdoptionRequest.objects.get(use_case="Internal knowledge assistant over our policy documents")
    assert not [entry for entry in request_obligations(request=llama_in_the_us) if entry["jurisdiction"] == "EU"]


# --- 3. the rules read the use ---------------------------------------------------------------------------------


def test_the_entity_list_item_is_lower_when_nothing_flows_to_zhipu_than_when_we_pay_it_or_send_it_technology(world):
    glm5, owner = model("glm-5"), world["requester"]

    [self_hosted] = derived(glm5, the_use(owner), "sanctions_listed_party")
    [paying] = derived(glm5, the_use(owner, payments_to_developer=True), "sanctions_listed_party")
    [technology] = derived(glm5, the_use(owner, technology_to_developer=True), "sanctions_listed_party")

    assert (self_hosted.likelihood, paying.likelihood, technology.likelihood) == (2, 3, 4)
    assert self_hosted.facts["list_kinds"] == ["entity_list"] and self_hosted.facts["dealing"] == []
    assert self_hosted.description.endswith(
        "For this use we run a self-hosted copy of the published weights, with no payment, data or technology going "
        "to the listed party: nothing is exported to it, so the suggested likelihood is lower (15 CFR 744.11 and "
        "744.16(a) require a licence for items sent to the party)."
    )
    assert "90 FR 4617" in self_hosted.description  # the listing it rests on
    assert (
        f"For this use we would send payments: paying a listed party or sending it data is not in itself an export "
        f"of items subject to the EAR, but nothing we send may be such an item without a licence ({ENTITY_LIST}); "
        "counsel to confirm."
    ) in paying.description
    assert technology.description.endswith(
        "For this use we would send technology or hardware to it: a licence is needed for items subject to the EAR "
        f"({ENTITY_LIST})."
    )


def test_a_blocking_listing_with_payments_to_the_developer_is_almost_certain_and_cites_ofac_faq_400(world):
    blocked = OrganisationFactory(name="Blocked Labs Ltd.", short_name="Blocked Labs", roles=["developer"])
    SanctionsNoteFactory(
        organisation=blocked, list_name="Specially Designated Nationals (SDN) List", authority="US Treasury, OFAC"
    )
    ai_model = AIModelFactory(name="Blocked-1", developer=blocked)
    owner = world["requester"]

    [paying] = derived(ai_model, the_use(owner, payments_to_developer=True), "sanctions_listed_party")
    [nothing_flows] = derived(ai_model, the_use(owner), "sanctions_listed_party")

    assert paying.facts["list_kinds"] == ["blocking"]
    assert paying.likelihood == 5
    assert "a blocking list allows no dealing or payment without an OFAC licence (OFAC FAQ 400" in paying.description
    assert nothing_flows.likelihood == 4  # receiving blocked property may itself be a prohibited dealing
    assert "counsel to advise (OFAC FAQ 400" in nothing_flows.description


def test_personal_data_sent_to_a_country_without_eu_adequacy_raises_a_gdpr_transfer_item(world):
    glm5, owner = model("glm-5"), world["requester"]
    api = {"access": "developer_api", "personal_data": ["customers"], "jurisdictions": ["DE"]}

    [to_china] = derived(glm5, the_use(owner, **api, data_to="CN"), "personal_data_transfer")

    assert to_china.title == "Personal data transferred to China without an EU adequacy decision"
    assert "China has no EU adequacy decision" in to_china.description
    assert "(Regulation (EU) 2016/679, Art. 44)" in to_china.description
    assert "Art. 46(1), 46(2)(c)" in to_china.description
    assert to_china.facts == {"data_to": "CN", "adequacy": "none", "personal_data": ["customers"]}
    assert not derived(glm5, the_use(owner, **api, data_to="UK"), "personal_data_transfer")  # adequacy decision
    assert not derived(glm5, the_use(owner, **api, data_to="IE"), "personal_data_transfer")  # in the EU
    assert not derived(glm5, the_use(owner, personal_data=["customers"]), "personal_data_transfer")  # self-hosted


def test_personal_data_sent_to_the_united_kingdom_by_its_iso_code_gb_is_a_transfer_with_adequacy(world):
    context = the_use(world["requester"], access="developer_api", personal_data=["customers"], data_to="GB")

    assert not derived(model("glm-5"), context, "personal_data_transfer")


def test_a_use_in_an_annex_iii_area_raises_the_high_risk_item_and_a_general_use_does_not(world):
    glm5, owner = model("glm-5"), world["requester"]

    [high_risk] = derived(glm5, the_use(owner, use_case_area="employment"), "high_risk_use")

    assert high_risk.title == "A high-risk use under the EU AI Act: employment, workers' management, self-employment"
    assert "Art. 6(2)" in high_risk.description
    assert "We are its provider of a high-risk AI system" in high_risk.description
    assert "The high-risk obligations apply from 2 Dec 2027" in high_risk.description
    assert high_risk.facts == {"area": "employment", "role": "provider_high_risk"}
    assert not derived(glm5, the_use(owner), "high_risk_use")
    assert not derived(glm5, the_use(owner, use_case_area="employment", jurisdictions=["US"]), "high_risk_use")


def test_a_fine_tune_above_a_third_of_the_original_compute_raises_the_modified_gpai_provider_item(world):
    glm5, owner = model("glm-5"), world["requester"]

    [item] = derived(glm5, the_use(owner, modification="fine_tuning", finetune_flop=3e24), "modified_gpai_provider")

    assert item.title == "We become the provider of a modified general-purpose AI model (from GLM-5)"
    assert "limited to the modification (Art. 53(1); GPAI guidelines para 68)" in item.description
    assert item.facts == {"finetune_flop": 3e24, "roles": ["deployer", "provider_gpai"]}
    assert not derived(glm5, the_use(owner, modification="fine_tuning", finetune_flop=4e21), "modified_gpai_provider")


def test_a_licence_nobody_has_read_raises_licence_terms_unknown(world):
    owner = world["requester"]
    unread = AIModelFactory(name="Unread-1", licence="LicenseRef-Unread-1.0")

    [noassertion] = derived(model("glm-5-1"), the_use(owner), "licence_terms_unknown")  # licence NOASSERTION
    [no_record] = derived(unread, the_use(owner), "licence_terms_unknown")

    assert noassertion.title == "The licence of GLM-5.1 is not known"
    assert no_record.title == "The terms of LicenseRef-Unread-1.0 are not recorded"
    assert "record its terms under Catalog > Licences" in no_record.description
    assert not derived(model("glm-5"), the_use(owner), "licence_terms_unknown")  # MIT's terms are recorded


def llama_terms(owner, **changes) -> dict[str, rules.DerivedRisk]:
    """The Llama 4 Community License's items for a use, by term."""
    risks = derived(model("llama-4"), the_use(owner, **changes), "licence_terms_against_use")
    return {risk.facts["term"]: risk for risk in risks}


def test_llama_4_used_in_employment_raises_its_use_policy_item(world):
    terms = llama_terms(world["requester"], use_case_area="employment", jurisdictions=["US"])

    assert list(terms) == ["use-policy"]
    item = terms["use-policy"]
    assert item.title == (
        "LicenseRef-Llama-4-Community restricts uses in employment, workers' management, self-employment"
    )
    assert "bars discrimination or harmful conduct in employment" in item.description
    assert "read at meta-llama/llama-models, models/llama4/LICENSE and USE_POLICY.md" in item.description
    assert (item.likelihood, item.impact) == (4, 4)


def test_llama_4_facing_customers_raises_the_user_cap_and_the_attribution_its_licence_record_sets(world):
    terms = llama_terms(world["requester"], users="customers", expected_users=40_000, jurisdictions=["US"])

    assert set(terms) == {"use-policy-binds", "user-cap", "attribution"}  # the record sets no flow-down
    assert terms["user-cap"].title == "LicenseRef-Llama-4-Community caps monthly active users at 700,000,000"
    assert "We expect 40,000 users." in terms["user-cap"].description
    assert terms["user-cap"].likelihood == 2  # far below the cap
    assert 'display "Built with Llama"' in terms["attribution"].description


def test_a_licence_whose_restrictions_must_bind_our_users_raises_the_flow_down_item_for_customers(world):
    deepseek = AIModelFactory(name="DeepSeek-Custom", licence="LicenseRef-DeepSeek-Model-1.0")  # flow_down in demo
    owner = world["requester"]

    customers = derived(deepseek, the_use(owner, users="customers"), "licence_terms_against_use")
    staff = derived(deepseek, the_use(owner), "licence_terms_against_use")

    assert "flow-down" in {risk.facts["term"] for risk in customers}
    assert "flow-down" not in {risk.facts["term"] for risk in staff}


def test_a_use_expecting_exactly_the_user_cap_is_not_over_it(world):
    owner = world["requester"]

    at_cap = llama_terms(owner, users="customers", expected_users=700_000_000, jurisdictions=["US"])["user-cap"]
    above = llama_terms(owner, users="customers", expected_users=700_000_001, jurisdictions=["US"])["user-cap"]

    assert (at_cap.likelihood, at_cap.facts["over"]) == (2, False)
    assert (above.likelihood, above.facts["over"]) == (5, True)


def test_llama_4_used_in_the_eu_raises_the_licence_exclusion_item(world):
    terms = llama_terms(world["requester"], jurisdictions=["DE"])

    assert terms["excluded"].title == "LicenseRef-Llama-4-Community is not granted to licensees in EU"
    assert "principal place of business in, the European Union" in terms["excluded"].description
    assert terms["excluded"].facts["jurisdictions"] == ["EU"]


def test_llama_4_used_internally_in_the_us_raises_only_that_its_use_policy_binds(world):
    terms = llama_terms(world["requester"], jurisdictions=["US"])

    assert list(terms) == ["use-policy-binds"]
    assert "Governed by the law of California (§7)." in terms["use-policy-binds"].description
    assert (terms["use-policy-binds"].likelihood, terms["use-policy-binds"].impact) == (2, 3)


# --- 4. what cannot be filed -----------------------------------------------------------------------------------


def refusal(world, **changes) -> dict[str, list[str]]:
    """The problems, by field, of filing GLM-5 for a use; nothing is filed."""
    before = AdoptionRequest.objects.count()
    with pytest.raises(ValidationError) as error:
        file(world, model("glm-5"), "A use the register refuses", **changes)
    assert AdoptionRequest.objects.count() == before
    return error.value.message_dict


def test_a_use_involving_a_practice_the_ai_act_prohibits_is_refused_when_filing(world):
    problems = refusal(world, prohibited_practices=["emotion_work_education"])

    assert list(problems) == ["prohibited_practices"]
    [message] = problems["prohibited_practices"]
    assert message.startswith("The EU AI Act prohibits this use: Inferring emotions at work or in education")
    assert "(Regulation (EU) 2024/1689, Art. 5)" in message


def test_a_fine_tuning_without_its_compute_is_refused_naming_the_compute_field(world):
    problems = refusal(world, modification="fine_tuning")

    assert list(problems) == ["finetune_flop"]
    assert problems["finetune_flop"][0].startswith("Give the training compute the fine-tuning will use (FLOP")


def test_a_use_of_the_developers_api_without_where_the_data_goes_is_refused_naming_data_to(world):
    problems = refusal(world, access="developer_api")

    assert problems == {
        "data_to": ["Whoever runs the model for us receives what we send it: give the country it goes to (e.g. CN)."]
    }


def test_an_unknown_country_code_is_refused_naming_the_field_it_was_given_in(world):
    assert list(refusal(world, jurisdictions=["EU", "XX"])) == ["jurisdictions"]
    assert "Unknown jurisdiction(s) XX" in refusal(world, jurisdictions=["XX"])["jurisdictions"][0]
    assert refusal(world, access="developer_api", data_to="XX") == {
        "data_to": ["Give the country as a two-letter ISO 3166 code, e.g. CN, US, IE."]
    }


# --- 5. prefill only from the same use -------------------------------------------------------------------------


def assessed_pilot(world, **changes) -> AdoptionRequest:
    """A request for Qwen3 in review whose proposed items legal accepted with residual levels."""
    pilot = file(world, model("qwen3"), "Pilot: meeting summaries in Paris", **changes)
    services.adoption_request_submit(request_id=pilot.pk, actor=world["requester"])
    items = RiskItem.objects.filter(request=pilot, status="proposed")
    assert items.exists()
    for item in items:
        services.risk_item_accept(item_id=item.pk, actor=world["legal"], values=ASSESSED)
    return pilot


def submitted(world, use_case: str, **changes) -> AdoptionRequest:
    request = file(world, model("qwen3"), use_case, **changes)
    services.adoption_request_submit(request_id=request.pk, actor=world["requester"])
    return request


PARIS = {"jurisdictions": ["FR"], "expected_users": 12}


def test_a_request_for_the_same_use_is_prefilled_from_the_earlier_one_and_says_which(world):
    first = assessed_pilot(world, **PARIS)
    second = submitted(world, "Meeting summaries in Paris, for good", **PARIS)

    page = page_of(second, world["legal"])

    assert f"Prefilled from request #{first.pk}, filed for the same use, where this risk was accepted (legal" in page
    assert "Pilot only.</textarea>" in page


def test_a_request_for_another_use_of_the_same_model_is_not_prefilled(world):
    assessed_pilot(world, **PARIS)
    other = submitted(world, "Meeting summaries for customers", **{**PARIS, "users": "customers"})

    page = page_of(other, world["legal"])

    assert "Prefilled from" not in page and "Pilot only.</textarea>" not in page


def test_the_same_use_with_its_places_listed_in_another_order_is_still_prefilled(world):
    first = assessed_pilot(world, jurisdictions=["FR", "US"])
    second = submitted(world, "Meeting summaries, for good", jurisdictions=["US", "FR"])

    assert f"Prefilled from request #{first.pk}" in page_of(second, world["legal"])


# --- 6. approvals to review before a new obligation of their use applies -----------------------------------------


def approval(world, use_name: str, *, decided: datetime.datetime) -> AdoptionRequest:
    """GLM-5 approved for one of the demo's uses (filed, assessed, signed by every role), decided on a given day and
    valid for the configured period from it (the clock of the run decides nothing)."""
    use_case, context, classification = demo.GLM5_USES[use_name]
    filed = demo.approved(
        model("glm-5"), world, f"{use_case} (approved)", context=context, classification=classification
    )
    decided_on = timezone.localdate(decided)
    AdoptionRequest.objects.filter(pk=filed.pk).update(
        decided_at=decided,
        expires_on=decided_on + datetime.timedelta(days=services.approval_validity_days()),
    )
    return AdoptionRequest.objects.get(pk=filed.pk)


DECIDED = timezone.make_aware(datetime.datetime(2027, 1, 11, 12))


def test_an_approval_of_an_internal_general_use_is_not_flagged_when_it_is_approved(world):
    request = approval(world, "coding", decided=DECIDED)

    assert request.state == "approved" and request.expires_on == D(2028, 1, 11)
    assert approvals_to_review(requests=[request], today=D(2027, 1, 11)) == {}


def test_an_annex_iii_approval_valid_past_2_dec_2027_is_flagged_until_each_new_obligation_is_considered(world):
    request = approval(world, "cv", decided=DECIDED)

    flag = approvals_to_review(requests=[request], today=D(2027, 1, 11))[request.pk]

    assert flag["label"] == "Review before 2 Dec 2027" and flag["overdue"] is False
    crossing = flag["obligations"]
    assert {entry["applies_from"] for entry in crossing} == {"2027-12-02"}
    assert citing(crossing, AI_ACT + "Art. 26;") and citing(crossing, AI_ACT + "Art. 16 and Art. 25(1);")
    first, *rest = crossing
    for entry in crossing:
        services.obligation_consider(
            request_id=request.pk,
            obligation_id=entry["obligation_id"],
            actor=world["legal"],
            reason="Provider and deployer duties are planned before 2 Dec 2027.",
        )
        if entry is first:  # one considered: still flagged for the others
            still = approvals_to_review(requests=[request], today=D(2027, 1, 11))[request.pk]
            assert still["obligations"] == rest
    assert approvals_to_review(requests=[request], today=D(2027, 1, 11)) == {}
    events = RequestEvent.objects.filter(request=request, kind="obligation_considered").order_by("pk")
    assert [event.detail["obligation"] for event in events] == [entry["obligation_id"] for entry in crossing]
    assert {(event.actor, event.detail["reason"]) for event in events} == {
        (world["legal"], "Provider and deployer duties are planned before 2 Dec 2027.")
    }
