"""``python -m shared_core`` runs the ``tier-router`` command."""

from .cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
