"""xinfang: petition (信访) casework as pure, typed domain models.

Everything a host uses is importable from here, grouped below as in
``docs/api.md``. The submodules hold the implementation, one job each (see
``docs/architecture.md``); :mod:`xinfang.strategies` (hypothesis strategies
for hosts) and :mod:`xinfang.demo` (the demo corps) are reached as modules.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# calendars and periods
from xinfang.calendar import WorkCalendar, china_mainland, combine_calendars, load_calendar

# the campaign
from xinfang.campaign import (
    AgendaItem,
    Campaign,
    Listing,
    Progress,
    Snapshot,
    load_campaign,
    snapshot,
    trend,
)

# the case and its fold
from xinfang.case import Case, Hearing, Holding, Milestones, replay

# changes (the commands) and events
from xinfang.changes import (
    Accept,
    Assign,
    AssignRole,
    Categorize,
    Change,
    Claim,
    Decline,
    EndHearing,
    Event,
    Extend,
    Forward,
    IssueOpinion,
    IssueReReviewOpinion,
    IssueReviewOpinion,
    Notify,
    ObjectRemit,
    PlanMilestone,
    Rate,
    Register,
    Relapse,
    ReleaseRole,
    RequestReReview,
    RequestReview,
    SetPlan,
    Settle,
    SettlementPlan,
    StartHearing,
    Withdraw,
)

# classification
from xinfang.classification import (
    CaseFacts,
    Classification,
    Disposition,
    Policy,
    PolicyRule,
    Reason,
    Tactic,
    classify,
    default_policy,
    load_policy,
    rule_table,
)

# clocks
from xinfang.clocks import (
    Clock,
    ClockStatus,
    ClockTable,
    clock_table,
    clocks,
    limit_due,
    stage_as_of,
    window_closed,
)

# errors
from xinfang.errors import (
    CalendarDataError,
    CalendarRangeError,
    ConcurrencyError,
    ConfidentialityError,
    FinalityError,
    InvalidDataError,
    NaiveDatetimeError,
    OrganizationError,
    PeriodError,
    PolicyError,
    RecusalError,
    RulebookError,
    StoreError,
    TransitionError,
    UnknownCaseError,
    WindowClosedError,
    XinfangError,
)
from xinfang.periods import (
    DEFAULT_TIMEZONE,
    CountingRule,
    DueDate,
    Period,
    PeriodUnit,
    deadline_instant,
    due_date,
    local_date,
)

# personal data
from xinfang.personal import Petitioner, PhoneNumber, ResidentId

# the procedure
from xinfang.procedure import apply, open_case

# responsibility
from xinfang.responsibility import (
    AccusedScope,
    AssignmentPolicy,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Interest,
    Official,
    Organization,
    Post,
    RedactedCase,
    Skipped,
    Unit,
    Visibility,
    can_view,
    chain_as_of,
    conflicts,
    escalation_policy,
    escalations,
    excluded,
    first_responsible,
    load_assignment_policy,
    load_escalation_policy,
    load_organization,
    policy_gaps,
    proposed_assignments,
    redact,
    visibility,
)

# rulebooks
from xinfang.rulebook import (
    Limit,
    LimitKind,
    Rulebook,
    bundled_rulebook,
    bundled_rulebooks,
    load_rulebook,
)

# serialization (JSON, JSON Lines ledgers, JSON Schema)
from xinfang.serialization import (
    dump_ledger,
    from_dict,
    from_json,
    json_schema,
    load_ledger,
    to_dict,
    to_json,
)

# the journal store (SQLite by default, PostgreSQL with xinfang[postgres])
from xinfang.store import Store, init_store, open_store

# the vocabulary
from xinfang.vocabulary import (
    Category,
    Channel,
    Outcome,
    PetitionerKind,
    Procedure,
    Rating,
    Role,
    Route,
    Stage,
)

try:
    __version__ = version("xinfang")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_TIMEZONE",
    "Accept",
    "AccusedScope",
    "AgendaItem",
    "Assign",
    "AssignRole",
    "AssignmentPolicy",
    "CalendarDataError",
    "CalendarRangeError",
    "Campaign",
    "Case",
    "CaseFacts",
    "Categorize",
    "Category",
    "Change",
    "Channel",
    "Claim",
    "Classification",
    "Clock",
    "ClockStatus",
    "ClockTable",
    "ConcurrencyError",
    "ConfidentialityError",
    "CountingRule",
    "Decline",
    "Disposition",
    "DueDate",
    "EndHearing",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Event",
    "Extend",
    "FinalityError",
    "Forward",
    "Hearing",
    "Holding",
    "Interest",
    "InvalidDataError",
    "IssueOpinion",
    "IssueReReviewOpinion",
    "IssueReviewOpinion",
    "Limit",
    "LimitKind",
    "Listing",
    "Milestones",
    "NaiveDatetimeError",
    "Notify",
    "ObjectRemit",
    "Official",
    "Organization",
    "OrganizationError",
    "Outcome",
    "Period",
    "PeriodError",
    "PeriodUnit",
    "Petitioner",
    "PetitionerKind",
    "PhoneNumber",
    "PlanMilestone",
    "Policy",
    "PolicyError",
    "PolicyRule",
    "Post",
    "Procedure",
    "Progress",
    "Rate",
    "Rating",
    "Reason",
    "RecusalError",
    "RedactedCase",
    "Register",
    "Relapse",
    "ReleaseRole",
    "RequestReReview",
    "RequestReview",
    "ResidentId",
    "Role",
    "Route",
    "Rulebook",
    "RulebookError",
    "SetPlan",
    "Settle",
    "SettlementPlan",
    "Skipped",
    "Snapshot",
    "Stage",
    "StartHearing",
    "Store",
    "StoreError",
    "Tactic",
    "TransitionError",
    "Unit",
    "UnknownCaseError",
    "Visibility",
    "WindowClosedError",
    "Withdraw",
    "WorkCalendar",
    "XinfangError",
    "__version__",
    "apply",
    "bundled_rulebook",
    "bundled_rulebooks",
    "can_view",
    "chain_as_of",
    "china_mainland",
    "classify",
    "clock_table",
    "clocks",
    "combine_calendars",
    "conflicts",
    "deadline_instant",
    "default_policy",
    "due_date",
    "dump_ledger",
    "escalation_policy",
    "escalations",
    "excluded",
    "first_responsible",
    "from_dict",
    "from_json",
    "init_store",
    "json_schema",
    "limit_due",
    "load_assignment_policy",
    "load_calendar",
    "load_campaign",
    "load_escalation_policy",
    "load_ledger",
    "load_organization",
    "load_policy",
    "load_rulebook",
    "local_date",
    "open_case",
    "open_store",
    "policy_gaps",
    "proposed_assignments",
    "redact",
    "replay",
    "rule_table",
    "snapshot",
    "stage_as_of",
    "to_dict",
    "to_json",
    "trend",
    "visibility",
    "window_closed",
]
