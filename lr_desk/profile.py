"""Opening a profile's store ready for work (no Qt): services.profiles, named here too
for the entry point, the command line and scripts."""

from lr_desk.services.profiles import open_store  # noqa: F401
