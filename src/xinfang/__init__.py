"""xinfang: petition (信访) casework as pure, typed domain models.

Everything a host uses is importable from here, grouped below as in
``docs/api.md``. The submodules hold the implementation, one job each (see
``docs/architecture.md``); :mod:`xinfang.strategies` (hypothesis strategies
for hosts) and :mod:`xinfang.demo` (the demo corps) are reached as modules.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

# calendars and periods
from xinfang.calendar import WorkCalendar, china_mainland, combine_calendars, load_calendar

# the campaign
from xinfang.campaign import (
    AgendaItem,
    Campaign,
    Listing,
    ListingReason,
    Progress,
    Snapshot,
    SnapshotCounts,
    check_references,
    finish_snapshot,
    load_campaign,
    snapshot,
    snapshot_counts,
    trend,
)

# the case and its fold
from xinfang.case import Case, Hearing, Holding, Milestones, replay

# changes (the commands) and events
from xinfang.changes import (
    Accept,
    ApproveObjection,
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
    ReceiveForwarded,
    RecordAgreement,
    Register,
    Relapse,
    ReleaseRole,
    ReportBack,
    ReportProgress,
    RequestReReview,
    RequestReview,
    ReturnMaterials,
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
from xinfang.deadlines import (
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
    MissingDependencyError,
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
    responsible_unit,
    visibility,
)

# rulebooks
from xinfang.rulebook import (
    ExtensionBase,
    Finality,
    Limit,
    LimitKind,
    Rulebook,
    bundled_rulebook,
    bundled_rulebooks,
    load_rulebook,
)

# serialization (JSON, JSON Lines ledgers, JSON Schema)
from xinfang.serialization import (
    BadLine,
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
    AgreementKind,
    Category,
    Channel,
    Outcome,
    PetitionerKind,
    Procedure,
    Rating,
    Role,
    Route,
    Stage,
    UnitKind,
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
    "AgreementKind",
    "ApproveObjection",
    "Assign",
    "AssignRole",
    "AssignmentPolicy",
    "BadLine",
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
    "ExtensionBase",
    "Finality",
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
    "ListingReason",
    "Milestones",
    "MissingDependencyError",
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
    "ReceiveForwarded",
    "RecordAgreement",
    "RecusalError",
    "RedactedCase",
    "Register",
    "Relapse",
    "ReleaseRole",
    "ReportBack",
    "ReportProgress",
    "RequestReReview",
    "RequestReview",
    "ResidentId",
    "ReturnMaterials",
    "Role",
    "Route",
    "Rulebook",
    "RulebookError",
    "SetPlan",
    "Settle",
    "SettlementPlan",
    "Skipped",
    "Snapshot",
    "SnapshotCounts",
    "Stage",
    "StartHearing",
    "Store",
    "StoreError",
    "Tactic",
    "TransitionError",
    "Unit",
    "UnitKind",
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
    "check_references",
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
    "finish_snapshot",
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
    "responsible_unit",
    "rule_table",
    "snapshot",
    "snapshot_counts",
    "stage_as_of",
    "to_dict",
    "to_json",
    "trend",
    "visibility",
    "window_closed",
]

# the columnar engine (needs xinfang[columnar]: pyarrow), imported on first use so
# that a plain install imports xinfang without it. Not in __all__: a star import
# must not need pyarrow.
COLUMNAR_NAMES = (
    "CLOCKS_SCHEMA",
    "JOURNAL_SCHEMA",
    "MILESTONES_SCHEMA",
    "SWEEP_COLUMNS",
    "Journal",
    "Sweep",
    "journal_clocks",
    "journal_from_cases",
    "journal_from_store",
    "journal_from_table",
    "journal_snapshot",
    "journal_snapshot_counts",
    "load_journal",
    "read_journal",
    "sweep_table",
    "write_journal",
)

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.columnar import (
        CLOCKS_SCHEMA as CLOCKS_SCHEMA,
    )
    from xinfang.columnar import (
        JOURNAL_SCHEMA as JOURNAL_SCHEMA,
    )
    from xinfang.columnar import (
        MILESTONES_SCHEMA as MILESTONES_SCHEMA,
    )
    from xinfang.columnar import (
        SWEEP_COLUMNS as SWEEP_COLUMNS,
    )
    from xinfang.columnar import (
        Journal as Journal,
    )
    from xinfang.columnar import (
        Sweep as Sweep,
    )
    from xinfang.columnar import (
        journal_clocks as journal_clocks,
    )
    from xinfang.columnar import (
        journal_from_cases as journal_from_cases,
    )
    from xinfang.columnar import (
        journal_from_store as journal_from_store,
    )
    from xinfang.columnar import (
        journal_from_table as journal_from_table,
    )
    from xinfang.columnar import (
        journal_snapshot as journal_snapshot,
    )
    from xinfang.columnar import (
        journal_snapshot_counts as journal_snapshot_counts,
    )
    from xinfang.columnar import (
        load_journal as load_journal,
    )
    from xinfang.columnar import (
        read_journal as read_journal,
    )
    from xinfang.columnar import (
        sweep_table as sweep_table,
    )
    from xinfang.columnar import (
        write_journal as write_journal,
    )


def __getattr__(name: str) -> Any:
    """The columnar engine's names, imported on first use (PEP 562)."""
    if name not in COLUMNAR_NAMES:
        raise AttributeError(f"module 'xinfang' has no attribute {name!r}")
    try:
        columnar = importlib.import_module("xinfang.columnar")
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"xinfang.{name} needs pyarrow ({exc.name} is not installed): "
            "pip install 'xinfang[columnar]'",
            path=name,
            rule="optional dependency",
        ) from exc
    return getattr(columnar, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *COLUMNAR_NAMES})
