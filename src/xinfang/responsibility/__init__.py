"""Who answers for each case: the organisation, the chain, recusal, confidentiality, escalation.

* :class:`Organization`: one tree of :class:`Unit` values (levels configurable)
  with their :class:`Official` s and liaison points (联系点, 一岗双责).
* The chain of a case is kept by the case's own events (``AssignRole``,
  ``ReleaseRole``); :func:`check_change` is what :func:`xinfang.apply` runs
  before recording one, so no recused official (回避, Art. 28 ¶3) and no
  accused person or official of an accused unit (Art. 30 ¶3) can get in.
* :func:`visibility` / :func:`can_view` / :func:`redact` keep an accusation
  from the accused; :func:`escalations` says who must be told now and why,
  strictly upward, skipping (and reporting) anyone recused or accused.
* :class:`AssignmentPolicy` and :class:`EscalationPolicy` are data (TOML).

The package, one job a module: :mod:`._organisation` (the tree of units and
officials, and its loader), :mod:`._chain` (the chain, recusal and
confidentiality), :mod:`._policies` (assignment and escalation).
"""

from __future__ import annotations

from xinfang.responsibility._chain import DEFAULT_SCOPE as DEFAULT_SCOPE
from xinfang.responsibility._chain import (
    AccusedScope,
    Interest,
    RedactedCase,
    Visibility,
    can_view,
    chain_as_of,
    check_change,
    check_forward,
    conflicts,
    excluded,
    first_responsible,
    redact,
    responsible_unit,
    visibility,
)
from xinfang.responsibility._organisation import (
    Official,
    Organization,
    Post,
    Unit,
    load_organization,
)
from xinfang.responsibility._policies import (
    AssignmentPolicy,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Skipped,
    escalation_policy,
    escalations,
    load_assignment_policy,
    load_escalation_policy,
    policy_gaps,
    proposed_assignments,
)

# DEFAULT_SCOPE (imported "as" itself above): a public name of the module before it was a
# package, importable from it as before, and as before not in ``__all__``.
__all__ = [
    "AccusedScope",
    "AssignmentPolicy",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Interest",
    "Official",
    "Organization",
    "Post",
    "RedactedCase",
    "Skipped",
    "Unit",
    "Visibility",
    "can_view",
    "chain_as_of",
    "check_change",
    "check_forward",
    "conflicts",
    "escalation_policy",
    "escalations",
    "excluded",
    "first_responsible",
    "load_assignment_policy",
    "load_escalation_policy",
    "load_organization",
    "policy_gaps",
    "proposed_assignments",
    "redact",
    "responsible_unit",
    "visibility",
]
