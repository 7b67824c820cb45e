"""The central store's password, never kept in plain text.

In the operating system's keyring (through ``keyring``) where the machine has a real
one; otherwise encrypted (Fernet, from ``cryptography``) under a random key of its own.
The key is a separate file in the profile folder that only its owner may read (0600),
so the password appears nowhere in the profile's files, settings or database as it is.
(That file stops a password being read off a copied database, a backup or a glance at a
settings file; it does not stop someone who can read every file of the profile as its
owner. A real keyring is better, and is used whenever there is one.)

One password per profile: a profile talks to one central store at a time.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE = "lr_desk central store"
KEY_FILE = "central.key"
SECRET_FILE = "central.secret"


def _account(folder: Path) -> str:
    return str(Path(folder).resolve())


def _keyring():
    """The keyring backend if it is a real one (not the fail, null or empty chain
    backends, nor ``keyrings.alt``'s plain-text and prompting files), else None."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: as if there were none
        log.exception("no usable keyring")
        return None

    def real(b) -> bool:
        return (not isinstance(b, (fail.Keyring, null.Keyring))
                and not type(b).__module__.startswith("keyrings.alt"))

    if isinstance(backend, chainer.ChainerBackend):
        return backend if backend.backends and all(real(b) for b in backend.backends) else None
    return backend if real(backend) else None


def where(folder: Path) -> str:
    """Where the password is kept, in words (for a settings page)."""
    backend = _keyring()
    if backend is not None:
        return f"the system keyring ({type(backend).__name__})"
    return "an encrypted file in this profile's folder"


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner may read, replacing it whole."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _fernet(folder: Path, create: bool):
    """The profile's Fernet, from its key file; with ``create``, a new key if there is
    none or it is unreadable (whatever it encrypted is lost either way)."""
    from cryptography.fernet import Fernet

    key_path = Path(folder) / KEY_FILE
    try:
        return Fernet(key_path.read_bytes().strip())
    except (OSError, ValueError):
        if not create:
            return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    _write_private(key_path, key)
    return Fernet(key)


def _forget_file(folder: Path) -> None:
    for name in (SECRET_FILE, KEY_FILE):
        (Path(folder) / name).unlink(missing_ok=True)


def store_password(folder: Path, password: str) -> None:
    """Keep the central store's password for the profile in ``folder``."""
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(SERVICE, _account(folder), password)
        except Exception:  # locked, no session bus...: the file will do
            log.warning("could not use the keyring; keeping the password encrypted in the "
                        "profile folder instead", exc_info=True)
        else:
            _forget_file(folder)
            return
    token = _fernet(folder, create=True).encrypt(password.encode())
    _write_private(Path(folder) / SECRET_FILE, token)


def get_password(folder: Path) -> str | None:
    """The stored password, or None if there is none (or it cannot be read)."""
    backend = _keyring()
    if backend is not None:
        try:
            found = backend.get_password(SERVICE, _account(folder))
        except Exception:
            log.warning("could not read the keyring", exc_info=True)
        else:
            if found is not None:
                return found
    secret = Path(folder) / SECRET_FILE
    if not secret.exists():
        return None
    from cryptography.fernet import InvalidToken

    fernet = _fernet(folder, create=False)
    try:
        if fernet is None:
            raise InvalidToken
        return fernet.decrypt(secret.read_bytes().strip()).decode()
    except (InvalidToken, ValueError):
        log.warning("%s cannot be decrypted with %s: the password is lost", secret, KEY_FILE)
        return None


def delete_password(folder: Path) -> None:
    """Forget the stored password, wherever it is kept."""
    backend = _keyring()
    if backend is not None:
        with contextlib.suppress(Exception):  # PasswordDeleteError: there was none
            backend.delete_password(SERVICE, _account(folder))
    _forget_file(folder)
