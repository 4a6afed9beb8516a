"""xinfang: petition (信访) casework as pure, typed domain models.

The top level holds the names a host needs first (``__all__``, about forty):
the case, its changes and ``apply``/``replay``, clocks and due dates,
calendars, rulebooks, ``classify``, the campaign snapshot, JSON in and out,
the errors, ``open_store`` and ``load_journal``. Everything else is imported
from the submodule that owns it (``xinfang.changes``, ``xinfang.calendar``,
``xinfang.responsibility``, ``xinfang.store``, ``xinfang.columnar`` ...), each
with its own ``__all__``; ``docs/api.md`` lists them all.

Nothing is imported until it is first used (PEP 562), so ``import xinfang``
costs a few milliseconds and never imports numpy, pyarrow, psycopg or the
holiday data. Names that used to live here keep working for one release with
a ``DeprecationWarning`` naming their owner (``MOVED``).
"""

import importlib as _importlib
import typing as _typing
import warnings as _warnings

#: The names a host needs first, by owning module (imported on first use).
EXPORTS: dict[str, str] = {
    # the case and its changes
    "Case": "xinfang.case",
    "Change": "xinfang.changes",
    "Event": "xinfang.changes",
    "apply": "xinfang.procedure",
    "open_case": "xinfang.procedure",
    "replay": "xinfang.case",
    # clocks and due dates
    "Clock": "xinfang.deadlines",
    "ClockStatus": "xinfang.deadlines",
    "clock_table": "xinfang.deadlines",
    "clocks": "xinfang.deadlines",
    "due_date": "xinfang.periods",
    # calendars and rulebooks
    "WorkCalendar": "xinfang.calendar",
    "china_mainland": "xinfang.calendar",
    "load_calendar": "xinfang.calendar",
    "Rulebook": "xinfang.rulebook",
    "bundled_rulebook": "xinfang.rulebook",
    "load_rulebook": "xinfang.rulebook",
    # classification
    "CaseFacts": "xinfang.classification",
    "classify": "xinfang.classification",
    # the campaign and the organisation
    "Campaign": "xinfang.campaign",
    "Organization": "xinfang.responsibility",
    "Snapshot": "xinfang.campaign",
    "load_campaign": "xinfang.campaign",
    "load_organization": "xinfang.responsibility",
    "snapshot": "xinfang.campaign",
    # JSON in and out
    "dump_ledger": "xinfang.serialization",
    "from_dict": "xinfang.serialization",
    "from_json": "xinfang.serialization",
    "load_ledger": "xinfang.serialization",
    "to_dict": "xinfang.serialization",
    "to_json": "xinfang.serialization",
    # errors (the rest: xinfang.errors)
    "InvalidDataError": "xinfang.errors",
    "MissingDependencyError": "xinfang.errors",
    "TransitionError": "xinfang.errors",
    "XinfangError": "xinfang.errors",
    # the journal store
    "Store": "xinfang.store",
    "open_store": "xinfang.store",
}

#: Names of the columnar engine (``xinfang[columnar]``, pyarrow) served here:
#: imported on first use, not in ``__all__`` (a star import must not need pyarrow).
OPTIONAL_EXPORTS: dict[str, str] = {"load_journal": "xinfang.columnar"}

#: Names the top level held before it was cut to the ones a host needs first:
#: each still works from here for one release, with a DeprecationWarning
#: naming the module that owns it.
MOVED: dict[str, str] = {
    "combine_calendars": "xinfang.calendar",
    "AgendaItem": "xinfang.campaign",
    "Listing": "xinfang.campaign",
    "ListingReason": "xinfang.campaign",
    "Progress": "xinfang.campaign",
    "SnapshotCounts": "xinfang.campaign",
    "check_references": "xinfang.campaign",
    "finish_snapshot": "xinfang.campaign",
    "snapshot_counts": "xinfang.campaign",
    "trend": "xinfang.campaign",
    "Hearing": "xinfang.case",
    "Holding": "xinfang.case",
    "Milestones": "xinfang.case",
    "Accept": "xinfang.changes",
    "ApproveObjection": "xinfang.changes",
    "Assign": "xinfang.changes",
    "AssignRole": "xinfang.changes",
    "Categorize": "xinfang.changes",
    "Claim": "xinfang.changes",
    "Decline": "xinfang.changes",
    "EndHearing": "xinfang.changes",
    "Extend": "xinfang.changes",
    "Forward": "xinfang.changes",
    "IssueOpinion": "xinfang.changes",
    "IssueReReviewOpinion": "xinfang.changes",
    "IssueReviewOpinion": "xinfang.changes",
    "Notify": "xinfang.changes",
    "ObjectRemit": "xinfang.changes",
    "PlanMilestone": "xinfang.changes",
    "Rate": "xinfang.changes",
    "ReceiveForwarded": "xinfang.changes",
    "RecordAgreement": "xinfang.changes",
    "Register": "xinfang.changes",
    "Relapse": "xinfang.changes",
    "ReleaseRole": "xinfang.changes",
    "ReportBack": "xinfang.changes",
    "ReportProgress": "xinfang.changes",
    "RequestReReview": "xinfang.changes",
    "RequestReview": "xinfang.changes",
    "ReturnMaterials": "xinfang.changes",
    "SetPlan": "xinfang.changes",
    "Settle": "xinfang.changes",
    "SettlementPlan": "xinfang.changes",
    "StartHearing": "xinfang.changes",
    "Withdraw": "xinfang.changes",
    "Classification": "xinfang.classification",
    "Disposition": "xinfang.classification",
    "Policy": "xinfang.classification",
    "PolicyRule": "xinfang.classification",
    "Reason": "xinfang.classification",
    "Tactic": "xinfang.classification",
    "default_policy": "xinfang.classification",
    "load_policy": "xinfang.classification",
    "rule_table": "xinfang.classification",
    "CLOCKS_SCHEMA": "xinfang.columnar",
    "JOURNAL_SCHEMA": "xinfang.columnar",
    "Journal": "xinfang.columnar",
    "MILESTONES_SCHEMA": "xinfang.columnar",
    "SWEEP_COLUMNS": "xinfang.columnar",
    "Sweep": "xinfang.columnar",
    "journal_clocks": "xinfang.columnar",
    "journal_from_cases": "xinfang.columnar",
    "journal_from_store": "xinfang.columnar",
    "journal_from_table": "xinfang.columnar",
    "journal_snapshot": "xinfang.columnar",
    "journal_snapshot_counts": "xinfang.columnar",
    "read_journal": "xinfang.columnar",
    "sweep_table": "xinfang.columnar",
    "write_journal": "xinfang.columnar",
    "ClockTable": "xinfang.deadlines",
    "limit_due": "xinfang.deadlines",
    "stage_as_of": "xinfang.deadlines",
    "window_closed": "xinfang.deadlines",
    "CalendarDataError": "xinfang.errors",
    "CalendarRangeError": "xinfang.errors",
    "ConcurrencyError": "xinfang.errors",
    "ConfidentialityError": "xinfang.errors",
    "FinalityError": "xinfang.errors",
    "NaiveDatetimeError": "xinfang.errors",
    "OrganizationError": "xinfang.errors",
    "PeriodError": "xinfang.errors",
    "PolicyError": "xinfang.errors",
    "RecusalError": "xinfang.errors",
    "RulebookError": "xinfang.errors",
    "StoreError": "xinfang.errors",
    "UnknownCaseError": "xinfang.errors",
    "WindowClosedError": "xinfang.errors",
    "CountingRule": "xinfang.periods",
    "DEFAULT_TIMEZONE": "xinfang.periods",
    "DueDate": "xinfang.periods",
    "Period": "xinfang.periods",
    "PeriodUnit": "xinfang.periods",
    "deadline_instant": "xinfang.periods",
    "local_date": "xinfang.periods",
    "Petitioner": "xinfang.personal",
    "PhoneNumber": "xinfang.personal",
    "ResidentId": "xinfang.personal",
    "AccusedScope": "xinfang.responsibility",
    "AssignmentPolicy": "xinfang.responsibility",
    "Escalation": "xinfang.responsibility",
    "EscalationPolicy": "xinfang.responsibility",
    "EscalationStep": "xinfang.responsibility",
    "Interest": "xinfang.responsibility",
    "Official": "xinfang.responsibility",
    "Post": "xinfang.responsibility",
    "RedactedCase": "xinfang.responsibility",
    "Skipped": "xinfang.responsibility",
    "Unit": "xinfang.responsibility",
    "Visibility": "xinfang.responsibility",
    "can_view": "xinfang.responsibility",
    "chain_as_of": "xinfang.responsibility",
    "conflicts": "xinfang.responsibility",
    "escalation_policy": "xinfang.responsibility",
    "escalations": "xinfang.responsibility",
    "excluded": "xinfang.responsibility",
    "first_responsible": "xinfang.responsibility",
    "load_assignment_policy": "xinfang.responsibility",
    "load_escalation_policy": "xinfang.responsibility",
    "policy_gaps": "xinfang.responsibility",
    "proposed_assignments": "xinfang.responsibility",
    "redact": "xinfang.responsibility",
    "responsible_unit": "xinfang.responsibility",
    "visibility": "xinfang.responsibility",
    "ExtensionBase": "xinfang.rulebook",
    "Finality": "xinfang.rulebook",
    "Limit": "xinfang.rulebook",
    "LimitKind": "xinfang.rulebook",
    "bundled_rulebooks": "xinfang.rulebook",
    "BadLine": "xinfang.serialization",
    "json_schema": "xinfang.serialization",
    "init_store": "xinfang.store",
    "AgreementKind": "xinfang.vocabulary",
    "Category": "xinfang.vocabulary",
    "Channel": "xinfang.vocabulary",
    "Outcome": "xinfang.vocabulary",
    "PetitionerKind": "xinfang.vocabulary",
    "Procedure": "xinfang.vocabulary",
    "Rating": "xinfang.vocabulary",
    "Role": "xinfang.vocabulary",
    "Route": "xinfang.vocabulary",
    "Stage": "xinfang.vocabulary",
    "UnitKind": "xinfang.vocabulary",
}

#: The public submodules, reached as attributes (``xinfang.changes.Accept``).
SUBMODULES: tuple[str, ...] = (
    "calendar",
    "campaign",
    "case",
    "changes",
    "cli",
    "classification",
    "columnar",
    "convert",
    "deadlines",
    "demo",
    "errors",
    "instants",
    "periods",
    "personal",
    "procedure",
    "report",
    "responsibility",
    "rulebook",
    "serialization",
    "sheets",
    "store",
    "strategies",
    "transitions",
    "vocabulary",
    "web",
)

#: The same names as EXPORTS, written out for static tools (a test checks they agree).
__all__ = [
    "Campaign",
    "Case",
    "CaseFacts",
    "Change",
    "Clock",
    "ClockStatus",
    "Event",
    "InvalidDataError",
    "MissingDependencyError",
    "Organization",
    "Rulebook",
    "Snapshot",
    "Store",
    "TransitionError",
    "WorkCalendar",
    "XinfangError",
    "__version__",
    "apply",
    "bundled_rulebook",
    "china_mainland",
    "classify",
    "clock_table",
    "clocks",
    "due_date",
    "dump_ledger",
    "from_dict",
    "from_json",
    "load_calendar",
    "load_campaign",
    "load_ledger",
    "load_organization",
    "load_rulebook",
    "open_case",
    "open_store",
    "replay",
    "snapshot",
    "to_dict",
    "to_json",
]

if _typing.TYPE_CHECKING:  # pragma: no cover - what a type checker sees of the lazy names
    from xinfang.calendar import WorkCalendar as WorkCalendar
    from xinfang.calendar import china_mainland as china_mainland
    from xinfang.calendar import load_calendar as load_calendar
    from xinfang.campaign import Campaign as Campaign
    from xinfang.campaign import Snapshot as Snapshot
    from xinfang.campaign import load_campaign as load_campaign
    from xinfang.campaign import snapshot as snapshot
    from xinfang.case import Case as Case
    from xinfang.case import replay as replay
    from xinfang.changes import Change as Change
    from xinfang.changes import Event as Event
    from xinfang.classification import CaseFacts as CaseFacts
    from xinfang.classification import classify as classify
    from xinfang.columnar import load_journal as load_journal
    from xinfang.deadlines import Clock as Clock
    from xinfang.deadlines import ClockStatus as ClockStatus
    from xinfang.deadlines import clock_table as clock_table
    from xinfang.deadlines import clocks as clocks
    from xinfang.errors import InvalidDataError as InvalidDataError
    from xinfang.errors import MissingDependencyError as MissingDependencyError
    from xinfang.errors import TransitionError as TransitionError
    from xinfang.errors import XinfangError as XinfangError
    from xinfang.periods import due_date as due_date
    from xinfang.procedure import apply as apply
    from xinfang.procedure import open_case as open_case
    from xinfang.responsibility import Organization as Organization
    from xinfang.responsibility import load_organization as load_organization
    from xinfang.rulebook import Rulebook as Rulebook
    from xinfang.rulebook import bundled_rulebook as bundled_rulebook
    from xinfang.rulebook import load_rulebook as load_rulebook
    from xinfang.serialization import dump_ledger as dump_ledger
    from xinfang.serialization import from_dict as from_dict
    from xinfang.serialization import from_json as from_json
    from xinfang.serialization import load_ledger as load_ledger
    from xinfang.serialization import to_dict as to_dict
    from xinfang.serialization import to_json as to_json
    from xinfang.store import Store as Store
    from xinfang.store import open_store as open_store

    __version__: str


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xinfang")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> "_typing.Any":
    """Import a top-level name, a moved name (with a warning) or a submodule on first use."""
    if name in EXPORTS:
        value = getattr(_importlib.import_module(EXPORTS[name]), name)
        globals()[name] = value  # later reads are plain attribute reads
        return value
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    if name in OPTIONAL_EXPORTS:
        return getattr(_owner(OPTIONAL_EXPORTS[name], name), name)
    if name in MOVED:
        owner = MOVED[name]
        _warnings.warn(
            f"xinfang.{name} moved: import it from {owner} "
            f"(from {owner} import {name}); the top level keeps only the names "
            "a host needs first, and this alias goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_owner(owner, name), name)
    if name in SUBMODULES:
        return _importlib.import_module(f"xinfang.{name}")
    raise AttributeError(f"module 'xinfang' has no attribute {name!r}")


def _owner(module: str, name: str) -> "_typing.Any":
    """Import ``module``; the columnar engine's absence is named as its extra."""
    if module != "xinfang.columnar":
        return _importlib.import_module(module)
    from xinfang.errors import MissingDependencyError

    try:
        return _importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"xinfang.{name} needs pyarrow ({exc.name} is not installed): "
            "pip install 'xinfang[columnar]'",
            path=name,
            rule="optional dependency",
        ) from exc


def __dir__() -> list[str]:
    return sorted({*__all__, *OPTIONAL_EXPORTS, *SUBMODULES})
