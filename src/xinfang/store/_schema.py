"""The store's schema, as forward-only migrations per dialect.

Each dialect has an ordered tuple of migrations; migration ``n`` (1-based)
takes a database from schema version ``n - 1`` to ``n``. The version is kept
in the database (``xf_meta``, key ``schema_version``). A migration is never
edited once released: a change to the schema is a new migration at the end.
Migrating an empty database and a database at any earlier version give the
same schema (``tests/test_store_schema.py``).

Tables:

``xf_journal``
    one row per event: ``case_id``, ``seq`` (1, 2, ... without gaps),
    ``at`` (the business instant), ``recorded_at`` (when the database stored
    it), ``actor`` (who recorded it), ``kind`` (the change's code) and
    ``payload`` (the event as JSON, personal data in full). Primary key
    ``(case_id, seq)``. Triggers refuse every ``UPDATE`` and ``DELETE`` (and,
    on PostgreSQL, ``TRUNCATE``) and any insert that is not the next
    sequence number of its case.
``xf_case``
    one row per case (the projection): version, stage, units, flags, dates;
    since version 3 also ``last_report_on``, the day of the case's last
    progress report (进展情况), which a plan clock shows as its last report.
``xf_milestones``
    since version 4, one row per case: the fields of the columnar milestones
    companion (:data:`xinfang.columnar.COMPANION_SCHEMA`), days as integers
    (days since 1970-01-01), lists as JSON text (NULL when empty); see
    ``xinfang.store._milestones``.
``xf_clock``
    one row per clock still open when the case's last event was recorded.
``xf_idempotency``
    idempotency keys and the event each one recorded.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

# ---------------------------------------------------------------- SQLite
_SQLITE_1: Final = (
    """CREATE TABLE IF NOT EXISTS xf_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE xf_journal (
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        at TEXT NOT NULL,
        recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID""",
    """CREATE TRIGGER xf_journal_no_update BEFORE UPDATE ON xf_journal
    BEGIN SELECT RAISE(ABORT, 'xf_journal is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER xf_journal_no_delete BEFORE DELETE ON xf_journal
    BEGIN SELECT RAISE(ABORT, 'xf_journal is append-only: DELETE refused'); END""",
    """CREATE TRIGGER xf_journal_next_seq BEFORE INSERT ON xf_journal
    WHEN NEW.seq <> 1 + COALESCE(
        (SELECT MAX(seq) FROM xf_journal WHERE case_id = NEW.case_id), 0)
    BEGIN SELECT RAISE(ABORT, 'xf_journal: seq must be the next number of its case'); END""",
)

_SQLITE_2: Final = (
    """CREATE TABLE xf_case (
        case_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        stage TEXT NOT NULL,
        terminal INTEGER NOT NULL,
        unit TEXT NOT NULL,
        receiving_unit TEXT NOT NULL,
        handling_unit TEXT NOT NULL,
        responsible_unit TEXT,
        category TEXT,
        route TEXT,
        settled INTEGER NOT NULL,
        backlog INTEGER NOT NULL,
        flags TEXT NOT NULL,
        received_on TEXT NOT NULL,
        last_event_on TEXT NOT NULL,
        clock_error TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX xf_case_open_unit ON xf_case (unit, backlog) WHERE NOT terminal",
    "CREATE INDEX xf_case_clock_error ON xf_case (case_id) WHERE clock_error IS NOT NULL",
    """CREATE TABLE xf_clock (
        case_id TEXT NOT NULL REFERENCES xf_case (case_id),
        limit_key TEXT NOT NULL,
        started_on TEXT NOT NULL,
        nominal_on TEXT NOT NULL,
        due_on TEXT NOT NULL,
        paused INTEGER NOT NULL,
        paused_days INTEGER NOT NULL,
        extended_days INTEGER NOT NULL,
        provisional INTEGER NOT NULL,
        PRIMARY KEY (case_id, limit_key)
    ) WITHOUT ROWID""",
    "CREATE INDEX xf_clock_due ON xf_clock (due_on)",
    "CREATE INDEX xf_clock_paused ON xf_clock (case_id) WHERE paused",
    """CREATE TABLE xf_idempotency (
        key TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        FOREIGN KEY (case_id, seq) REFERENCES xf_journal (case_id, seq)
    ) WITHOUT ROWID""",
)

#: Version 3: the last progress report's day (NULL until the store re-projects the
#: journal, which it does in the migration's own transaction).
_SQLITE_3: Final = ("ALTER TABLE xf_case ADD COLUMN last_report_on TEXT",)

#: Version 4: the milestones projection, one row per case (``xf_milestones``: see
#: ``xinfang.store._milestones``), filled by re-projecting the journal in the migration's
#: own transaction.
_SQLITE_4: Final = (
    """CREATE TABLE xf_milestones (
        case_id TEXT PRIMARY KEY REFERENCES xf_case (case_id),
        events INTEGER NOT NULL,
        received INTEGER, forwarded INTEGER, assigned INTEGER, last_forwarded INTEGER,
        forward_received INTEGER, objection_approved INTEGER, materials_returned INTEGER,
        report_back_due INTEGER, reported_back INTEGER, declined INTEGER, remit_objected INTEGER,
        accepted INTEGER, notified INTEGER, forward_notified INTEGER, opinion_issued INTEGER,
        opinion_delivered INTEGER, review_requested INTEGER, review_opinion_issued INTEGER,
        review_delivered INTEGER, rereview_requested INTEGER, rereview_opinion_issued INTEGER,
        agreement_recorded INTEGER, settled INTEGER, withdrawn INTEGER, plan_set INTEGER,
        plan_due INTEGER, progress_reported INTEGER, last_event INTEGER,
        stage TEXT, route TEXT, category TEXT, procedure TEXT, channel TEXT, rating TEXT,
        receiving_unit_kind TEXT, forwarded_unit_kind TEXT, handling_unit_kind TEXT, outcome TEXT,
        is_settled INTEGER NOT NULL, beijing_visit INTEGER NOT NULL, skip_level INTEGER NOT NULL,
        identity_unclear INTEGER NOT NULL,
        extension_days INTEGER NOT NULL, extensions INTEGER NOT NULL, hearings INTEGER NOT NULL,
        deadline_moves INTEGER NOT NULL, plan_steps INTEGER NOT NULL,
        plan INTEGER NOT NULL,
        receiving_unit TEXT, handling_unit TEXT, responsible_unit TEXT,
        step_due TEXT, step_done TEXT, hearing_start TEXT, hearing_end TEXT,
        hearing_exact INTEGER NOT NULL, officials TEXT, plan_owner TEXT
    ) WITHOUT ROWID""",
)

# ---------------------------------------------------------------- PostgreSQL
_PG_1: Final = (
    """CREATE TABLE IF NOT EXISTS xf_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE xf_journal (
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL CHECK (seq >= 1),
        at TIMESTAMPTZ NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload JSONB NOT NULL,
        PRIMARY KEY (case_id, seq)
    )""",
    """CREATE FUNCTION xf_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'xf_journal is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER xf_journal_no_update_delete BEFORE UPDATE OR DELETE ON xf_journal
    FOR EACH ROW EXECUTE FUNCTION xf_journal_append_only()""",
    """CREATE TRIGGER xf_journal_no_truncate BEFORE TRUNCATE ON xf_journal
    FOR EACH STATEMENT EXECUTE FUNCTION xf_journal_append_only()""",
    """CREATE FUNCTION xf_journal_next_seq() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.seq <> 1 + COALESCE(
            (SELECT MAX(seq) FROM xf_journal WHERE case_id = NEW.case_id), 0) THEN
            RAISE EXCEPTION 'xf_journal: seq must be the next number of its case'
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER xf_journal_next_seq BEFORE INSERT ON xf_journal
    FOR EACH ROW EXECUTE FUNCTION xf_journal_next_seq()""",
)

_PG_2: Final = (
    """CREATE TABLE xf_case (
        case_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        stage TEXT NOT NULL,
        terminal BOOLEAN NOT NULL,
        unit TEXT NOT NULL,
        receiving_unit TEXT NOT NULL,
        handling_unit TEXT NOT NULL,
        responsible_unit TEXT,
        category TEXT,
        route TEXT,
        settled BOOLEAN NOT NULL,
        backlog BOOLEAN NOT NULL,
        flags TEXT NOT NULL,
        received_on DATE NOT NULL,
        last_event_on DATE NOT NULL,
        clock_error TEXT
    )""",
    "CREATE INDEX xf_case_open_unit ON xf_case (unit, backlog) WHERE NOT terminal",
    "CREATE INDEX xf_case_clock_error ON xf_case (case_id) WHERE clock_error IS NOT NULL",
    """CREATE TABLE xf_clock (
        case_id TEXT NOT NULL REFERENCES xf_case (case_id),
        limit_key TEXT NOT NULL,
        started_on DATE NOT NULL,
        nominal_on DATE NOT NULL,
        due_on DATE NOT NULL,
        paused BOOLEAN NOT NULL,
        paused_days INTEGER NOT NULL,
        extended_days INTEGER NOT NULL,
        provisional BOOLEAN NOT NULL,
        PRIMARY KEY (case_id, limit_key)
    )""",
    "CREATE INDEX xf_clock_due ON xf_clock (due_on)",
    "CREATE INDEX xf_clock_paused ON xf_clock (case_id) WHERE paused",
    """CREATE TABLE xf_idempotency (
        key TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        FOREIGN KEY (case_id, seq) REFERENCES xf_journal (case_id, seq)
    )""",
)

_PG_3: Final = ("ALTER TABLE xf_case ADD COLUMN last_report_on DATE",)

_PG_4: Final = (
    """CREATE TABLE xf_milestones (
        case_id TEXT PRIMARY KEY REFERENCES xf_case (case_id),
        events INTEGER NOT NULL,
        received INTEGER, forwarded INTEGER, assigned INTEGER, last_forwarded INTEGER,
        forward_received INTEGER, objection_approved INTEGER, materials_returned INTEGER,
        report_back_due INTEGER, reported_back INTEGER, declined INTEGER, remit_objected INTEGER,
        accepted INTEGER, notified INTEGER, forward_notified INTEGER, opinion_issued INTEGER,
        opinion_delivered INTEGER, review_requested INTEGER, review_opinion_issued INTEGER,
        review_delivered INTEGER, rereview_requested INTEGER, rereview_opinion_issued INTEGER,
        agreement_recorded INTEGER, settled INTEGER, withdrawn INTEGER, plan_set INTEGER,
        plan_due INTEGER, progress_reported INTEGER, last_event INTEGER,
        stage TEXT, route TEXT, category TEXT, procedure TEXT, channel TEXT, rating TEXT,
        receiving_unit_kind TEXT, forwarded_unit_kind TEXT, handling_unit_kind TEXT, outcome TEXT,
        is_settled BOOLEAN NOT NULL, beijing_visit BOOLEAN NOT NULL, skip_level BOOLEAN NOT NULL,
        identity_unclear BOOLEAN NOT NULL,
        extension_days INTEGER NOT NULL, extensions INTEGER NOT NULL, hearings INTEGER NOT NULL,
        deadline_moves INTEGER NOT NULL, plan_steps INTEGER NOT NULL,
        plan SMALLINT NOT NULL,
        receiving_unit TEXT, handling_unit TEXT, responsible_unit TEXT,
        step_due TEXT, step_done TEXT, hearing_start TEXT, hearing_end TEXT,
        hearing_exact BOOLEAN NOT NULL, officials TEXT, plan_owner TEXT
    )""",
    # The sequence check once per statement over its new rows (issue 25), not once
    # per row: the same guarantee (every case's seqs are 1..n without gaps), the
    # same name, errcode and message. Within a statement a case's new seqs follow
    # each other; the first of them is 1 or follows a stored one; the primary key
    # refuses a seq stored twice. So a statement adds exactly the next numbers.
    "DROP TRIGGER xf_journal_next_seq ON xf_journal",
    """CREATE OR REPLACE FUNCTION xf_journal_next_seq() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM (
                SELECT case_id, seq, lag(seq) OVER (PARTITION BY case_id ORDER BY seq) AS prev
                FROM xf_new_journal_rows
            ) n
            WHERE CASE WHEN n.prev IS NULL
                THEN n.seq <> 1 AND NOT EXISTS (
                    SELECT 1 FROM xf_journal j WHERE j.case_id = n.case_id AND j.seq = n.seq - 1)
                ELSE n.seq <> n.prev + 1 END
        ) THEN
            RAISE EXCEPTION 'xf_journal: seq must be the next number of its case'
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER xf_journal_next_seq AFTER INSERT ON xf_journal
    REFERENCING NEW TABLE AS xf_new_journal_rows
    FOR EACH STATEMENT EXECUTE FUNCTION xf_journal_next_seq()""",
)

#: dialect → the migrations, in order; migration ``i`` leads to version ``i + 1``.
MIGRATIONS: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "sqlite": (_SQLITE_1, _SQLITE_2, _SQLITE_3, _SQLITE_4),
    "postgresql": (_PG_1, _PG_2, _PG_3, _PG_4),
}

#: The schema version this code writes and reads.
SCHEMA_VERSION: Final = 4
