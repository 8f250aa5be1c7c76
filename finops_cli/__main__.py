"""``python -m finops_cli``: the `finops` command."""

from finops_cli import main

main()
