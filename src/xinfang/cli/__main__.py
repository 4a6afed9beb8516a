"""``python -m xinfang.cli``: the ``xinfang`` command."""

from xinfang.cli._main import main_exit

main_exit()
