"""Media accreditation demo data for the past demo editions.

2015 (Budapest) has about 150 approved journalists, 2013 (Bangkok) about 110,
with some rejections (varied reasons) and a few revocations. These are
illustrative demo figures, not published ones. The editions are long over, so
nothing is pending: every application ended approved, rejected or revoked, and
the evidence files were purged after the retention period (the document rows
stay, without a file; nothing is written to disk).

As in telecom/participants/demo.py, the plan is computed first from a seeded
`random.Random` (every run plans the same journalists, outlets, review steps
and check-ins), then only what is missing is inserted, looked up by natural
key: people by e-mail, applications by person and edition, check-ins by person
and day. People, applications, documents, steps and check-ins go in bulk; the
media registrations are granted with `grant_registration` (in this
transaction, no mail), then dated back to the approval. One commit per edition.

Fictional: names come from the participants demo's name lists, outlets are
generated, e-mails are on a subdomain of the reserved example.org and outlet
websites under the reserved .example top-level domain.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import insert, select

from telecom.auth import services as auth_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    DocumentKind,
    MediaApplication,
    MediaDocument,
    MediaReviewStep,
    MediaRole,
    MediaSettings,
    OutletType,
    RejectionReason,
)
from telecom.participants.demo import (
    NAMES,
    REGION_OF,
    _allocate,
    _ascii,
    _days,
    _entry_time,
    _weighted,
)
from telecom.participants.demo import SPECS as PARTICIPANT_SPECS
from telecom.participants.models import (
    CheckIn,
    CheckInPoint,
    JobFunction,
    Person,
    Registration,
    RegistrationCategory,
)
from telecom.participants.services.granted import grant_registration, withdraw_registration

COUNT_KEYS = (
    "media_settings", "people", "registrations", "media_applications", "media_documents",
    "media_review_steps", "check_ins",
)  # fmt: skip
REVIEWER_EMAIL = "media-review@telecom-world.example"  # a demo account (telecom/demo.py)


@dataclass(frozen=True)
class MediaDemoSpec:
    slug: str
    seed: int
    approved: int
    rejected: int
    revoked: int
    mail_domain: str
    # (ISO code, weight) of the journalists' nationality; every country gets one at least.
    countries: tuple[tuple[str, int], ...]
    outlet_types: dict[OutletType, int]
    info_requested_share: float = 0.2  # of those approved: more information was asked first
    late_share: float = 0.03  # submitted after the close, with an organizer's permission
    foreign_correspondent_share: float = 0.1  # works for an outlet of another country
    attendance: float = 0.85  # of the approved, came at least once
    opens_days_before: int = 120
    closes_days_before: int = 10
    retention_days: int = 90


SPEC_2015 = MediaDemoSpec(
    slug="telecom-world-2015",
    seed=62015,
    approved=150,
    rejected=27,
    revoked=4,
    mail_domain="media2015.example.org",
    countries=(
        ("HU", 42), ("AT", 6), ("SK", 5), ("RO", 6), ("RS", 5), ("HR", 3), ("SI", 3),
        ("UA", 4), ("DE", 10), ("CH", 8), ("GB", 12), ("FR", 8), ("IT", 5), ("PL", 5),
        ("CZ", 4), ("NL", 3), ("BE", 3), ("SE", 2), ("FI", 3), ("ES", 4), ("PT", 2),
        ("GR", 2), ("BG", 3), ("TR", 4), ("RU", 8), ("CN", 8), ("KR", 4), ("JP", 5),
        ("IN", 6), ("TH", 2), ("MY", 2), ("ID", 2), ("VN", 2), ("SG", 3), ("AE", 4),
        ("SA", 3), ("QA", 2), ("EG", 4), ("MA", 2), ("TN", 2), ("NG", 4), ("KE", 4),
        ("ZA", 3), ("GH", 2), ("RW", 2), ("US", 10), ("CA", 2), ("BR", 3), ("MX", 2),
        ("AR", 1), ("KZ", 2), ("AZ", 2),
    ),
    outlet_types={
        OutletType.PRINT: 30, OutletType.ONLINE: 38, OutletType.TV: 16, OutletType.RADIO: 8,
        OutletType.NEWS_AGENCY: 10, OutletType.PHOTO_AGENCY: 5, OutletType.FREELANCE: 12,
    },
)  # fmt: skip

SPEC_2013 = MediaDemoSpec(
    slug="telecom-world-2013",
    seed=62013,
    approved=110,
    rejected=19,
    revoked=2,
    mail_domain="media2013.example.org",
    info_requested_share=0.15,
    attendance=0.82,
    opens_days_before=100,
    closes_days_before=7,
    countries=(
        ("TH", 36), ("MY", 6), ("ID", 6), ("VN", 5), ("SG", 6), ("PH", 4), ("KH", 3),
        ("LA", 2), ("MM", 3), ("CN", 10), ("HK", 3), ("TW", 2), ("KR", 5), ("JP", 6),
        ("IN", 7), ("BD", 2), ("PK", 2), ("LK", 1), ("AU", 3), ("AE", 3), ("SA", 2),
        ("QA", 1), ("EG", 2), ("US", 8), ("GB", 8), ("FR", 5), ("DE", 5), ("CH", 6),
        ("RU", 4), ("NG", 3), ("KE", 3), ("ZA", 2), ("RW", 1), ("BR", 1), ("NZ", 1),
    ),
    outlet_types={
        OutletType.PRINT: 35, OutletType.ONLINE: 25, OutletType.TV: 20, OutletType.RADIO: 10,
        OutletType.NEWS_AGENCY: 12, OutletType.PHOTO_AGENCY: 6, OutletType.FREELANCE: 8,
    },
)  # fmt: skip

SPECS = {spec.slug: spec for spec in (SPEC_2013, SPEC_2015)}

# --- outlets and people --------------------------------------------------------

OUTLET_STEMS = (
    "Capital", "Century", "Chronicle", "Citizen", "Continental", "Equator", "Frontline",
    "Globe", "Horizon", "Independent", "Meridian", "Metro", "Morning", "National",
    "Observer", "Panorama", "Pulse", "Signal", "Spectrum", "Standard", "Vanguard", "Voice",
)  # fmt: skip
OUTLET_FORMS = {
    OutletType.PRINT: ("Daily", "Herald", "Times", "Tribune", "Gazette", "Business Review",
                       "Economic Weekly"),
    OutletType.ONLINE: ("Tech Wire", "Digital Report", "Mobile News", "ICT Insider",
                        "Telecom Review", "Broadband Today"),
    OutletType.TV: ("TV", "Television", "News 24", "Business TV"),
    OutletType.RADIO: ("Radio", "FM", "Public Radio", "Radio News"),
    OutletType.NEWS_AGENCY: ("News Agency", "Press Agency", "Wire Service"),
    OutletType.PHOTO_AGENCY: ("Photo", "Images", "Press Photo"),
}  # fmt: skip
ROLE_WEIGHTS = {
    OutletType.PRINT: {MediaRole.REPORTER: 60, MediaRole.EDITOR_IN_CHIEF: 15,
                       MediaRole.PHOTOGRAPHER: 25},
    OutletType.ONLINE: {MediaRole.REPORTER: 70, MediaRole.EDITOR_IN_CHIEF: 25,
                        MediaRole.PHOTOGRAPHER: 5},
    OutletType.TV: {MediaRole.REPORTER: 35, MediaRole.CAMERA_OPERATOR: 40,
                    MediaRole.TECHNICIAN: 20, MediaRole.EDITOR_IN_CHIEF: 5},
    OutletType.RADIO: {MediaRole.REPORTER: 65, MediaRole.TECHNICIAN: 25,
                       MediaRole.EDITOR_IN_CHIEF: 10},
    OutletType.NEWS_AGENCY: {MediaRole.REPORTER: 60, MediaRole.PHOTOGRAPHER: 25,
                             MediaRole.CAMERA_OPERATOR: 10, MediaRole.EDITOR_IN_CHIEF: 5},
    OutletType.PHOTO_AGENCY: {MediaRole.PHOTOGRAPHER: 90, MediaRole.EDITOR_IN_CHIEF: 10},
    OutletType.FREELANCE: {MediaRole.REPORTER: 60, MediaRole.PHOTOGRAPHER: 30,
                           MediaRole.CAMERA_OPERATOR: 10},
}  # fmt: skip
ROLE_TITLES = {
    MediaRole.REPORTER: ("Reporter", "Senior Reporter", "Technology Correspondent",
                         "Business Journalist"),
    MediaRole.EDITOR_IN_CHIEF: ("Editor-in-Chief", "Managing Editor"),
    MediaRole.PHOTOGRAPHER: ("Photojournalist", "Staff Photographer"),
    MediaRole.CAMERA_OPERATOR: ("Camera Operator", "Video Journalist"),
    MediaRole.TECHNICIAN: ("Sound Engineer", "Broadcast Technician"),
}  # fmt: skip
# Who applies for a press badge and is not a journalist.
NON_JOURNALIST_TITLES = ("Business Development Director", "Sales Manager", "Event Coordinator")
MARKETING_TITLES = ("Marketing Manager", "Head of Communications", "PR Consultant")
CORPORATE_OUTLET_FORMS = ("Networks Blog", "Insights Newsletter", "Customer Magazine")
# The big international outlets' home countries, for foreign correspondents.
CORRESPONDENT_HOMES = ("GB", "US", "FR", "DE", "CN", "QA", "RU", "JP", "CH")

REJECTION_WEIGHTS = {
    RejectionReason.NOT_JOURNALIST: 6,
    RejectionReason.MARKETING_ROLE: 8,
    RejectionReason.INSUFFICIENT_EVIDENCE: 6,
    RejectionReason.PRESS_CARD_EXPIRED: 3,
    RejectionReason.DUPLICATE: 2,
    RejectionReason.OTHER: 2,
}
REJECTION_NOTES = {
    RejectionReason.NOT_JOURNALIST: "No journalistic work found; please register as a visitor.",
    RejectionReason.MARKETING_ROLE: "A company communications role; please register as a "
    "visitor or through your exhibitor.",
    RejectionReason.INSUFFICIENT_EVIDENCE: "The letter is not signed by an editor and no "
    "recent bylined work was given.",
    RejectionReason.PRESS_CARD_EXPIRED: "The press card expires before the event and no "
    "letter of assignment was added.",
    RejectionReason.DUPLICATE: "Already accredited under another e-mail address.",
}
OTHER_NOTES = (
    "The outlet is an exhibitor's in-house publication; please ask the exhibitor for a "
    "staff badge.",
    "The outlet's website has published nothing since 2012 and could not be verified.",
    "A student newspaper; students are welcome with a visitor pass.",
)
INFO_REQUESTS = (
    "Please add a letter of assignment signed by your editor.",
    "Please add a copy of your press card, front and back, with its expiry date.",
    "Please add links to two or three pieces you wrote in the last twelve months.",
    "The photo is not usable for a badge (face not visible); please upload another.",
)
REVOCATION_REASONS = (
    "The applicant asked to cancel: cannot travel to the event.",
    "Outlet found after approval to be a corporate PR channel.",
    "Duplicate accreditation: a second application was approved under another e-mail.",
    "The badge was handed to another person (reported by the outlet).",
)


@dataclass
class StepPlan:
    at: datetime
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    by_reviewer: bool  # else the applicant
    by_organizer: bool = False
    reason: RejectionReason | None = None
    message: str = ""


@dataclass
class DocumentPlan:
    kind: DocumentKind
    content_type: str
    size: int
    original_name: str
    uploaded_at: datetime


@dataclass
class ApplicationPlan:
    email: str
    full_name: str
    nationality: str
    job_title: str
    phone: str
    outlet_name: str
    outlet_type: OutletType
    outlet_country: str
    outlet_website: str
    role: MediaRole
    press_card_number: str
    press_card_expires_on: date | None
    bylines: list[str]
    created_at: datetime
    submitted_at: datetime
    late: bool
    status: ApplicationStatus
    decided_at: datetime
    approved_at: datetime | None = None  # also for a revoked one
    rejection_reason: RejectionReason | None = None
    decision_note: str = ""
    info_request: str = ""
    documents: list[DocumentPlan] = field(default_factory=list)
    steps: list[StepPlan] = field(default_factory=list)
    check_ins: list[datetime] = field(default_factory=list)  # UTC gate entries


@dataclass
class Outlet:
    name: str
    outlet_type: OutletType
    country: str
    website: str


def _outlet(rng: random.Random, outlet_type: OutletType, country: str) -> Outlet:
    form_type = outlet_type
    if outlet_type == OutletType.FREELANCE:
        # A freelancer's outlet is the one that commissioned the coverage.
        form_type = rng.choice((OutletType.PRINT, OutletType.ONLINE))
    name = f"{rng.choice(OUTLET_STEMS)} {rng.choice(OUTLET_FORMS[form_type])}"
    website = f"https://www.{_ascii(name)}-{country.lower()}.example"
    return Outlet(name, outlet_type, country, website)


def _bylines(rng: random.Random, website: str, edition_start: date, count: int) -> list[str]:
    topics = ("5g-trials", "spectrum-auction", "rural-broadband", "smart-cities",
              "mobile-money", "data-protection", "submarine-cable", "iot-standards")  # fmt: skip
    links = []
    for topic in rng.sample(topics, count):
        published = edition_start - timedelta(days=rng.randrange(20, 330))
        links.append(f"{website}/{published:%Y/%m}/{topic}")
    return links


def _document(
    rng: random.Random, kind: DocumentKind, uploaded_at: datetime, outlet: str
) -> DocumentPlan:
    if kind == DocumentKind.PHOTO:
        content_type = rng.choice(("image/jpeg", "image/jpeg", "image/png"))
        name = rng.choice(("photo", "portrait", f"IMG_{rng.randrange(1000, 9999)}"))
        size = rng.randrange(60_000, 900_000)
    elif kind == DocumentKind.LETTER_OF_ASSIGNMENT:
        content_type = "application/pdf"
        name = rng.choice(("letter-of-assignment", "assignment", f"{_ascii(outlet)}-letter"))
        size = rng.randrange(40_000, 700_000)
    else:
        content_type = rng.choice(("image/jpeg", "image/png", "application/pdf"))
        name = rng.choice(("press-card", "presscard", "press_card_scan"))
        size = rng.randrange(80_000, 2_500_000)
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
    return DocumentPlan(kind, content_type, size, f"{name}.{extension[content_type]}", uploaded_at)


def _evidence(rng: random.Random, outlet_type: OutletType) -> set[DocumentKind]:
    """Freelancers need both; others send a letter, a press card or both."""
    if outlet_type == OutletType.FREELANCE:
        return {DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD}
    return rng.choices(
        (
            {DocumentKind.LETTER_OF_ASSIGNMENT},
            {DocumentKind.PRESS_CARD},
            {DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD},
        ),
        weights=(40, 25, 35),
    )[0]


def _compress(start: datetime, moments: list[datetime], deadline: datetime) -> list[datetime]:
    """Squeeze a chain of moments after `start` so that the last is before `deadline`."""
    if not moments or moments[-1] <= deadline:
        return moments
    factor = (deadline - start) / (moments[-1] - start)
    return [(start + (m - start) * factor).replace(microsecond=0) for m in moments]


def plan_media(spec: MediaDemoSpec, edition: Edition) -> list[ApplicationPlan]:
    """Every application of one edition, from the seed alone."""
    rng = random.Random(spec.seed)  # noqa: S311 - demo data, reproducible on purpose
    tz = edition.tz
    start, end = edition.start_date, edition.end_date
    opens = datetime.combine(start - timedelta(days=spec.opens_days_before), time(9), tz)
    closes = edition.day_ends_at(start - timedelta(days=spec.closes_days_before))
    # Every decision is made by the eve of the first day.
    last_decision = datetime.combine(start - timedelta(days=1), time(19), tz).astimezone(UTC)
    participant_spec = PARTICIPANT_SPECS.get(spec.slug)
    opening = participant_spec.opening if participant_spec else (9, 18)

    total = spec.approved + spec.rejected + spec.revoked
    countries = _allocate(total, spec.countries)
    rng.shuffle(countries)
    outcomes = (
        [ApplicationStatus.APPROVED] * spec.approved
        + [ApplicationStatus.REJECTED] * spec.rejected
        + [ApplicationStatus.REVOKED] * spec.revoked
    )
    rng.shuffle(outcomes)
    # Every reason of the list occurs, in proportion to its weight.
    reasons = _allocate(spec.rejected, tuple(REJECTION_WEIGHTS.items()))
    rng.shuffle(reasons)
    outlets: dict[str, list[Outlet]] = {}
    plans: list[ApplicationPlan] = []

    for number, (country, outcome) in enumerate(zip(countries, outcomes, strict=True), 1):
        reason = None
        if outcome == ApplicationStatus.REJECTED:
            reason = reasons.pop()
        region = REGION_OF.get(country, "en")
        given, family = NAMES[region]
        first, last = rng.choice(given), rng.choice(family)
        outlet_type: OutletType = _weighted(rng, spec.outlet_types)  # type: ignore[assignment]
        outlet_country = country
        if rng.random() < spec.foreign_correspondent_share:
            outlet_country = rng.choice(CORRESPONDENT_HOMES)
        # A team from one outlet applies individually: often an outlet already seen.
        known = [o for o in outlets.get(outlet_country, []) if o.outlet_type == outlet_type]
        if known and rng.random() < 0.35:
            outlet = rng.choice(known)
        else:
            outlet = _outlet(rng, outlet_type, outlet_country)
            outlets.setdefault(outlet_country, []).append(outlet)
        role: MediaRole = _weighted(rng, ROLE_WEIGHTS[outlet_type])  # type: ignore[assignment]
        job_title = rng.choice(ROLE_TITLES[role])
        if reason in (RejectionReason.NOT_JOURNALIST, RejectionReason.MARKETING_ROLE):
            titles = (
                NON_JOURNALIST_TITLES
                if reason == RejectionReason.NOT_JOURNALIST
                else MARKETING_TITLES
            )
            job_title = rng.choice(titles)
            name = f"{rng.choice(OUTLET_STEMS)} {rng.choice(CORPORATE_OUTLET_FORMS)}"
            website = f"https://www.{_ascii(name)}-{outlet_country.lower()}.example"
            outlet = Outlet(name, OutletType.ONLINE, outlet_country, website)
            outlet_type, role = OutletType.ONLINE, MediaRole.REPORTER
        full_name = f"{first} {last}"
        accredited = [p for p in plans if p.status == ApplicationStatus.APPROVED]
        if reason == RejectionReason.DUPLICATE and accredited:
            # The same journalist again, from another e-mail address.
            original = rng.choice(accredited)
            full_name, country = original.full_name, original.nationality
            outlet = Outlet(original.outlet_name, original.outlet_type,
                            original.outlet_country, original.outlet_website)  # fmt: skip
            outlet_type, role, job_title = original.outlet_type, original.role, original.job_title
            first, last = full_name.split(" ", 1)
        email = f"{_ascii(first)}.{_ascii(last)}.{number:04d}@{country.lower()}.{spec.mail_domain}"

        # When: most apply in the last weeks before the close.
        late = outcome == ApplicationStatus.APPROVED and rng.random() < spec.late_share
        if late:
            submitted = closes + timedelta(hours=rng.uniform(10, 24 * 4))
        else:
            submitted = opens + (closes - opens) * rng.triangular(0.05, 1.0, 0.85)
        submitted = submitted.astimezone(UTC).replace(microsecond=0)
        created = submitted - timedelta(minutes=rng.randrange(8, 60 * 24 * 5))

        evidence = _evidence(rng, outlet_type)
        asked = ""
        missing: DocumentKind | None = None
        if reason == RejectionReason.INSUFFICIENT_EVIDENCE:
            evidence, asked = {DocumentKind.LETTER_OF_ASSIGNMENT}, INFO_REQUESTS[2]
        elif reason == RejectionReason.PRESS_CARD_EXPIRED:
            evidence = {DocumentKind.PRESS_CARD}
        elif outcome != ApplicationStatus.REJECTED and rng.random() < spec.info_requested_share:
            # A freelancer's first submission already had both documents (required).
            asked = rng.choice(
                INFO_REQUESTS[2:] if outlet_type == OutletType.FREELANCE else INFO_REQUESTS
            )
            if asked == INFO_REQUESTS[0]:
                missing = DocumentKind.LETTER_OF_ASSIGNMENT
                evidence |= {DocumentKind.LETTER_OF_ASSIGNMENT}
            elif asked == INFO_REQUESTS[1]:
                missing = DocumentKind.PRESS_CARD
                evidence |= {DocumentKind.PRESS_CARD}
            elif asked == INFO_REQUESTS[3]:
                missing = DocumentKind.PHOTO
            if missing in evidence and len(evidence) == 1:
                evidence |= {DocumentKind.LETTER_OF_ASSIGNMENT, DocumentKind.PRESS_CARD} - {missing}

        card_number, card_expiry = "", None
        if DocumentKind.PRESS_CARD in evidence:
            card_number = f"{outlet_country}-{rng.randrange(10_000, 999_999):06d}"
            if reason == RejectionReason.PRESS_CARD_EXPIRED:
                # Valid when submitted (or it would have been refused), not at the event.
                card_expiry = submitted.date() + timedelta(
                    days=rng.randrange(1, max(2, (start - submitted.date()).days))
                )
            else:
                card_expiry = date(start.year + rng.choice((0, 1, 1, 2)), 12, 31)
        byline_count = 0 if reason in (
            RejectionReason.NOT_JOURNALIST, RejectionReason.MARKETING_ROLE,
            RejectionReason.INSUFFICIENT_EVIDENCE,
        ) else rng.choice((1, 2, 3, 3))  # fmt: skip
        bylines = _bylines(rng, outlet.website, start, byline_count)

        # The review, step by step; squeezed so that every decision precedes the event.
        moments = [submitted + timedelta(minutes=rng.randrange(40, 60 * 72))]  # taken
        if asked:
            moments.append(moments[-1] + timedelta(minutes=rng.randrange(5, 60 * 20)))
            moments.append(moments[-1] + timedelta(minutes=rng.randrange(60 * 4, 60 * 24 * 5)))
            moments.append(moments[-1] + timedelta(minutes=rng.randrange(30, 60 * 48)))
        moments.append(moments[-1] + timedelta(minutes=rng.randrange(3, 60 * 24)))  # decided
        moments = _compress(submitted, [m.replace(microsecond=0) for m in moments],
                            last_decision)  # fmt: skip
        decided = moments[-1]
        by_organizer = rng.random() < 0.15

        steps = [
            StepPlan(submitted, ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, False),
            StepPlan(moments[0], ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, True,
                     by_organizer),
        ]  # fmt: skip
        documents = [
            _document(rng, kind, created + timedelta(minutes=n + 1), outlet.name)
            for n, kind in enumerate(sorted(k for k in evidence | {DocumentKind.PHOTO}
                                            if k != missing or k == DocumentKind.PHOTO))
        ]  # fmt: skip
        if asked:
            requested, resubmitted, retaken = moments[1], moments[2], moments[3]
            steps += [
                StepPlan(requested, ApplicationStatus.IN_REVIEW,
                         ApplicationStatus.INFO_REQUESTED, True, by_organizer, message=asked),
                StepPlan(resubmitted, ApplicationStatus.INFO_REQUESTED,
                         ApplicationStatus.RESUBMITTED, False),
                StepPlan(retaken, ApplicationStatus.RESUBMITTED, ApplicationStatus.IN_REVIEW,
                         True, by_organizer),
            ]  # fmt: skip
            if missing is not None:
                # What was asked for arrives just before the resubmission.
                uploaded = max(
                    requested + timedelta(minutes=1),
                    resubmitted - timedelta(minutes=rng.randrange(2, 30)),
                )
                documents.append(_document(rng, missing, uploaded, outlet.name))

        plan = ApplicationPlan(
            email=email, full_name=full_name, nationality=country, job_title=job_title,
            phone=f"+{rng.randrange(1, 99)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
            outlet_name=outlet.name, outlet_type=outlet_type, outlet_country=outlet.country,
            outlet_website=outlet.website, role=role, press_card_number=card_number,
            press_card_expires_on=card_expiry, bylines=bylines, created_at=created,
            submitted_at=submitted, late=late, status=outcome, decided_at=decided,
            info_request=asked, documents=documents, steps=steps,
        )  # fmt: skip

        if outcome == ApplicationStatus.REJECTED:
            assert isinstance(reason, RejectionReason)
            note = REJECTION_NOTES.get(reason) or rng.choice(OTHER_NOTES)
            plan.rejection_reason, plan.decision_note = reason, note
            steps.append(StepPlan(decided, ApplicationStatus.IN_REVIEW, ApplicationStatus.REJECTED,
                                  True, by_organizer, reason=reason, message=note))  # fmt: skip
        else:
            plan.approved_at = decided
            steps.append(StepPlan(decided, ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED,
                                  True, by_organizer))  # fmt: skip
        if outcome == ApplicationStatus.REVOKED:
            eve = datetime.combine(start - timedelta(days=1), time(20), tz).astimezone(UTC)
            revoked = (decided + (eve - decided) * rng.uniform(0.2, 0.95)).replace(microsecond=0)
            note = rng.choice(REVOCATION_REASONS)
            plan.decided_at, plan.decision_note = revoked, note
            steps.append(StepPlan(revoked, ApplicationStatus.APPROVED, ApplicationStatus.REVOKED,
                                  True, True, message=note))  # fmt: skip

        if outcome == ApplicationStatus.APPROVED and rng.random() < spec.attendance:
            days = _days(start, end)
            count = rng.choices((1, 2, 3, 4), weights=(25, 30, 25, 20))[0]
            plan.check_ins = [
                _entry_time(rng, day, tz, opening) for day in sorted(rng.sample(days, count))
            ]
        plans.append(plan)
    return plans


# --- loading -------------------------------------------------------------------


def _settings(edition: Edition, spec: MediaDemoSpec, created: Counter) -> MediaSettings:
    settings = db.session.scalar(
        select(MediaSettings).where(MediaSettings.edition_id == edition.id)
    )
    if settings is None:
        settings = MediaSettings(
            edition_id=edition.id,
            applications_open_on=edition.start_date - timedelta(days=spec.opens_days_before),
            applications_close_on=edition.start_date - timedelta(days=spec.closes_days_before),
            max_documents=6,
            retention_days=spec.retention_days,
            contact_email="media@telecom-world.example",
        )
        db.session.add(settings)
        db.session.flush()
        created["media_settings"] += 1
    return settings


def _people(spec: MediaDemoSpec, plans: list[ApplicationPlan], created: Counter) -> dict:
    def existing() -> dict[str, int]:
        return dict(
            db.session.execute(
                select(Person.email, Person.id).where(Person.email.like(f"%.{spec.mail_domain}"))
            ).all()
        )

    people = existing()
    rows = [
        {
            "email": p.email, "full_name": p.full_name, "organisation_name": p.outlet_name,
            "job_title": p.job_title, "country": p.nationality,
            "job_function": JobFunction.OTHER, "sector": None, "accessibility_needs": "",
            "locale": None, "consent_at": p.created_at, "created_at": p.created_at,
            "updated_at": p.created_at,
        }
        for p in plans
        if p.email not in people
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(Person), rows)
        created["people"] += len(rows)
        people = existing()
    return people


def _reviewers() -> tuple[int | None, int | None]:
    reviewer = auth_services.get_user_by_email(REVIEWER_EMAIL)
    organizer = auth_services.get_user_by_email(current_app.config["DEMO_ORGANIZER_EMAIL"])
    return (reviewer.id if reviewer else None, organizer.id if organizer else None)


def load_media_demo(edition: Edition) -> dict[str, int]:
    """Insert what is missing of the edition's media accreditations; return counts created."""
    created: Counter = Counter()
    spec = SPECS.get(edition.slug)
    if spec is None:
        return dict.fromkeys(COUNT_KEYS, 0)
    settings = _settings(edition, spec, created)
    plans = plan_media(spec, edition)
    people = _people(spec, plans, created)
    reviewer_id, organizer_id = _reviewers()
    purged_at = datetime.combine(
        edition.end_date + timedelta(days=settings.retention_days), time(3), edition.tz
    ).astimezone(UTC)

    done = set(
        db.session.scalars(
            select(MediaApplication.person_id).where(MediaApplication.edition_id == edition.id)
        )
    )
    new = [p for p in plans if people[p.email] not in done]

    # The badges: granted as the approval did, then dated back to it.
    persons = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(Person.id.in_([people[p.email] for p in new if p.approved_at]))
        )
    }
    registration_ids: dict[int, int] = {}
    for plan in new:
        if plan.approved_at is None:
            continue
        person_id = people[plan.email]
        registration = grant_registration(
            persons[person_id], edition, RegistrationCategory.MEDIA, actor=None
        )
        registration.created_at = registration.confirmed_at = plan.approved_at
        registration.email_confirmed_at = registration.updated_at = plan.approved_at
        if plan.status == ApplicationStatus.REVOKED:
            withdraw_registration(registration.id, actor=None)
            registration.cancelled_at = registration.updated_at = plan.decided_at
        created["registrations"] += 1
        registration_ids[person_id] = registration.id
    db.session.flush()

    if new:
        rows = []
        for plan in new:
            person_id = people[plan.email]
            rows.append({
                "edition_id": edition.id, "person_id": person_id, "user_id": None,
                "status": plan.status, "full_name": plan.full_name, "job_title": plan.job_title,
                "nationality": plan.nationality, "phone": plan.phone,
                "outlet_name": plan.outlet_name, "outlet_type": plan.outlet_type,
                "outlet_country": plan.outlet_country, "outlet_website": plan.outlet_website,
                "role": plan.role, "press_card_number": plan.press_card_number,
                "press_card_expires_on": plan.press_card_expires_on, "bylines": plan.bylines,
                "consent_at": plan.created_at, "submitted_at": plan.submitted_at,
                "late": plan.late, "late_allowed_by_id": organizer_id if plan.late else None,
                "reviewer_id": organizer_id if plan.steps[1].by_organizer else reviewer_id,
                "info_request": plan.info_request, "decided_at": plan.decided_at,
                "rejection_reason": plan.rejection_reason, "decision_note": plan.decision_note,
                "registration_id": registration_ids.get(person_id),
                "documents_purged_at": purged_at, "created_at": plan.created_at,
                "updated_at": max(plan.decided_at, purged_at),
            })  # fmt: skip
        db.session.execute(insert(MediaApplication), rows)
        created["media_applications"] += len(rows)
        application_ids = dict(
            db.session.execute(
                select(MediaApplication.person_id, MediaApplication.id).where(
                    MediaApplication.edition_id == edition.id,
                    MediaApplication.person_id.in_([people[p.email] for p in new]),
                )
            ).all()
        )
        documents, steps = [], []
        for plan in new:
            application_id = application_ids[people[plan.email]]
            documents += [
                {
                    "application_id": application_id, "kind": d.kind, "stored_name": None,
                    "content_type": d.content_type, "size": d.size,
                    "original_name": d.original_name, "uploaded_at": d.uploaded_at,
                    "purged_at": purged_at,
                }
                for d in plan.documents
            ]  # fmt: skip
            for step in plan.steps:
                actor = None
                if step.by_reviewer:
                    actor = organizer_id if step.by_organizer else reviewer_id
                steps.append({
                    "application_id": application_id, "created_at": step.at, "actor_id": actor,
                    "from_status": step.from_status, "to_status": step.to_status,
                    "reason": step.reason, "message": step.message,
                })  # fmt: skip
        db.session.execute(insert(MediaDocument), documents)
        db.session.execute(insert(MediaReviewStep), steps)
        created["media_documents"] += len(documents)
        created["media_review_steps"] += len(steps)

    # Gate check-ins of the approved, one per person and day.
    seen = set(
        db.session.execute(
            select(CheckIn.person_id, CheckIn.day).where(
                CheckIn.edition_id == edition.id, CheckIn.point == CheckInPoint.GATE
            )
        ).all()
    )
    media_registrations = dict(
        db.session.execute(
            select(Registration.person_id, Registration.id).where(
                Registration.edition_id == edition.id,
                Registration.category == RegistrationCategory.MEDIA,
                Registration.person_id.in_([people[p.email] for p in plans if p.check_ins]),
            )
        ).all()
    )
    rows = []
    for plan in plans:
        person_id = people[plan.email]
        for moment in plan.check_ins:
            day = moment.astimezone(edition.tz).date()
            if (person_id, day) in seen or person_id not in media_registrations:
                continue
            seen.add((person_id, day))
            rows.append({
                "edition_id": edition.id, "person_id": person_id,
                "registration_id": media_registrations[person_id],
                "category": RegistrationCategory.MEDIA, "day": day, "point": CheckInPoint.GATE,
                "point_ref": "", "scanned_at": moment, "staff_id": None,
            })  # fmt: skip
    if rows:
        db.session.execute(insert(CheckIn), rows)
        created["check_ins"] += len(rows)

    db.session.commit()
    return {key: created[key] for key in COUNT_KEYS}
