"""``python -m cortexdb.cli``: the ``cortexdb`` command."""

from . import main

main()
