"""Student-facing checks, one module per lab: `from labutils.checks import lab01`."""
