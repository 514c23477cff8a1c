"""The General Secretariat's strategic plan, Tables 7.1 and 7.2 of the plan chapter, as data.

Written out here rather than read from the chapter at run time: the chapter is
not shipped with the application, and a reviewed copy cannot change by
accident. `telecom.plan.services.load_plan` writes it to the database.

Texts follow Table 7.2 (its bullets, in its order), with the HTML, the bullet
marks, footnote marks and trailing separators removed; titles are those of
sections 7.3.1-7.3.6. Table 7.1 assigns the same outputs to the same
objectives. Objective 6's KPIs are computed by the KPI engine: `engine_key` is
the KPI group of `telecom.kpi.figures.HEADLINES` whose headline figure is the
KPI's value, and `unit` says what that figure counts ("currency" is the
edition's own currency). The other KPIs take values entered by organizers.
"""

from __future__ import annotations

from typing import NamedTuple


class KpiSpec(NamedTuple):
    text: str
    engine_key: str | None = None
    unit: str = ""


class ObjectiveSpec(NamedTuple):
    number: int
    title: str
    outputs: tuple[str, ...]
    expected_results: tuple[str, ...]
    kpis: tuple[KpiSpec, ...]


PLAN: tuple[ObjectiveSpec, ...] = (
    ObjectiveSpec(
        1,
        "Overall management and coordination of the activities of the Union, ensuring that "
        "the goals and objectives of the strategic plan are met",
        ("Management, coordination and representation of the Union",),
        (
            "Overall effective management and coordination of intersectoral activities of the "
            "Union",
            "Establish and implement a comprehensive internal audit plan in accordance with IIA "
            "standards",
            "Updated appropriate legal frameworks in place for the functioning and management of "
            "the Union",
            "Reinforce and promote the ethics policies and ensure that they are clearly understood "
            "throughout ITU",
        ),
        (
            KpiSpec("Execution of the strategic plan, in accordance with the approved budget"),
            KpiSpec("Internal audit plan established and related audit reports issued"),
            KpiSpec("Timely filing of legal instruments, contracts and other agreements"),
            KpiSpec(
                "Develop and implement policies, standards, procedures and practices on ethics as "
                "well as outreach, training and education"
            ),
        ),
    ),
    ObjectiveSpec(
        2,
        "Efficient planning, coordination and execution of the corporate, strategic, external "
        "relations, communication and intersectoral activities of the Union",
        (
            "Organization; provision of inputs, secretariat, protocol and communication services "
            "for TELECOM, PP, Council, WTPF and WCIT",
            "Corporate governance and relations with Member States, Sector Members, Associates and "
            "other entities, the UN and other international organizations",
            "External affairs and communications services",
            "Emerging trends and ICT evolution",
            "Organization and coordination of ITU's participation in WSIS activities",
            "Corporate strategic planning and evaluation",
            "Coordination of intersectoral activities",
        ),
        (
            "Awareness among all targeted audiences of ITU programmes, activities and issues",
            "Preparation of the ITU strategic plan and effective monitoring of progress in its "
            "implementation",
            "Effective coordination of intersectoral activities",
            "Effective management of the organization of Council, PP meetings and the "
            "implementation of decisions",
            "Greater recognition of ITU's leadership role in ICT",
            "Effective communication channels, including existing and new methods of "
            "communicating the ITU Vision",
            "Membership satisfaction increases year by year (baseline: 2011 value)",
            "Yearly increase of the number and quality/impact of intersectoral activities "
            "(baseline: Trend from 2008 to 2011)",
        ),
        (
            KpiSpec(
                "Number of requests for ITU participation/viewpoint in various international "
                "forums and meetings"
            ),
            KpiSpec("Adherence to Council and PP deadlines for implementation of actions"),
            KpiSpec("ITU recognized as the leader in ICT"),
            KpiSpec("Membership satisfaction"),
            KpiSpec("Ratio of reports, resolutions, etc. endorsed/presented for endorsement"),
            KpiSpec(
                "Level of satisfaction (survey) of delegates and attendees of main conferences"
            ),
            KpiSpec("Media coverage of ITU activities"),
            KpiSpec(
                "Number and quality/impact of intersectoral activities undertaken by sub-output "
                "(cybersecurity, climate change, etc.)"
            ),
            KpiSpec("Increasing total readership numbers"),
        ),
    ),
    ObjectiveSpec(
        3,
        "Providing support to, and delivering, efficient and accessible conferences, meetings, "
        "documentation and publications, including multilingual ones",
        (
            "Requisite linguistic and logistical services for conferences, meetings and events",
            "Translation and text-processing services for production of documentation and other "
            "materials in the six languages of the Union",
            "Composition, editing, production, printing, publishing and sales and marketing "
            "services for paper and electronic publications in the six languages of the Union",
        ),
        (
            "Efficient and cost-effective management of conferences and meetings",
            "Provision of quality translation and interpretation services in the six languages of "
            "the Union",
            "Timely delivery of high-quality documentation and publications in the six languages "
            "of the Union",
            "Continued improvement in sales and marketing processes, wide dissemination of ITU "
            "publications and increased revenue from sales",
        ),
        (
            KpiSpec("Meetings on budget with positive participant feedback"),
            KpiSpec(
                "Client satisfaction with the quality of translation and interpretation services"
            ),
            KpiSpec("Documents delivered within established/agreed deadlines"),
            KpiSpec("Sales figures and sales revenue in relation to budget targets"),
        ),
    ),
    ObjectiveSpec(
        4,
        "Effective and efficient use of human, financial and capital resources of the Union",
        (
            "Budget and accounting guidelines in place",
            "Staff regulations and HR administrative manual in place",
            "Long-term plan for maintenance of ITU buildings created",
            "Security plan in place",
        ),
        (
            "Efficient use of the financial resources of the Union",
            "Effective and efficient use and management of the human resources of the Union",
            "Proper management of ITU plant and equipment",
            "Effective security protocols in place",
        ),
        (
            KpiSpec("Annual audit of the accounts is unqualified"),
            KpiSpec("Annual budget is not over-spent"),
            KpiSpec(
                "Annual survey of MCG members rates performance of HR divisions as satisfactory "
                "or better"
            ),
            KpiSpec("ITU facilities in good repair"),
            KpiSpec("No major security incidents in a year"),
        ),
    ),
    ObjectiveSpec(
        5,
        "Providing information and communication technology (ICT) services to support the "
        "mission and activities of the Union",
        (
            "Information services for PP, Council and CWGs, and world conferences (WCIT and WTPF)",
            "Information services for the corporate governance, strategy and communications "
            "activities of the Union",
        ),
        (
            "Highly reliable computer systems and network, including reliability, data backup, "
            "disaster recovery and archiving",
            "ICT support for conferences and meetings, including rapid access to documents and "
            'support for the "paperless office"',
            "Effective information exchange for participants of ITU study groups, conferences and "
            "other collaborative and consultative fora",
            "Effective support to ITU office systems, including training, helpdesk and other "
            "support functions",
            "Effective support for core ITU ICT functions, including Sector databases and system "
            "as well as SAP functional systems",
        ),
        (
            KpiSpec("Network and data availability meet or exceed industry standards"),
            KpiSpec("Documents for meetings available 24/7 in paperless mode"),
            KpiSpec("Number of users, downloads and website visits increasing"),
            KpiSpec(
                "Continual reduction of the total cost of ownership (TCO) for ITU office systems"
            ),
            KpiSpec("Systems operational within standards established in ITU SLAs"),
            KpiSpec(
                "Reduction, to the extent possible, of spam, viruses and botware from the ITU "
                "computer system"
            ),
        ),
    ),
    ObjectiveSpec(
        6,
        "Providing a platform where stakeholders from across the ICT industry and operators can "
        "connect, debate, share strategies, explore the latest technologies, do business and "
        "ultimately address the global challenges",
        (
            "ITU TELECOM World 2013",
            "ITU TELECOM World 2015",
            "Establishing and managing relationships with the broader ICT community to build "
            "relevance and momentum towards TELECOM events",
            "Leveraging TELECOM assets to strengthen other ITU events, as required",
        ),
        (
            "Strengthened TELECOM brand",
            "New products and positioning for industry",
            "New strategic partnerships across the ICT industry",
            "New business model",
            "Improved financial position",
            "Expanded customer portfolio extending into different market sectors (such as "
            "e-health or education)",
        ),
        (
            KpiSpec("Candidate venues", "candidate_venues", "count"),
            KpiSpec(
                "Satisfaction and number of exhibitors categorized in terms of their annual "
                "turnover",
                "exhibitors",
                "count",
            ),
            KpiSpec("Size of exhibition", "exhibition_size", "sqm"),
            KpiSpec("Trade visitors", "trade_visitors", "count"),
            KpiSpec("VIPs", "vips", "count"),
            KpiSpec("Number and satisfaction of forum participants", "forum", "count"),
            KpiSpec("Accredited media", "accredited_media", "count"),
            KpiSpec("Total participants", "total_participants", "count"),
            KpiSpec("Web traffic to and activity on TELECOM sites", "web_traffic", "count"),
            KpiSpec("Financial result", "financial_result", "currency"),
        ),
    ),
)
