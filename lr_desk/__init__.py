"""lr_desk: the offline-first desk app for The Life Rooms pathways advisors."""

__version__ = "0.1.0"
