"""The log-an-activity form as a rep and an administrator use it: numbers typed in the viewer's
convention, what is wrong said in words about the field as the form labels it, in English and
Dutch, and unlikely activities (a time in the future, an outcome of another type, a deal nobody
can see) shown with a warning and saved only once confirmed."""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.i18n.messages import MESSAGES
from salesperf.i18n.reading import NumberUnread, read_number
from salesperf.schema import OUTCOMES_OF_TYPE, ActivityOutcome, ActivityType
from salesperf.store import Store
from webtools import ADMIN, REP, REP_ID, app_for, build_web_store, client_for

#: The form's field names, which no message may show.
FIELDS = ("rep_id", "occurred_at", "duration_min", "deal_id", "account_id", "outcome")
WHEN = "2026-09-10T14:30"
OTHER_REP = "R003"  # a rep of another team, whom only the administrator logs for


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo store and its app, a rep and an administrator signed in, the store for checks."""
    path = build_web_store(tmp_path_factory.mktemp("logform") / "store.duckdb")
    app = app_for(path)
    store = Store.open(path)
    yield {"app": app, "store": store, "rep": client_for(app, REP), "admin": client_for(app, ADMIN)}
    store.close()


def _post(
    web: dict[str, Any], who: str = "rep", lang: str = "en", **fields: str
) -> tuple[int, str, dict[str, list[str]]]:
    """Post the form as `who` reading `lang`: the status, the saved id (or the confirmation the
    page asks for), and the page's errors and warnings as the viewer reads them."""
    client, csrf = web[who]
    assert isinstance(client, TestClient)
    form = {"csrf_token": csrf, "rep_id": REP_ID, "type": "call", "occurred_at": WHEN, **fields}
    client.cookies.set("salesperf_lang", lang)
    try:
        r = client.post("/activities/new", data=form, follow_redirects=False)
    finally:
        client.cookies.delete("salesperf_lang")
    if r.status_code == 303:
        return 303, r.headers["location"].split("saved=")[1], {}
    boxes = {
        kind: [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", box)]
        for kind, box in re.findall(
            r'<div class="(error|warning)" role="alert">(.*?)</div>', r.text
        )
    }
    confirm = re.search(r'name="confirm" value="([^"]+)"', r.text)
    assert 'name="csrf_token"' in r.text  # the form coming back keeps its CSRF token
    return r.status_code, confirm.group(1) if confirm else "", boxes


def _row(web: dict[str, Any], activity_id: str) -> dict[str, Any]:
    cols = ("rep_id", "type", "occurred_at", "outcome", "duration_min", "deal_id")
    [row] = web["store"]._exec(
        f"SELECT {', '.join(cols)} FROM activities WHERE activity_id = ?", [activity_id]
    )
    return dict(zip(cols, row, strict=True))


def _count(web: dict[str, Any]) -> int:
    return int(web["store"]._exec("SELECT count(*) FROM activities")[0][0])


@pytest.mark.slow
# -- numbers in the viewer's convention -----------------------------------------------------
@pytest.mark.parametrize(
    ("who", "lang", "typed"),
    [
        ("rep", "nl", "12,5"),
        ("rep", "en", "12.5"),
        ("admin", "nl", "12.5"),
        ("admin", "en", "12,5"),
    ],
)
def test_twelve_and_a_half_minutes_are_saved_as_each_viewer_types_them(
    web: dict[str, Any], who: str, lang: str, typed: str
) -> None:
    rep = REP_ID if who == "rep" else OTHER_REP
    status, saved, notes = _post(web, who, lang, rep_id=rep, duration_min=typed)
    assert status == 303, notes
    row = _row(web, saved)
    assert row["duration_min"] == 12.5
    assert (row["rep_id"], row["type"]) == (rep, "call")


@pytest.mark.parametrize(
    ("lang", "typed", "value"),
    [
        ("nl", "1.234,5", 1234.5),  # Dutch thousands and decimals
        ("nl", "1.234.567", 1234567.0),
        ("nl", "1,234.5", 1234.5),  # English, unambiguous
        ("nl", "0.5", 0.5),
        ("nl", "−3", -3.0),
        ("en", "1,234.5", 1234.5),
        ("en", "1,234,567", 1234567.0),
        ("en", "1.234,5", 1234.5),  # Dutch, unambiguous
        ("en", "2.500", 2.5),  # the viewer's own decimal point
        ("nl", "2,500", 2.5),
        ("en", "7", 7.0),
    ],
)
def test_a_number_is_read_in_the_viewers_convention_or_the_other_unambiguous_one(
    lang: str, typed: str, value: float
) -> None:
    assert read_number(typed, lang) == value


@pytest.mark.parametrize(
    ("lang", "typed", "readings"),
    [
        ("nl", "1.500", (1500.0, 1.5)),
        ("en", "1,500", (1500.0, 1.5)),
        ("nl", "-12.500", (-12500.0, -12.5)),
    ],
)
def test_a_lone_thousands_mark_before_three_digits_is_not_guessed(
    lang: str, typed: str, readings: tuple[float, float]
) -> None:
    with pytest.raises(NumberUnread) as caught:
        read_number(typed, lang)
    assert (caught.value.reason, caught.value.readings) == ("ambiguous", readings)


@pytest.mark.parametrize("typed", ["abc", "1..5", "1.2.3", "1,2,3", "12 5", "", "1e3", ","])
def test_what_is_no_number_in_either_convention_is_refused(typed: str) -> None:
    for lang in ("en", "nl"):
        with pytest.raises(NumberUnread) as caught:
            read_number(typed, lang)
        assert caught.value.reason == "not_a_number"


# -- errors in words, about the field as the form labels it -------------------------------
REFUSED = [
    (
        {"duration_min": "-5"},
        "Duur (minuten): -5 is kleiner dan nul; vul nul of meer in.",
        "Duration (minutes): -5 is below zero; enter zero or more.",
    ),
    (
        {"duration_min": "1.500"},
        "Duur (minuten): '1.500' kan 1500 of 1,5 betekenen; schrijf 1500 of 1,5.",
        # the same text on the English form is an English 1.5
        None,
    ),
    (
        {"duration_min": "1,500"},
        # ... and on the Dutch form a Dutch 1,5
        None,
        "Duration (minutes): '1,500' can be read as 1500 or as 1.5; write 1500 or 1.5.",
    ),
    (
        {"duration_min": "twaalf"},
        "Duur (minuten): 'twaalf' is geen getal; schrijf een getal zoals 12,5.",
        "Duration (minutes): 'twaalf' is not a number; write a number such as 12.5.",
    ),
    (
        {"type": "teleport"},
        "Type: 'teleport' is geen van de keuzes; kies er een uit de lijst.",
        "Type: 'teleport' is not one of the choices; choose one from the list.",
    ),
    (
        {"occurred_at": ""},
        "Wanneer: dit moet worden ingevuld.",
        "When: this needs a value.",
    ),
    (
        {"occurred_at": "gisteren"},
        "Wanneer: 'gisteren' is geen datum met tijd; kies ze in de kalender.",
        "When: 'gisteren' is not a date and time; choose them in the calendar.",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fields", "nl", "en"),
    REFUSED,
    ids=["negative", "ambiguous-nl", "ambiguous-en", "no-number", "type", "no-time", "no-date"],
)
def test_a_refused_value_is_said_in_words_about_its_field(
    web: dict[str, Any], fields: dict[str, str], nl: str | None, en: str | None
) -> None:
    before = _count(web)
    for lang, expected in (("nl", nl), ("en", en)):
        if expected is None:
            continue
        status, confirm, notes = _post(web, "rep", lang, **fields)
        assert status == 422
        assert notes == {"error": [expected]}
        assert confirm == ""  # nothing to confirm while something is wrong
        assert not any(f in expected for f in FIELDS)
    assert _count(web) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fields", "nl", "en"),
    [
        (
            {"rep_id": "R999"},
            "Verkoper: 'R999' is onbekend; kies er een uit de lijst.",
            "Rep: 'R999' is not known; choose one from the list.",
        ),
        (
            {"deal_id": "D" * 300},  # the unknown deal's warning is not shown as well
            "Deal-id (optioneel): de tekst is langer dan de 255 tekens die dit veld aanneemt.",
            "Deal id (optional): the text is longer than the 255 characters this field takes.",
        ),
        (
            {"account_id": "A\x00B"},
            "Account-id (optioneel): de waarde bevat een onzichtbaar stuurteken of een "
            "regeleinde; typ haar opnieuw.",
            "Account id (optional): the value holds an invisible control character or a line "
            "break; type it again.",
        ),
    ],
    ids=["unknown-rep", "too-long", "control-character"],
)
def test_what_only_a_changed_page_can_send_is_said_in_words_too(
    web: dict[str, Any], fields: dict[str, str], nl: str, en: str
) -> None:
    before = _count(web)
    for lang, expected in (("nl", nl), ("en", en)):
        status, confirm, notes = _post(web, "admin", lang, **fields)
        assert (status, confirm, notes) == (422, "", {"error": [expected]})
    assert _count(web) == before


@pytest.mark.slow
def test_a_date_beyond_the_accepted_range_is_refused_not_warned_about(web: dict[str, Any]) -> None:
    """The data model refuses a date outside the sane range (`days_ahead` after today): there
    is nothing to confirm."""
    first, last = web["store"].settings.date_range()
    year = last.year + 1
    before = _count(web)
    status, confirm, notes = _post(web, "admin", "nl", occurred_at=f"{year}-03-02T10:00")
    assert (status, confirm) == (422, "")
    assert notes == {
        "error": [
            f"Wanneer: 02-03-{year} 10:00 valt buiten de datums die salesperf aanneemt, "
            f"{first:%d-%m-%Y} tot en met {last:%d-%m-%Y}."
        ]
    }
    assert _count(web) == before


# -- warnings, and saving anyway ------------------------------------------------------------
def _future() -> str:
    return f"{date.today().year + 5}-01-05T10:00"


WARNED = [
    (
        {"occurred_at": _future()},
        f"Wanneer: 05-01-{date.today().year + 5} 10:00 ligt in de toekomst; een activiteit legt "
        "u vast nadat ze plaatsvond.",
        f"When: {date.today().year + 5}-01-05 10:00 lies in the future; an activity is logged "
        "after it took place.",
    ),
    (
        {"type": "email", "outcome": "connected"},
        "Uitkomst: 'Bereikt' past niet bij het type 'E-mail'; daarbij passen: Verzonden, "
        "Beantwoord, Onbestelbaar, Afgerond, Overig.",
        "Outcome: 'Connected' does not go with the type 'Email'; it takes: Sent, Replied, "
        "Bounced, Completed, Other.",
    ),
    (
        {"deal_id": "D-NO-SUCH-DEAL"},
        "Deal-id (optioneel): er is geen deal met id 'D-NO-SUCH-DEAL' die u kunt zien; "
        "controleer de id.",
        "Deal id (optional): no deal you can see has the id 'D-NO-SUCH-DEAL'; check the id.",
    ),
]


@pytest.fixture
def far_ahead(web: dict[str, Any]) -> Iterator[None]:
    """Dates up to a century ahead accepted (the `days_ahead` setting), as an organisation
    planning far ahead sets it: a date five years ahead is then only unlikely."""
    store = web["store"]
    kept = str(store.settings.days_ahead)
    store.set_setting("days_ahead", "36500")
    yield
    store.set_setting("days_ahead", kept)


@pytest.mark.slow
@pytest.mark.parametrize("who", ["rep", "admin"])
@pytest.mark.parametrize(("fields", "nl", "en"), WARNED, ids=["future", "outcome", "deal"])
def test_an_unlikely_activity_is_saved_only_once_confirmed(
    web: dict[str, Any], far_ahead: None, who: str, fields: dict[str, str], nl: str, en: str
) -> None:
    before = _count(web)
    status, confirm, notes = _post(web, who, "en", duration_min="4", **fields)
    assert (status, notes) == (200, {"warning": [en]})
    assert not any(f in en for f in FIELDS)
    status, confirm, notes = _post(web, who, "nl", duration_min="4", **fields)
    assert (status, notes) == (200, {"warning": [nl]})
    assert confirm and _count(web) == before
    # a changed value is not what was confirmed: it is looked at again, and not saved
    status, again, notes = _post(web, who, "nl", duration_min="5", confirm=confirm, **fields)
    assert (status, notes) == (200, {"warning": [nl]})
    assert again != confirm and _count(web) == before
    status, saved, _ = _post(web, who, "nl", duration_min="4", confirm=confirm, **fields)
    assert status == 303 and _count(web) == before + 1
    row = _row(web, saved)
    assert row["duration_min"] == 4.0
    assert (row["type"], row["outcome"], row["deal_id"]) == (
        fields.get("type", "call"),
        fields.get("outcome"),
        fields.get("deal_id"),
    )
    if "occurred_at" in fields:  # stored in UTC: 10:00 in Amsterdam in winter is 09:00
        assert (row["occurred_at"].year, row["occurred_at"].hour) == (date.today().year + 5, 9)


@pytest.mark.slow
def test_a_stored_deal_and_a_fitting_outcome_get_no_warning(web: dict[str, Any]) -> None:
    [(deal,)] = web["store"]._exec(
        "SELECT deal_id FROM deals WHERE rep_id = ? ORDER BY deal_id LIMIT 1", [REP_ID]
    )
    status, saved, notes = _post(web, "rep", "nl", type="email", outcome="replied", deal_id=deal)
    assert status == 303, notes
    assert _row(web, saved)["deal_id"] == deal


@pytest.mark.slow
def test_the_api_takes_an_unlikely_activity_as_before(web: dict[str, Any]) -> None:
    client, csrf = web["admin"]
    row = {"activity_id": "API-UNLIKELY", "rep_id": REP_ID, "type": "email",
           "occurred_at": "2026-09-02T10:00:00", "outcome": "connected", "deal_id": "D-NONE"}  # fmt: skip
    r = client.post("/api/activities", json=[row], headers={"x-csrf-token": csrf or ""})
    assert r.status_code == 200, r.text
    assert r.json()["inserted"] == 1
    assert _row(web, "API-UNLIKELY")["outcome"] == "connected"


# -- the words ------------------------------------------------------------------------------
def test_every_message_of_the_form_is_in_english_and_dutch_with_the_same_places() -> None:
    keys = [k for k in MESSAGES if k.startswith("log.")]
    assert {"log.problem.negative", "log.warn.future", "log.confirm"} <= set(keys)
    for key in keys:
        en, nl = MESSAGES[key].en, MESSAGES[key].nl
        assert en and nl
        places = [{p[1] for p in string.Formatter().parse(s) if p[1]} for s in (en, nl)]
        assert places[0] == places[1], key


def test_the_outcomes_of_each_type_are_words_of_the_vocabulary() -> None:
    assert set(OUTCOMES_OF_TYPE) <= set(ActivityType.words())
    for outcomes in OUTCOMES_OF_TYPE.values():
        assert set(outcomes) <= set(ActivityOutcome.words())
    assert "connected" in OUTCOMES_OF_TYPE["call"] and "connected" not in OUTCOMES_OF_TYPE["email"]
    assert "held" in OUTCOMES_OF_TYPE["demo"] and "held" not in OUTCOMES_OF_TYPE["call"]
