"""The vocabulary of petition work: the enums every other module speaks.

Channels, categories, legal routes, procedures, outcomes, ratings, petitioner
kinds, stages and roles. Nothing here knows about cases; the rulebook, the
classification policy and the case model all import these names from here.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "TERMINAL",
    "AgreementKind",
    "Category",
    "Channel",
    "Outcome",
    "PetitionerKind",
    "Procedure",
    "Rating",
    "Role",
    "Route",
    "Stage",
    "UnitKind",
]


class Channel(enum.Enum):
    """How a petition arrived (Art. 17): 信息网络、书信、电话、传真、走访."""

    ONLINE = "online"
    LETTER = "letter"
    PHONE = "phone"
    FAX = "fax"
    VISIT = "visit"


class Category(enum.Enum):
    """The three classes of matter (Arts. 29-31)."""

    SUGGESTION = "suggestion"  # 建议意见类, Art. 29
    ACCUSATION = "accusation"  # 检举控告类, Art. 30
    APPEAL = "appeal"  # 申诉求决类, Art. 31


class Route(enum.Enum):
    """Where a matter goes: an appeal/demand by Art. 31 (1)-(6), an accusation, a suggestion.

    ``DISCIPLINE_INSPECTION`` (Arts. 22 ¶2, 30), ``SUGGESTION`` (Art. 29) and
    ``ACCUSATION`` (Art. 30) are not Art. 31 routes: an accusation is sent
    to the discipline inspection body (``DISCIPLINE_INSPECTION``, a route told
    on declining or forwarding) or accepted by the body with power to handle
    it (``ACCUSATION``); a suggestion is studied and replied to. Neither has
    the Art. 34 handling limit or a review.
    """

    LITIGATION = "litigation"  # (1) court, procuratorate, police procedure (诉访分离)
    ARBITRATION = "arbitration"  # (2)
    PARTY_DISCIPLINE = "party_discipline"  # (3) Party-member appeal / re-examination
    ADMINISTRATIVE = "administrative"  # (4) reconsideration, ruling, licensing, penalty, ...
    DUTY = "duty"  # (5) perform the duty or reply
    ORDINARY = "ordinary"  # (6) hear, investigate, written handling opinion
    #: 检举控告类: to discipline inspection or the competent body (Arts. 22 ¶2, 30).
    DISCIPLINE_INSPECTION = "discipline_inspection"
    #: 建议意见类: studied and replied to (Art. 29); no 60日 handling limit, no review.
    SUGGESTION = "suggestion"
    #: 检举控告类 accepted by the body with power to handle it (Art. 30: 依规依纪依法接收、
    #: 受理、办理和反馈): no Art. 34 handling limit, no review (复查/复核) windows.
    ACCUSATION = "accusation"


class UnitKind(enum.Enum):
    """What kind of body a unit is: whom a rulebook limit binds (Arts. 22-23).

    ``PETITION_DEPARTMENT``: 党委和政府信访部门 (Art. 22 binds it);
    ``OTHER``: 其他机关、单位 (Art. 23 ¶1-3 bind it); ``POLITICAL_LEGAL``:
    政法机关 and ``DISCIPLINE_INSPECTION``: 纪检监察机关, whose notices follow
    their own rules (Art. 23 ¶4). A unit's kind is its own: it is inherited
    by nothing (a bureau under a petition department is not one).
    """

    PETITION_DEPARTMENT = "petition_department"
    OTHER = "other"
    POLITICAL_LEGAL = "political_legal"
    DISCIPLINE_INSPECTION = "discipline_inspection"


class Procedure(enum.Enum):
    """Standard handling, or the simplified procedure (信访事项简易办理)."""

    STANDARD = "standard"
    SIMPLIFIED = "simplified"


class Outcome(enum.Enum):
    """A handling, review or re-review opinion (Art. 32)."""

    SUPPORT = "support"  # 支持
    EXPLAIN = "explain"  # 解释说明
    NOT_SUPPORTED = "not_supported"  # 不予支持


class Rating(enum.Enum):
    """The petitioner's rating of the handling (Art. 21)."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class AgreementKind(enum.Enum):
    """An agreement reached while handling an appeal/demand (Art. 33)."""

    MEDIATION = "mediation"  # 调解协议书
    RECONCILIATION = "reconciliation"  # 和解协议书


class PetitionerKind(enum.Enum):
    """A natural person, or a legal person / organisation (Art. 17)."""

    PERSON = "person"
    ORGANISATION = "organisation"


class Stage(enum.Enum):
    """Where a case stands in its procedure, as recorded.

    :func:`xinfang.deadlines.stage_as_of` adds what needs no record: a lapsed review window.
    """

    REGISTERED = "registered"
    FORWARDED = "forwarded"
    ASSIGNED = "assigned"
    OBJECTED = "objected"  # the receiving body objected: outside its remit
    DECLINED = "declined"
    ACCEPTED = "accepted"
    REPLIED = "replied"  # handling opinion issued
    REVIEW_REQUESTED = "review_requested"
    REVIEWED = "reviewed"
    REREVIEW_REQUESTED = "rereview_requested"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


TERMINAL: Final = frozenset({Stage.DECLINED, Stage.FINAL, Stage.WITHDRAWN})


class Role(enum.Enum):
    """A place in a case's responsibility chain.

    ``LEAD_OFFICIAL`` (包案领导), ``RESPONSIBLE_UNIT`` (责任单位) and
    ``RESPONSIBLE_PERSON`` (责任人) have one holder at a time; ``HANDLER``
    (承办人), ``LIAISON`` (联系领导, 一岗双责) and ``SUPERVISOR`` (督办, from a
    superior unit) may have several. The unit head's first responsibility
    (第一责任人) is derived, never assigned.
    """

    LEAD_OFFICIAL = "lead_official"
    RESPONSIBLE_UNIT = "responsible_unit"
    RESPONSIBLE_PERSON = "responsible_person"
    HANDLER = "handler"
    LIAISON = "liaison"
    SUPERVISOR = "supervisor"

    @property
    def single(self) -> bool:
        """Whether the role has one holder at a time (assigning again reassigns)."""
        return self in _SINGLE_ROLES


_SINGLE_ROLES: Final = frozenset(
    {Role.LEAD_OFFICIAL, Role.RESPONSIBLE_UNIT, Role.RESPONSIBLE_PERSON}
)
