"""Where a profile's data and logs live. Light: the entry point uses it before the
sign-in box, so platformdirs (for the default folder) and logging.handlers (the log's
rotation, set up behind the box: ``rotate_log``) are imported only when used."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from lr_desk import ENV_DATA_DIR
from lr_desk.store.private import make_private, owner_only, private_dir, private_file

APP_NAME = "lr_desk"
APP_AUTHOR = "MerseyCare"
LOG_NAME = "lr_desk.log"
LOG_HANDLER = "lr_desk profile log"  # the name of the root logger's handler for it
LOG_BYTES, LOG_KEPT = 2_000_000, 5  # rolled over at 2 MB, five before kept


def data_dir(explicit: str | os.PathLike | None = None, demo: bool = False) -> Path:
    """``--data-dir``, else $LR_DESK_DATA_DIR, else the platform's user data folder.
    The demo profile is a separate ``demo`` folder inside it."""
    base = explicit or os.environ.get(ENV_DATA_DIR)
    if not base:
        import platformdirs

        base = platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)
    return Path(base) / "demo" if demo else Path(base)


TRANSLATIONS = "locale"  # the sheet's translations outside the program: <code>/LC_MESSAGES


def translation_dirs() -> list[Path]:
    """Folders outside the program where the service puts a corrected or a new
    translation of the sheet (``<code>/LC_MESSAGES/sheet.po``), the first that has a
    language's file winning over the rest and over the one shipped: the account's own
    data folder's ``locale`` (``data_dir()``: %LOCALAPPDATA%\\MerseyCare\\lr_desk,
    ~/.local/share/lr_desk), then the machine's, where IT deploys for everyone
    (platformdirs' site data folder: C:\\ProgramData\\MerseyCare\\lr_desk,
    /usr/local/share/lr_desk)."""
    import platformdirs

    return [data_dir() / TRANSLATIONS,
            Path(platformdirs.site_data_dir(APP_NAME, APP_AUTHOR)) / TRANSLATIONS]


def setup_logging(folder: Path, rotate: bool = True) -> None:
    """Logging to the profile's logs folder. The first thing done at start, so here the
    process makes everything from now on owner-only, and the profile made before (or
    copied in) is put right: no other account on the computer may read or copy it.
    ``rotate=False`` (the desk's start, before the sign-in box): a plain file handler
    on the same file, handed to a rotating one by ``rotate_log`` behind the box; the
    folder is checked and the file opened here either way, so a folder that cannot be
    used is known before any window."""
    owner_only()
    make_private(folder)
    logs = private_dir(folder / "logs")
    path = logs / LOG_NAME
    handler = _rotating(path) if rotate else logging.FileHandler(path, encoding="utf-8")
    private_file(path)
    root = logging.getLogger()
    if profile_log() is None:
        _add(root, handler)
    else:
        handler.close()
    root.setLevel(logging.INFO)


def rotate_log() -> None:
    """The profile's log rolled over as it grows, from now on: the plain handler set up
    before the sign-in box swapped for a rotating one on the same file (run behind the
    box: logging.handlers brings sockets and pickle). A line logged meanwhile may be
    written twice, never lost."""
    plain = profile_log()
    if plain is None or type(plain) is not logging.FileHandler:
        return  # no log, or rotating already
    root = logging.getLogger()
    _add(root, _rotating(Path(plain.baseFilename)))
    root.removeHandler(plain)
    plain.close()


def profile_log() -> logging.FileHandler | None:
    """The root logger's handler for the profile's log, if it has one."""
    return next((h for h in logging.getLogger().handlers if h.get_name() == LOG_HANDLER),
                None)


def _rotating(path: Path) -> logging.FileHandler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES,
                                                backupCount=LOG_KEPT, encoding="utf-8")


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    handler.set_name(LOG_HANDLER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
