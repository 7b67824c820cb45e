"""lr_desk: the offline-first desk app for The Life Rooms pathways advisors."""

__version__ = "0.1.0"

ENV_DATA_DIR = "LR_DESK_DATA_DIR"  # where the data lives, if not --data-dir
