"""The ``tier-router`` command (also ``python -m shared_core``); see :mod:`.main`."""
