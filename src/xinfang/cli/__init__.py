"""The ``xinfang`` command: the library on the demo data or an office's own files.

    xinfang demo [--as-of DATE] [--format md|html|json] [--lang zh|en] [-o FILE]
                 [--export DIR [--force]]
    xinfang report LEDGER --campaign FILE --org FILE [--as-of DATE] [--format ...]
                   [--allow-unplaced]
    xinfang due LEDGER [--within N] [--as-of DATE] [--format text|json]
    xinfang classify CASE.json [--facts FACTS.json]
    xinfang validate LEDGER [--org FILE] [--campaign FILE]
    xinfang calendar [FILE ...] [--year YEAR] [--template]

Every command that counts days takes ``--calendar FILE`` (repeatable) and
``--strict-calendar``; every command that reads files takes ``--encoding``
(UTF-8 with or without a BOM by default) and ``-`` for standard input;
``-q`` / ``-v`` everywhere. Exit codes: 0 success, 1 invalid data, 2 bad
usage or a file that cannot be read or written (``docs/cli.md``).

A thin edge: it reads files, calls the library, writes text. It is the only
place that reads the clock (today's date), draws progress bars (tqdm, on a
terminal only) and configures logging (``--verbose``), for the length of
one run.

The package, one job per module:

- ``_main``: the top-level parser, ``COMMANDS`` and ``main`` (exit codes, errors);
- ``_files``: the commands on files (demo, report, due, classify, validate, calendar);
- ``_db``: the ``db`` commands (the journal store);
- ``_bulletins``: the bulletin shared by demo, report and db report;
- ``_due``: the clock list shared by due and db due;
- ``_options``: argument types, help texts and the shared parent parsers;
- ``_inputs``: files and standard input, encodings, ledgers, TOML, opening the store;
- ``_calendars``: the calendar a command counts on and the provisional note;
- ``_output``: standard output and files, messages, ``Exit`` and exit codes, progress;
- ``_clock``: the wall clock (tests replace ``_clock.wall_clock``), today, elapsed time.

To add a command: write a module (``_sheets.py``, say) with its ``_cmd_x(args)
-> int`` functions and an ``add_parsers(sub, shared)`` that calls
``sub.add_parser("x", parents=[shared.common, shared.reading, ...], help=...)``
and ``set_defaults(run=_cmd_x)``; then add its ``add_parsers`` to
``_main.COMMANDS`` (``--help`` lists the commands in that order). A command
stops with ``raise Exit(code, message)`` (``_output``), writes with ``out`` or
``write``, and reads with ``Input`` and the loaders of ``_inputs``.
"""

from __future__ import annotations

from xinfang.cli._calendars import TEMPLATE
from xinfang.cli._main import main, main_exit
from xinfang.cli._output import EXIT_DATA, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "TEMPLATE", "main", "main_exit"]
