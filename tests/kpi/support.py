"""A hand-built edition for the KPI tests: every figure is known in advance.

It (Budapest time, 12-15 October 2015) holds the edge cases of issue 9: a
visitor who is also a speaker, a co-exhibitor (and a rejected one), a refunded
payment, a rejected accreditation, a declined VIP, a visitor who came on two
days, a check-in on a registration cancelled since, and rows dated after 12
October for the as-of figures; survey answers (one before the as-of day
ends), cost lines, daily web traffic inside and outside the campaign window
and a sponsorship deal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    CoExhibitorStatus,
    Hall,
    Organisation,
    PavilionKind,
    Sector,
    TurnoverBand,
)
from telecom.extensions import db
from telecom.forum.models import (
    ForumSession,
    SessionKind,
    SessionRating,
    Speaker,
    SpeakerStatus,
)
from telecom.kpi.models import CostCategory, CostLine
from telecom.media.models import ApplicationStatus, MediaApplication
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    Person,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from telecom.payments.models import (
    Order,
    OrderLine,
    OrderLineKind,
    OrderState,
    Payment,
    PaymentProvider,
    PaymentState,
    Refund,
    RefundState,
)
from telecom.protocol.models import InvitationStatus, ProtocolCategory, VipInvitation
from telecom.surveys.models import SurveyAudience, SurveyInvitation, SurveyResponse
from telecom.traffic.models import TrafficDay, TrafficSource
from tests.helpers import make_edition

BUDAPEST = ZoneInfo("Europe/Budapest")
BEFORE = datetime(2015, 9, 1, 8, 0, tzinfo=UTC)  # when most records were made
DAY1, DAY2 = date(2015, 10, 12), date(2015, 10, 13)
AS_OF = DAY1


def local(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), BUDAPEST)


@dataclass
class Built:
    edition: Edition
    people: dict[str, Person] = field(default_factory=dict)
    registrations: dict[tuple[str, RegistrationCategory], Registration] = field(
        default_factory=dict
    )


class Builder:
    """Inserts rows directly: the engine reads tables, so no service needs to run."""

    def __init__(self, edition: Edition) -> None:
        self.built = Built(edition)
        self.edition = edition

    def add(self, row):  # type: ignore[no-untyped-def]
        db.session.add(row)
        db.session.flush()
        return row

    def person(self, key: str, country: str) -> Person:
        person = self.add(
            Person(email=f"{key}@kpi.example.org", full_name=key.title(), country=country,
                   created_at=BEFORE)
        )  # fmt: skip
        self.built.people[key] = person
        return person

    def register(
        self,
        key: str,
        category: RegistrationCategory,
        *,
        status: RegistrationStatus = RegistrationStatus.CONFIRMED,
        created: datetime = BEFORE,
        protocol_category: str | None = None,
    ) -> Registration:
        registration = self.add(
            Registration(
                person_id=self.built.people[key].id, edition_id=self.edition.id,
                category=category, status=status, created_at=created,
                protocol_category=protocol_category,
            )
        )  # fmt: skip
        self.built.registrations[(key, category)] = registration
        return registration

    def check_in(
        self,
        key: str,
        category: RegistrationCategory,
        day: date,
        session: ForumSession | None = None,
    ) -> None:
        registration = self.built.registrations[(key, category)]
        self.add(
            CheckIn(
                edition_id=self.edition.id, person_id=registration.person_id,
                registration_id=registration.id, category=category, day=day,
                point=CheckInPoint.SESSION if session else CheckInPoint.GATE,
                point_ref=str(session.id) if session else "",
                scanned_at=local(day, 9 if session is None else 11),
            )
        )  # fmt: skip


def build_edition(slug: str = "kpi-world-2015") -> Built:
    edition = make_edition(slug, campaign_start=date(2015, 4, 1), campaign_end=date(2015, 10, 31))
    b = Builder(edition)
    e = edition.id
    V, S, VIP, MEDIA, FORUM = (
        RegistrationCategory.VISITOR, RegistrationCategory.SPEAKER, RegistrationCategory.VIP,
        RegistrationCategory.MEDIA, RegistrationCategory.FORUM_DELEGATE,
    )  # fmt: skip

    # Candidate venues: three bids, Budapest chosen.
    for city, country, status in (
        ("Budapest", "HU", CandidateStatus.CHOSEN),
        ("Rome", "IT", CandidateStatus.NOT_SELECTED),
        ("Lima", "PE", CandidateStatus.WITHDRAWN),
    ):
        b.add(CandidateVenue(edition_id=e, city=city, country=country, venue=f"{city} Expo",
                             status=status, created_at=BEFORE))  # fmt: skip

    # Halls: 200 + 100 sqm in use; hall 3 (300 sqm) has only a held booth.
    h1 = b.add(Hall(edition_id=e, code="H1", name="Hall 1", width=Decimal(10), depth=Decimal(20)))
    h2 = b.add(Hall(edition_id=e, code="H2", name="Hall 2", width=Decimal(10), depth=Decimal(10)))
    h3 = b.add(Hall(edition_id=e, code="H3", name="Hall 3", width=Decimal(30), depth=Decimal(10)))

    def org(name: str, country: str, band: TurnoverBand, **extra: object) -> Organisation:
        return b.add(  # type: ignore[no-any-return]
            Organisation(edition_id=e, legal_name=name, display_name=name, country=country,
                         sector=Sector.OTHER, turnover_band=band, created_at=BEFORE, **extra)
        )  # fmt: skip

    def booking(
        organisation: Organisation, hall: Hall, code: str, width: str, depth: str,
        state: BookingState, confirmed: datetime | None = BEFORE,
    ) -> BoothBooking:  # fmt: skip
        booth = b.add(
            Booth(edition_id=e, hall_id=hall.id, code=code, x=Decimal(0), y=Decimal(0),
                  width=Decimal(width), depth=Decimal(depth), booth_type=BoothType.SPACE_ONLY)
        )  # fmt: skip
        return b.add(  # type: ignore[no-any-return]
            BoothBooking(edition_id=e, booth_id=booth.id, organisation_id=organisation.id,
                         state=state, price=Decimal("1000.00"), currency="CHF",
                         created_at=BEFORE, confirmed_at=confirmed)
        )  # fmt: skip

    alpha = org("Alpha", "CH", TurnoverBand.UNDER_10M)
    paid_booking = booking(alpha, h1, "A1", "3", "3", BookingState.PAID)
    pavilion = org("Hungary Pavilion", "HU", TurnoverBand.FROM_10M_TO_100M,
                   pavilion_kind=PavilionKind.NATIONAL)  # fmt: skip
    booking(pavilion, h1, "A2", "4", "5", BookingState.CONFIRMED)
    org("Coex", "DE", TurnoverBand.UNDER_10M, pavilion_id=pavilion.id,
        co_exhibitor_status=CoExhibitorStatus.APPROVED)  # fmt: skip
    org("Refused Coex", "FR", TurnoverBand.UNDER_10M, pavilion_id=pavilion.id,
        co_exhibitor_status=CoExhibitorStatus.REJECTED)  # fmt: skip
    # Confirmed on the second day: not an exhibitor yet as of the first.
    late = org("Late Giant", "US", TurnoverBand.OVER_10B)
    booking(late, h2, "B1", "2", "3", BookingState.CONFIRMED, confirmed=local(DAY2))
    booking(org("Holder", "JP", TurnoverBand.FROM_1B_TO_10B), h3, "C1", "6", "6",
            BookingState.HELD, confirmed=None)  # fmt: skip
    booking(org("Quitter", "IT", TurnoverBand.FROM_100M_TO_1B), h2, "B2", "3", "4",
            BookingState.CANCELLED)  # fmt: skip

    # People and registrations.
    for key, country in (
        ("vera", "HU"), ("sam", "DE"), ("fred", "FR"), ("carla", "ES"), ("pia", "IT"),
        ("late", "SE"), ("mina", "KE"), ("ceo", "US"), ("dora", "BR"), ("max", "GB"),
        ("ines", "IN"), ("chen", "CN"), ("fiona", "HU"), ("axel", "AR"),
    ):  # fmt: skip
        b.person(key, country)
    b.register("vera", V)
    b.register("sam", V)
    b.register("sam", S)  # visitor and speaker: one participant
    b.register("fred", V)  # registered, never came
    b.register("carla", V, status=RegistrationStatus.CANCELLED)
    b.register("pia", V, status=RegistrationStatus.PENDING)  # pending still counts as registered
    b.register("late", V, created=local(DAY2, 8))
    b.register("mina", VIP, protocol_category=ProtocolCategory.MIN.value)
    b.register("ceo", VIP, protocol_category=ProtocolCategory.CEO.value)
    # A VIP who declined after accepting: the invitation is declined, the badge withdrawn.
    dora = b.register("dora", VIP, status=RegistrationStatus.CANCELLED,
                      protocol_category=ProtocolCategory.VVIP.value)  # fmt: skip
    b.add(VipInvitation(edition_id=e, full_name="Dora", category=ProtocolCategory.VVIP,
                        email="dora@kpi.example.org", status=InvitationStatus.DECLINED,
                        person_id=dora.person_id, registration_id=dora.id))  # fmt: skip
    b.register("max", MEDIA)
    b.register("ines", MEDIA)
    b.register("fiona", FORUM)
    b.register("axel", V)  # came on day 1, cancelled since: counts nowhere

    for key, status in (("max", ApplicationStatus.APPROVED), ("ines", ApplicationStatus.APPROVED),
                        ("chen", ApplicationStatus.REJECTED)):  # fmt: skip
        decided = datetime(2015, 9, 15, tzinfo=UTC)
        b.add(MediaApplication(edition_id=e, person_id=b.built.people[key].id, full_name=key,
                               status=status, decided_at=decided))  # fmt: skip

    # Forum: two sessions held, one cancelled; one confirmed speaker, one who declined.
    s1 = b.add(ForumSession(edition_id=e, title="Opening", kind=SessionKind.KEYNOTE,
                            starts_at=local(DAY1, 10), ends_at=local(DAY1, 12),
                            created_at=BEFORE))  # fmt: skip
    s2 = b.add(ForumSession(edition_id=e, title="Panel", kind=SessionKind.PANEL,
                            starts_at=local(DAY2, 10), ends_at=local(DAY2, 12),
                            created_at=BEFORE))  # fmt: skip
    b.add(ForumSession(edition_id=e, title="Dropped", kind=SessionKind.PANEL, created_at=BEFORE,
                       starts_at=local(DAY2, 14), ends_at=local(DAY2, 15),
                       cancelled_at=BEFORE))  # fmt: skip
    b.add(Speaker(edition_id=e, email="sam@kpi.example.org", full_name="Sam",
                  status=SpeakerStatus.CONFIRMED, confirmed_at=BEFORE,
                  person_id=b.built.people["sam"].id))  # fmt: skip
    b.add(Speaker(edition_id=e, email="no@kpi.example.org", full_name="No",
                  status=SpeakerStatus.DECLINED))  # fmt: skip

    # Check-ins: Vera on two days (one attendee, two visits); Sam at the gate on
    # his visitor badge and in a session on his speaker badge; Fiona only in sessions.
    b.check_in("vera", V, DAY1)
    b.check_in("vera", V, DAY2)
    b.check_in("sam", V, DAY1)
    b.check_in("sam", S, DAY1, session=s1)
    b.check_in("late", V, DAY2)
    b.check_in("mina", VIP, DAY2)
    b.check_in("max", MEDIA, DAY1)
    b.check_in("fiona", FORUM, DAY1, session=s1)
    b.check_in("fiona", FORUM, DAY2, session=s2)
    b.check_in("axel", V, DAY1)
    axel = b.built.registrations[("axel", V)]
    axel.status = RegistrationStatus.CANCELLED

    for key, session, score, day in (("sam", s1, 4, DAY1), ("fiona", s1, 5, DAY1),
                                     ("fiona", s2, 2, DAY2)):  # fmt: skip
        b.add(SessionRating(session_id=session.id, person_id=b.built.people[key].id,
                            score=score, created_at=local(day, 13)))  # fmt: skip

    # Money: a booth order paid by transfer (plus a failed card attempt), a pass
    # paid by card and partly refunded on day 2, an order without lines ("other").
    def order(lines: list[OrderLine], organisation: Organisation | None = None) -> Order:
        return b.add(  # type: ignore[no-any-return]
            Order(edition_id=e, organisation_id=organisation.id if organisation else None,
                  state=OrderState.PAID, currency="CHF", lines=lines)
        )  # fmt: skip

    def pay(
        o: Order,
        amount: str,
        state: PaymentState = PaymentState.SUCCEEDED,
        *,
        settled: datetime | None = None,
        received_on: date | None = None,
    ) -> Payment:
        provider = PaymentProvider.BANK_TRANSFER if received_on else PaymentProvider.CARD
        return b.add(  # type: ignore[no-any-return]
            Payment(order_id=o.id, edition_id=e, provider=provider, state=state,
                    amount=Decimal(amount), currency="CHF", received_on=received_on,
                    settled_at=settled or datetime(2015, 9, 25, tzinfo=UTC))
        )  # fmt: skip

    booth_order = order(
        [OrderLine(kind=OrderLineKind.BOOTH, description="A1", booth_booking_id=paid_booking.id,
                   unit_price=Decimal("1000.00"))],
        alpha,
    )  # fmt: skip
    pay(booth_order, "1000.00", received_on=date(2015, 9, 20))
    pay(booth_order, "999.00", PaymentState.FAILED)
    pass_order = order(
        [OrderLine(kind=OrderLineKind.PASS, description="Pass",
                   registration_id=b.built.registrations[("vera", V)].id,
                   unit_price=Decimal("200.00"))]
    )  # fmt: skip
    card = pay(pass_order, "200.00", settled=datetime(2015, 9, 10, tzinfo=UTC))
    for amount, state in (("50.00", RefundState.SUCCEEDED), ("20.00", RefundState.FAILED)):
        b.add(Refund(order_id=pass_order.id, payment_id=card.id, edition_id=e, state=state,
                     amount=Decimal(amount), currency="CHF",
                     created_at=local(DAY2, 16)))  # fmt: skip
    pay(order([]), "300.00", settled=local(date(2015, 10, 14)))
    # A sponsorship deal, paid by transfer before the event.
    sponsorship = order(
        [OrderLine(kind=OrderLineKind.SPONSORSHIP, description="Gold sponsor",
                   unit_price=Decimal("400.00"))],
        late,
    )  # fmt: skip
    pay(sponsorship, "400.00", received_on=date(2015, 10, 5))

    # Surveys. Exhibitors: Alpha answered on day 1 (a promoter), the pavilion (a
    # detractor) and Late Giant (passive) a week later. Participants: Vera, Mina, Sam.
    def answer(
        key: str, audience: SurveyAudience, segment: str, satisfaction: int,
        would_return: bool, recommend: int | None, answered: datetime,
        organisation: Organisation | None = None,
    ) -> None:  # fmt: skip
        person = b.built.people.get(key) or b.person(key, "CH")
        invitation = b.add(
            SurveyInvitation(edition_id=e, audience=audience, person_id=person.id,
                             organisation_id=organisation.id if organisation else None,
                             sent_at=local(DAY2, 18))
        )  # fmt: skip
        b.add(SurveyResponse(invitation_id=invitation.id, edition_id=e, audience=audience,
                             segment=segment, satisfaction=satisfaction,
                             would_return=would_return, recommend_score=recommend,
                             comment="", created_at=answered))  # fmt: skip

    exhibitor, participant = SurveyAudience.EXHIBITOR, SurveyAudience.PARTICIPANT
    week_later = local(date(2015, 10, 20))
    answer("alice", exhibitor, "under_10m", 5, True, 10, local(DAY1, 20), alpha)
    answer("hugo", exhibitor, "10m_100m", 3, False, 6, week_later, pavilion)
    answer("gina", exhibitor, "over_10b", 4, True, 8, week_later, late)
    answer("vera", participant, "visitor", 4, True, None, week_later)
    answer("mina", participant, "vip", 5, True, None, week_later)
    answer("sam", participant, "speaker", 2, False, None, week_later)

    # Costs: 700.00 in all, 120.50 of it incurred after the first day.
    for category, amount, day in (
        (CostCategory.VENUE, "500.00", date(2015, 9, 1)),
        (CostCategory.OTHER, "79.50", DAY1),
        (CostCategory.MARKETING, "120.50", DAY2),
    ):
        b.add(CostLine(edition_id=e, category=category, amount=Decimal(amount),
                       incurred_on=day))  # fmt: skip

    # Web traffic: the window is 1 April - 31 October; the first and last rows are outside.
    for day, views, visitors in (
        (date(2015, 3, 31), 1000, 500),
        (date(2015, 10, 1), 100, 40),
        (DAY1, 300, 120),
        (DAY2, 200, 80),
        (date(2015, 11, 1), 999, 999),
    ):
        b.add(TrafficDay(day=day, page_views=views, unique_visitors=visitors,
                         source=TrafficSource.IMPORTED))  # fmt: skip

    db.session.commit()
    return b.built


BANDS_ZERO = dict.fromkeys((band.value for band in TurnoverBand), 0)
CATEGORIES_ZERO = dict.fromkeys((category.value for category in ProtocolCategory), 0)
REGISTRATION_CATEGORIES = tuple(category.value for category in RegistrationCategory)
NO_ANSWERS = {"responses": 0, "mean_score": None, "nps": None, "would_return": 0}
