"""`python -m app` is the stackgate command."""

from app.cli import main

main()
