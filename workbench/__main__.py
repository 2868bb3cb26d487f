"""``python -m workbench``: the same command line as the ``workbench`` script."""

from .cli import entry

entry()
