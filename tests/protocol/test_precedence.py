"""Order of precedence: category rank, then date of taking office (unknown last), then the
country's English name (unknown last), then the name — with ties at every level.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask import Flask

from telecom.protocol.models import ProtocolCategory, VipInvitation
from telecom.protocol.services import invitations, lists
from telecom.protocol.services.precedence import precedence_key, sort_by_precedence
from tests.protocol.support_invitations import make_vip, officer, upcoming_edition

C = ProtocolCategory


def names(found: list[VipInvitation]) -> list[str]:
    return [invitation.full_name for invitation in found]


def in_list_order(edition) -> list[str]:  # type: ignore[no-untyped-def]
    return names(lists.protocol_list(edition, actor=officer(), status="all"))


def test_categories_come_in_rank_order(app: Flask) -> None:
    edition = upcoming_edition()
    # Created in reverse, with dates that would put them the other way round.
    for number, category in enumerate(reversed(list(C))):
        make_vip(edition, f"Leader {category.value}", category, country="FR",
                 took_office_on=date(2000 + number, 1, 1))  # fmt: skip

    assert in_list_order(edition) == [
        "Leader VVIP", "Leader UN", "Leader MIN", "Leader DMIN", "Leader REG", "Leader AMB",
        "Leader CEO",
    ]  # fmt: skip
    assert [category.rank for category in C] == [1, 2, 3, 4, 5, 6, 7]


def test_within_a_category_the_longest_serving_comes_first_and_an_unknown_date_last(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    make_vip(edition, "Minister Unknown Date", country="AT")
    make_vip(edition, "Minister Since 2018", country="AT", took_office_on=date(2018, 5, 1))
    make_vip(edition, "Minister Since 2009", country="ZW", took_office_on=date(2009, 2, 13))
    make_vip(edition, "Minister Since 2018 Later", country="AT", took_office_on=date(2018, 5, 2))

    assert in_list_order(edition) == [
        "Minister Since 2009",  # Zimbabwe, but earlier in office than every Austrian
        "Minister Since 2018",
        "Minister Since 2018 Later",
        "Minister Unknown Date",
    ]


def test_on_the_same_date_the_country_english_name_decides_and_no_country_comes_last(
    app: Flask,
) -> None:
    edition = upcoming_edition()
    same_day = date(2015, 1, 1)
    # Codes and English names sort differently: CH Switzerland, DE Germany, CI Côte d'Ivoire.
    for name, country in [
        ("Regulator of Switzerland", "CH"),
        ("Regulator of Germany", "DE"),
        ("Regulator without country", None),
        ("Regulator of Côte d'Ivoire", "CI"),
        ("Regulator of Canada", "CA"),
        ("Regulator of Denmark", "DK"),
    ]:
        make_vip(edition, name, C.REG, country=country, took_office_on=same_day,
                 organisation="" if country else "Regional Body")  # fmt: skip

    assert in_list_order(edition) == [
        "Regulator of Canada",
        "Regulator of Côte d'Ivoire",  # accents do not count: among the C's
        "Regulator of Denmark",
        "Regulator of Germany",
        "Regulator of Switzerland",
        "Regulator without country",
    ]


def test_then_the_name_and_the_order_never_depends_on_how_rows_came(app: Flask) -> None:
    edition = upcoming_edition()
    for name in ("Zainab Bello", "adaeze Obi", "Émile Okafor", "Chidi Eze"):
        make_vip(edition, name, C.AMB, country="NG", took_office_on=date(2016, 3, 3))
    make_vip(edition, "Twin", C.AMB, country="NG", took_office_on=date(2016, 3, 3))
    make_vip(edition, "Twin", C.AMB, country="NG", took_office_on=date(2016, 3, 3))

    expected = ["adaeze Obi", "Chidi Eze", "Émile Okafor", "Twin", "Twin", "Zainab Bello"]
    found = lists.protocol_list(edition, actor=officer())
    assert names(found) == expected
    # Identical people keep one order: the older invitation first.
    twins = [invitation for invitation in found if invitation.full_name == "Twin"]
    assert twins[0].id < twins[1].id
    for seed in range(5):
        shuffled = list(found)
        random.Random(seed).shuffle(shuffled)
        assert sort_by_precedence(shuffled) == found


def test_every_level_of_ties_at_once(app: Flask) -> None:
    edition = upcoming_edition()
    early, late = date(2010, 6, 1), date(2020, 6, 1)
    rows = [
        ("CEO, no country", C.CEO, None, None),
        ("Minister of Hungary, 2020", C.MIN, "HU", late),
        ("Minister of Austria, 2020", C.MIN, "AT", late),
        ("Minister, no date, Albania", C.MIN, "AL", None),
        ("Minister of Zambia, 2010", C.MIN, "ZM", early),
        ("Minister, no date, no country", C.MIN, None, None),
        ("Minister, no date, Zambia", C.MIN, "ZM", None),
        ("Head of State of Brazil", C.VVIP, "BR", None),
        ("Minister B of Austria, 2020", C.MIN, "AT", late),
    ]
    for name, category, country, took_office in rows:
        make_vip(edition, name, category, country=country, took_office_on=took_office)

    assert in_list_order(edition) == [
        "Head of State of Brazil",
        "Minister of Zambia, 2010",
        "Minister B of Austria, 2020",
        "Minister of Austria, 2020",
        "Minister of Hungary, 2020",
        "Minister, no date, Albania",
        "Minister, no date, Zambia",
        "Minister, no date, no country",
        "CEO, no country",
    ]
    keys = [precedence_key(i) for i in lists.protocol_list(edition, actor=officer())]
    assert keys == sorted(keys)


def test_a_head_of_delegation_is_not_a_vip_by_category_alone(app: Flask) -> None:
    """Only the seven protocol categories exist; a delegation's members never join the list."""
    edition = upcoming_edition()
    assert "HOD" not in {category.value for category in C}
    minister = make_vip(edition, "Minister with delegation", C.MIN, country="KE", members=3)
    minister.members[0].function = "Head of delegation"

    assert in_list_order(edition) == ["Minister with delegation"]
    with pytest.raises(ValueError):
        ProtocolCategory("HOD")
    with pytest.raises(invitations.ProtocolError) as refused:
        invitations.import_invitations(
            edition, b"name,category,country,email\nJohn Kamau,HOD,KE,jk@example.ke\n",
            actor=officer(),
        )  # fmt: skip
    assert isinstance(refused.value, invitations.ImportRejected)
    [error] = refused.value.errors
    assert "VVIP, UN, MIN, DMIN, REG, AMB, CEO" in error.message
