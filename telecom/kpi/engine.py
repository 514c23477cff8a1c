"""The Objective 6 KPIs of an edition, computed by the database (DESIGN.md §6).

`compute_kpis(edition, as_of=None)` returns an `EditionKpis`; `.as_dict()`
gives the JSON shape of `GET /api/v1/editions/<slug>/kpis`. Every figure is
an SQL aggregate (COUNT, COUNT DISTINCT, SUM): no rows are loaded into Python
to be counted, and the number of statements is fixed (about twenty) whatever
the size of the edition.

Rules, following the exhibition-statistics conventions (UFI / ISO 25639):

- People are counted once (COUNT DISTINCT person), however many registrations
  (roles) they hold. Cancelled registrations and bookings never count; a
  pending registration (e-mail or payment not confirmed yet) counts as
  registered. "Attended" means at least one gate check-in of a live
  registration; for the forum, a check-in at the door of one of the
  edition's sessions. Total participants attended counts check-ins of either
  kind (DESIGN.md §6: "at least one check-in, any category").
- Exhibitors are organisations with a confirmed or paid booking, plus
  approved co-exhibitors of a pavilion. Pavilions are the exhibitors that are
  a pavilion (`pavilion_kind` set, national or thematic); national_pavilions
  counts the national ones.
- net_sqm is the area (width x depth) of the booths with a confirmed or paid
  booking. gross_sqm is the floor area (width x depth) of the halls in use,
  that is the halls with at least one such booth: the halls model holds only
  the rectangle of each hall, so aisles and service areas inside a used hall
  are gross, unused halls are not.
- Trade visitors are people with a visitor registration; visits are their
  daily gate entries (one CheckIn row per person, day and point).
- VIPs are people with a VIP registration (an accepted invitation; a declined
  or revoked one holds none, or a cancelled one), by protocol category.
- Accredited media are approved applications; attended = the applicant came
  through the gate.
- Revenue is money received in the edition's currency: succeeded payments
  minus refunds made or under way (a pending refund is money already promised
  back, as `Order.net_received` counts it). Each order belongs to one stream:
  "booths" if it has a booth line, else "passes" if it has a pass line, else
  "sponsorship" if it has a sponsorship line (a deal recorded by an
  organizer), else "other". Costs are the recorded cost lines of the edition
  (incurred by the as-of date), by category; the result is revenue minus costs.
- Satisfaction comes from the surveys (telecom.surveys): exhibitors by the
  turnover band their organisation had when answering, participants by
  registration category. mean_score is the mean overall satisfaction (1-5);
  NPS = % promoters (9-10) minus % detractors (0-6) of the answers that gave
  a likelihood-to-recommend score. Forum satisfaction is the session ratings.
- Web traffic sums the daily aggregates (`telecom.traffic`: counted by the
  platform or imported) over the edition's campaign window; without one, the
  window is the 365 days up to the edition's last day.

As of a date: only what existed at the end of that day in the edition's time
zone counts: rows created by then (registrations, applications decided,
bookings confirmed, candidate venues, sessions, ratings), check-ins scanned by
then, payments received by then (the bank's date for a recorded transfer, the
settlement time for a card) and refunds made by then. States are today's: a
registration cancelled after the date no longer counts for that date either.
Areas and money are summed by the database; on SQLite a Numeric sum comes
back through a float, so sums are rounded to the cent (exact for any
plausible total).

`not_collected` lists the inputs with no data at all for the edition (no
survey answer, no traffic day in the window, no cost line), so a zero there
reads as "not recorded" rather than "nothing happened".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from telecom.events.models import CandidateStatus, CandidateVenue, Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    CoExhibitorStatus,
    Hall,
    Organisation,
    PavilionKind,
    TurnoverBand,
)
from telecom.extensions import db
from telecom.forum.models import ForumSession, Speaker, SpeakerStatus
from telecom.forum.services import attendance
from telecom.forum.services.ratings import mean_of
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
from telecom.participants.queries import on_live_registration
from telecom.payments.models import (
    Order,
    OrderLine,
    OrderLineKind,
    Payment,
    PaymentState,
    Refund,
    RefundState,
)
from telecom.protocol.models import ProtocolCategory
from telecom.surveys.models import SurveyAudience, SurveyResponse
from telecom.traffic.models import TrafficDay

__all__ = [
    "REVENUE_STREAMS",
    "AccreditedMedia",
    "CandidateVenues",
    "EditionKpis",
    "ExhibitionSize",
    "Exhibitors",
    "FinancialResult",
    "Forum",
    "ForumSatisfaction",
    "Kpis",
    "ParticipantSatisfaction",
    "Satisfaction",
    "TotalParticipants",
    "TradeVisitors",
    "Vips",
    "WebTraffic",
    "compute_kpis",
    "confirmed_bookings",
    "exhibitor_condition",
    "survey_satisfaction",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
REVENUE_STREAMS = ("booths", "passes", "sponsorship", "other")
ONE_PLACE = Decimal("0.1")
# Without a campaign window, web traffic counts over the year up to the last day.
DEFAULT_CAMPAIGN_DAYS = 365
# A VIP registration without a protocol category (should not happen; kept visible).
UNCATEGORISED = "uncategorised"
CONFIRMED_BOOKING = (BookingState.CONFIRMED, BookingState.PAID)


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class CandidateVenues:
    count: int
    # {"city", "country", "venue"} of the chosen bid, None while none is chosen.
    chosen: dict[str, str] | None


@dataclass(frozen=True)
class Satisfaction:
    responses: int = 0
    mean_score: Decimal | None = None  # overall satisfaction, 1-5, two places
    nps: Decimal | None = None  # -100 to 100, one place; None without a recommend score
    would_return: int = 0  # answers saying they would exhibit / come again


@dataclass(frozen=True)
class ExhibitorSatisfaction(Satisfaction):
    by_turnover_band: dict[str, Satisfaction] = field(default_factory=dict)


@dataclass(frozen=True)
class Exhibitors:
    total: int
    countries: int
    by_turnover_band: dict[str, int]
    satisfaction: ExhibitorSatisfaction


@dataclass(frozen=True)
class ExhibitionSize:
    net_sqm: Decimal
    gross_sqm: Decimal
    booths: int
    pavilions: int  # national and thematic
    national_pavilions: int
    countries: int  # exhibiting countries (the same figure as exhibitors.countries)


@dataclass(frozen=True)
class TradeVisitors:
    registered: int
    attended: int
    visits: int


@dataclass(frozen=True)
class Vips:
    registered: int
    attended: int
    by_category: dict[str, int]  # attended, by protocol category


@dataclass(frozen=True)
class ForumSatisfaction:
    ratings: int
    mean_rating: Decimal | None


@dataclass(frozen=True)
class Forum:
    participants: int
    sessions: int
    speakers: int  # confirmed speakers
    satisfaction: ForumSatisfaction


@dataclass(frozen=True)
class ParticipantSatisfaction(Satisfaction):
    by_category: dict[str, Satisfaction] = field(default_factory=dict)


@dataclass(frozen=True)
class AccreditedMedia:
    approved: int
    attended: int


@dataclass(frozen=True)
class TotalParticipants:
    attended: int
    countries: int  # of the people who attended
    registered: int
    registered_countries: int


@dataclass(frozen=True)
class WebTraffic:
    page_views: int
    unique_visitors: int
    # The campaign window counted (edition.campaign_start/end, cut at as_of).
    from_: date | None = field(metadata={"json": "from"})
    to: date | None


@dataclass(frozen=True)
class FinancialResult:
    revenue: Decimal
    revenue_by_stream: dict[str, Decimal]
    paid: Decimal
    refunded: Decimal
    costs: Decimal
    costs_by_category: dict[str, Decimal]
    result: Decimal


@dataclass(frozen=True)
class Kpis:
    candidate_venues: CandidateVenues
    exhibitors: Exhibitors
    exhibition_size: ExhibitionSize
    trade_visitors: TradeVisitors
    vips: Vips
    forum: Forum
    participant_satisfaction: ParticipantSatisfaction
    accredited_media: AccreditedMedia
    total_participants: TotalParticipants
    web_traffic: WebTraffic
    financial_result: FinancialResult


@dataclass(frozen=True)
class EditionKpis:
    edition: str  # the slug
    as_of: date | None
    currency: str
    kpis: Kpis
    # Inputs the platform does not record yet, so their figures are zero / null.
    not_collected: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: money and areas as decimal strings, dates as ISO strings."""
        return _jsonable(self)  # type: ignore[no-any-return]


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.metadata.get("json", f.name): _jsonable(getattr(value, f.name)) for f in fields(value)
        }
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decimal(value: Any) -> Decimal:
    """A database sum as an exact 2-place Decimal (SQLite sums Numeric through floats)."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- the engine


def compute_kpis(edition: Edition, as_of: date | None = None) -> EditionKpis:
    """Every Objective 6 KPI of `edition`, optionally as at the end of day `as_of`."""
    if db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL compiles each large aggregate with its JIT (250-500 ms apiece at
        # 200,000 registrations, bench/kpi.py) to save less than that in execution.
        # SET LOCAL ends with the transaction.
        db.session.execute(text("SET LOCAL jit = off"))
    return _Engine(edition, as_of).compute()


class _Engine:
    def __init__(self, edition: Edition, as_of: date | None) -> None:
        self.edition = edition
        self.as_of = as_of
        # End of the as-of day where the edition takes place, as an aware datetime.
        self.cutoff: datetime | None = None if as_of is None else edition.day_ends_at(as_of)
        self.not_collected: list[str] = []
        self._came: tuple[int, int, int, int] | None = None

    def compute(self) -> EditionKpis:
        exhibitors, size = self._exhibitors()
        kpis = Kpis(
            candidate_venues=self._candidate_venues(),
            exhibitors=exhibitors,
            exhibition_size=size,
            trade_visitors=self._trade_visitors(),
            vips=self._vips(),
            forum=self._forum(),
            participant_satisfaction=self._participant_satisfaction(),
            accredited_media=self._accredited_media(),
            total_participants=self._total_participants(),
            web_traffic=self._web_traffic(),
            financial_result=self._financial_result(),
        )
        return EditionKpis(
            edition=self.edition.slug,
            as_of=self.as_of,
            currency=self.edition.currency,
            kpis=kpis,
            not_collected=self.not_collected,
        )

    # ---------------------------------------------------------------- shared conditions

    def _upto(self, moment: Any) -> ColumnElement[bool]:
        """`moment` (a UTC timestamp column) is no later than the as-of cutoff."""
        return _no_later_than(moment, self.cutoff)

    def _registered(self, *categories: RegistrationCategory) -> Select[tuple[int]]:
        """People holding a live registration (in one of `categories`, or any)."""
        query = select(Registration.person_id).where(
            Registration.edition_id == self.edition.id,
            Registration.status != RegistrationStatus.CANCELLED,
            self._upto(Registration.created_at),
        )
        if categories:
            query = query.where(Registration.category.in_(categories))
        return query

    def _attendees(self, point: CheckInPoint | None = CheckInPoint.GATE) -> Select[tuple[int]]:
        """People checked in (at `point`, or anywhere) on a live registration by the cutoff."""
        query = select(CheckIn.person_id).where(
            CheckIn.edition_id == self.edition.id,
            on_live_registration(self.edition.id),
            self._upto(CheckIn.scanned_at),
        )
        if point is not None:
            query = query.where(CheckIn.point == point)
        return query

    def _came_through_gate(self, person_id: ColumnElement[int]) -> ColumnElement[bool]:
        """The person has a gate check-in on a live registration: a correlated EXISTS.

        An index probe per person (check_ins.person_id). `person_id IN (every gate
        attendee)` made PostgreSQL scan a materialised list of 370,000 people for each
        VIP once the list no longer fitted in work_mem (100 s at 200,000 registrations).
        """
        # The registration's status by a join here, not on_live_registration: with a
        # NOT IN inside, PostgreSQL costs each probe as high as hashing every gate
        # check-in once, and does that instead (23 ms -> 149 ms at 591 VIPs, bench/kpi.py).
        scanned = aliased(Registration)
        return exists().where(
            CheckIn.person_id == person_id,
            CheckIn.edition_id == self.edition.id,
            CheckIn.point == CheckInPoint.GATE,
            self._upto(CheckIn.scanned_at),
            scanned.id == CheckIn.registration_id,
            scanned.status != RegistrationStatus.CANCELLED,
        )

    def _people_who_came(self) -> tuple[int, int, int, int]:
        """One pass over the check-ins, grouped by person: (people who came, their
        countries, trade visitors who came, their gate visits)."""
        if self._came is None:
            visitor = aliased(Registration)
            is_visitor = exists().where(
                visitor.person_id == CheckIn.person_id,
                visitor.edition_id == self.edition.id,
                visitor.category == RegistrationCategory.VISITOR,
                visitor.status != RegistrationStatus.CANCELLED,
                self._upto(visitor.created_at),
            )
            per_person = (
                self._attendees(point=None)
                .with_only_columns(
                    CheckIn.person_id.label("person_id"),
                    func.count(case((CheckIn.point == CheckInPoint.GATE, 1))).label("gate_days"),
                    case((is_visitor, 1), else_=0).label("visitor"),
                )
                .group_by(CheckIn.person_id)
                .subquery()
            )
            visitor_came = per_person.c.visitor == 1
            row = db.session.execute(
                select(
                    func.count(),
                    func.count(Person.country.distinct()),
                    func.count(case((and_(visitor_came, per_person.c.gate_days > 0), 1))),
                    func.coalesce(func.sum(case((visitor_came, per_person.c.gate_days))), 0),
                )
                .select_from(per_person)
                .join(Person, Person.id == per_person.c.person_id)
            ).one()
            attended, countries, visitors, visits = (int(value or 0) for value in row)
            self._came = (attended, countries, visitors, visits)
        return self._came

    def _confirmed_bookings(self) -> ColumnElement[bool]:
        return confirmed_bookings(self.edition, self.cutoff)

    # ---------------------------------------------------------------- the KPIs

    def _candidate_venues(self) -> CandidateVenues:
        chosen = CandidateVenue.status == CandidateStatus.CHOSEN
        count, city, country, venue = db.session.execute(
            select(
                func.count(CandidateVenue.id),
                # At most one bid is chosen (a unique index), so MAX picks it.
                func.max(case((chosen, CandidateVenue.city))),
                func.max(case((chosen, CandidateVenue.country))),
                func.max(case((chosen, CandidateVenue.venue))),
            ).where(
                CandidateVenue.edition_id == self.edition.id,
                self._upto(CandidateVenue.created_at),
            )
        ).one()
        chosen_bid = None if city is None else {"city": city, "country": country, "venue": venue}
        return CandidateVenues(count=int(count), chosen=chosen_bid)

    def _exhibitors(self) -> tuple[Exhibitors, ExhibitionSize]:
        is_exhibitor = exhibitor_condition(self.edition, self.cutoff)
        by_band = dict.fromkeys((band.value for band in TurnoverBand), 0)
        for band, count in db.session.execute(
            select(Organisation.turnover_band, func.count(Organisation.id))
            .where(is_exhibitor)
            .group_by(Organisation.turnover_band)
        ):
            by_band[TurnoverBand(band).value] = int(count)
        countries, pavilions, national = db.session.execute(
            select(
                func.count(Organisation.country.distinct()),
                func.count(case((Organisation.pavilion_kind.is_not(None), Organisation.id))),
                func.count(
                    case((Organisation.pavilion_kind == PavilionKind.NATIONAL, Organisation.id))
                ),
            ).where(is_exhibitor)
        ).one()

        booths, net = db.session.execute(
            select(func.count(Booth.id), func.sum(Booth.width * Booth.depth))
            .join(BoothBooking, BoothBooking.booth_id == Booth.id)
            .where(self._confirmed_bookings())
        ).one()
        halls_in_use = (
            select(Booth.hall_id)
            .join(BoothBooking, BoothBooking.booth_id == Booth.id)
            .where(self._confirmed_bookings())
        )
        gross = db.session.scalar(
            select(func.sum(Hall.width * Hall.depth)).where(
                Hall.edition_id == self.edition.id, Hall.id.in_(halls_in_use)
            )
        )
        exhibitors = Exhibitors(
            total=sum(by_band.values()),
            countries=int(countries),
            by_turnover_band=by_band,
            satisfaction=self._exhibitor_satisfaction(),
        )
        size = ExhibitionSize(
            net_sqm=_decimal(net),
            gross_sqm=_decimal(gross),
            booths=int(booths),
            pavilions=int(pavilions),
            national_pavilions=int(national),
            countries=int(countries),
        )
        return exhibitors, size

    def _exhibitor_satisfaction(self) -> ExhibitorSatisfaction:
        overall, by_segment = survey_satisfaction(
            self.edition, SurveyAudience.EXHIBITOR, self.cutoff
        )
        if overall.responses == 0:
            self.not_collected.append("exhibitor_satisfaction")
        by_band = {band.value: by_segment.get(band.value, Satisfaction()) for band in TurnoverBand}
        return ExhibitorSatisfaction(
            responses=overall.responses,
            mean_score=overall.mean_score,
            nps=overall.nps,
            would_return=overall.would_return,
            by_turnover_band=by_band,
        )

    def _participant_satisfaction(self) -> ParticipantSatisfaction:
        overall, by_segment = survey_satisfaction(
            self.edition, SurveyAudience.PARTICIPANT, self.cutoff
        )
        if overall.responses == 0:
            self.not_collected.append("participant_satisfaction")
        by_category = {
            category.value: by_segment.get(category.value, Satisfaction())
            for category in RegistrationCategory
        }
        return ParticipantSatisfaction(
            responses=overall.responses,
            mean_score=overall.mean_score,
            nps=overall.nps,
            would_return=overall.would_return,
            by_category=by_category,
        )

    def _trade_visitors(self) -> TradeVisitors:
        visitors = self._registered(RegistrationCategory.VISITOR)
        registered = db.session.scalar(
            select(func.count(visitors.subquery().c.person_id.distinct()))
        )
        _, _, attended, visits = self._people_who_came()
        return TradeVisitors(registered=int(registered or 0), attended=attended, visits=visits)

    def _vips(self) -> Vips:
        came = case((self._came_through_gate(Registration.person_id), 1), else_=0)
        by_category = dict.fromkeys((category.value for category in ProtocolCategory), 0)
        registered = 0
        # One VIP registration per person and edition (a unique constraint): rows are people.
        for category, count, attended in db.session.execute(
            select(Registration.protocol_category, func.count(Registration.id), func.sum(came))
            .where(
                Registration.edition_id == self.edition.id,
                Registration.category == RegistrationCategory.VIP,
                Registration.status != RegistrationStatus.CANCELLED,
                self._upto(Registration.created_at),
            )
            .group_by(Registration.protocol_category)
        ):
            registered += int(count)
            key = category or UNCATEGORISED
            by_category[key] = by_category.get(key, 0) + int(attended or 0)
        return Vips(
            registered=registered, attended=sum(by_category.values()), by_category=by_category
        )

    def _forum(self) -> Forum:
        # The forum module owns the definition (session-door check-ins, live badges).
        participants = attendance.forum_participants(self.edition, self.cutoff)
        ratings, mean_rating = attendance.forum_satisfaction(self.edition, self.cutoff)
        sessions = db.session.scalar(
            select(func.count(ForumSession.id)).where(
                ForumSession.edition_id == self.edition.id,
                ForumSession.cancelled_at.is_(None),
                self._upto(ForumSession.created_at),
            )
        )
        speakers = db.session.scalar(
            select(func.count(Speaker.id)).where(
                Speaker.edition_id == self.edition.id,
                Speaker.status == SpeakerStatus.CONFIRMED,
                self._upto(func.coalesce(Speaker.confirmed_at, Speaker.created_at)),
            )
        )
        return Forum(
            participants=int(participants or 0),
            sessions=int(sessions or 0),
            speakers=int(speakers or 0),
            satisfaction=ForumSatisfaction(ratings=ratings, mean_rating=mean_rating),
        )

    def _accredited_media(self) -> AccreditedMedia:
        came = case((self._came_through_gate(MediaApplication.person_id), 1), else_=0)
        approved, attended = db.session.execute(
            select(func.count(MediaApplication.id), func.sum(came)).where(
                MediaApplication.edition_id == self.edition.id,
                MediaApplication.status == ApplicationStatus.APPROVED,
                self._upto(func.coalesce(MediaApplication.decided_at, MediaApplication.created_at)),
            )
        ).one()
        return AccreditedMedia(approved=int(approved), attended=int(attended or 0))

    def _total_participants(self) -> TotalParticipants:
        def people(ids: Select[tuple[int]]) -> tuple[int, int]:
            count, countries = db.session.execute(
                select(func.count(Person.id), func.count(Person.country.distinct())).where(
                    Person.id.in_(ids)
                )
            ).one()
            return int(count), int(countries)

        attended, countries, _, _ = self._people_who_came()
        registered, registered_countries = people(self._registered())
        return TotalParticipants(
            attended=attended,
            countries=countries,
            registered=registered,
            registered_countries=registered_countries,
        )

    def _web_traffic(self) -> WebTraffic:
        start, end = self.campaign_window()
        if self.as_of is not None:
            end = min(end, self.as_of)
        days, views, visitors = db.session.execute(
            select(
                func.count(TrafficDay.id),
                func.sum(TrafficDay.page_views),
                func.sum(TrafficDay.unique_visitors),
            ).where(TrafficDay.day >= start, TrafficDay.day <= end)
        ).one()
        if not days:
            self.not_collected.append("web_traffic")
        return WebTraffic(
            page_views=int(views or 0), unique_visitors=int(visitors or 0), from_=start, to=end
        )

    def campaign_window(self) -> tuple[date, date]:
        """The days whose web traffic counts toward the edition (both ends included)."""
        edition = self.edition
        end = edition.campaign_end or edition.end_date
        start = edition.campaign_start or end - timedelta(days=DEFAULT_CAMPAIGN_DAYS - 1)
        return start, end

    def _costs(self) -> tuple[Decimal, dict[str, Decimal]]:
        query = select(CostLine.category, func.count(CostLine.id), func.sum(CostLine.amount)).where(
            CostLine.edition_id == self.edition.id
        )
        if self.as_of is not None:
            query = query.where(CostLine.incurred_on <= self.as_of)
        by_category = {category.value: ZERO for category in CostCategory}
        lines = 0
        for category, count, total in db.session.execute(query.group_by(CostLine.category)):
            lines += int(count)
            by_category[CostCategory(category).value] = _decimal(total)
        if lines == 0:
            self.not_collected.append("costs")
        return sum(by_category.values(), ZERO), by_category

    def _financial_result(self) -> FinancialResult:
        edition = self.edition

        def has_line(kind: OrderLineKind) -> ColumnElement[bool]:
            # Any line, cancelled or not: money paid for a released booth is still booth money.
            return exists().where(OrderLine.order_id == Order.id, OrderLine.kind == kind)

        stream = case(
            (has_line(OrderLineKind.BOOTH), literal("booths")),
            (has_line(OrderLineKind.PASS), literal("passes")),
            (has_line(OrderLineKind.SPONSORSHIP), literal("sponsorship")),
            else_=literal("other"),
        )
        if self.as_of is None:
            received: ColumnElement[bool] = true()
        else:
            # A recorded transfer counts from the day the bank received it; a card from settlement.
            received = or_(
                and_(Payment.received_on.is_not(None), Payment.received_on <= self.as_of),
                and_(Payment.received_on.is_(None), self._upto(Payment.settled_at)),
            )
        payments = (
            select(
                stream.label("stream"),
                literal("paid").label("kind"),
                Payment.amount.label("amount"),
            )
            .join(Order, Order.id == Payment.order_id)
            .where(
                Payment.edition_id == edition.id,
                Payment.state == PaymentState.SUCCEEDED,
                Payment.currency == edition.currency,
                received,
            )
        )
        refunds = (
            select(
                stream.label("stream"),
                literal("refunded").label("kind"),
                Refund.amount.label("amount"),
            )
            .join(Order, Order.id == Refund.order_id)
            .where(
                Refund.edition_id == edition.id,
                Refund.state != RefundState.FAILED,
                Refund.currency == edition.currency,
                self._upto(Refund.created_at),
            )
        )
        money = union_all(payments, refunds).subquery()
        sums = {(stream_, kind): _decimal(total) for stream_, kind, total in db.session.execute(
            select(money.c.stream, money.c.kind, func.sum(money.c.amount)).group_by(
                money.c.stream, money.c.kind
            )
        )}  # fmt: skip
        by_stream = {
            name: sums.get((name, "paid"), ZERO) - sums.get((name, "refunded"), ZERO)
            for name in REVENUE_STREAMS
        }
        paid = sum((v for (_, kind), v in sums.items() if kind == "paid"), ZERO)
        refunded = sum((v for (_, kind), v in sums.items() if kind == "refunded"), ZERO)
        revenue = paid - refunded
        costs, costs_by_category = self._costs()
        return FinancialResult(
            revenue=revenue,
            revenue_by_stream=by_stream,
            paid=paid,
            refunded=refunded,
            costs=costs,
            costs_by_category=costs_by_category,
            result=revenue - costs,
        )


def confirmed_bookings(edition: Edition, cutoff: datetime | None = None) -> ColumnElement[bool]:
    """Booth bookings that count (confirmed or paid, by `cutoff`): net sqm, booths, exhibitors."""
    return and_(
        BoothBooking.edition_id == edition.id,
        BoothBooking.state.in_(CONFIRMED_BOOKING),
        _no_later_than(
            func.coalesce(BoothBooking.confirmed_at, BoothBooking.paid_at, BoothBooking.created_at),
            cutoff,
        ),
    )


def exhibitor_condition(edition: Edition, cutoff: datetime | None = None) -> ColumnElement[bool]:
    """Organisations the exhibitor KPI counts: a booking that counts, or an approved co-exhibitor.

    Surveys (who is asked) and the engine (who is counted) share it.
    """
    booked = select(BoothBooking.organisation_id).where(confirmed_bookings(edition, cutoff))
    return and_(
        Organisation.edition_id == edition.id,
        or_(
            Organisation.id.in_(booked),
            and_(
                Organisation.pavilion_id.is_not(None),
                Organisation.co_exhibitor_status == CoExhibitorStatus.APPROVED,
                _no_later_than(Organisation.created_at, cutoff),
            ),
        ),
    )


def _no_later_than(moment: Any, cutoff: datetime | None) -> ColumnElement[bool]:
    return true() if cutoff is None else moment <= cutoff  # type: ignore[no-any-return]


def survey_satisfaction(
    edition: Edition, audience: SurveyAudience, cutoff: datetime | None = None
) -> tuple[Satisfaction, dict[str, Satisfaction]]:
    """Survey answers of `edition` and `audience`: overall and by segment, one statement.

    Segments are turnover bands for exhibitors and registration categories
    for participants (as stored with each answer). Answers given after
    `cutoff` do not count.
    """
    recommended = SurveyResponse.recommend_score.is_not(None)
    query = (
        select(
            SurveyResponse.segment,
            func.count(SurveyResponse.id),
            func.sum(SurveyResponse.satisfaction),
            func.count(SurveyResponse.recommend_score),
            func.sum(case((SurveyResponse.recommend_score >= 9, 1), else_=0)),
            func.sum(case((and_(recommended, SurveyResponse.recommend_score <= 6), 1), else_=0)),
            func.sum(case((SurveyResponse.would_return.is_(True), 1), else_=0)),
        )
        .where(SurveyResponse.edition_id == edition.id, SurveyResponse.audience == audience)
        .group_by(SurveyResponse.segment)
    )
    if cutoff is not None:
        query = query.where(SurveyResponse.created_at <= cutoff)
    tallies = {
        row[0]: tuple(int(value or 0) for value in row[1:]) for row in db.session.execute(query)
    }
    by_segment = {segment: _satisfaction(*tally) for segment, tally in tallies.items()}
    overall = _satisfaction(*(sum(column) for column in zip(*tallies.values(), strict=True)))
    return overall, by_segment


def _satisfaction(
    responses: int = 0,
    score_total: int = 0,
    scored: int = 0,
    promoters: int = 0,
    detractors: int = 0,
    would_return: int = 0,
) -> Satisfaction:
    """Satisfaction figures from integer tallies (exact Decimal arithmetic, half-up)."""
    nps = None
    if scored:
        nps = (Decimal(100 * (promoters - detractors)) / Decimal(scored)).quantize(
            ONE_PLACE, rounding=ROUND_HALF_UP
        )
    return Satisfaction(
        responses=responses,
        mean_score=mean_of(score_total, responses),
        nps=nps,
        would_return=would_return,
    )
