"""``python -m streams`` is the ``newsflow`` command."""

from streams.cli import main

main()
