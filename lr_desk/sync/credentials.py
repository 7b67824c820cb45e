"""The central store's password, never kept in plain text.

In the operating system's keyring (through ``keyring``) where the machine has a real
one; otherwise encrypted (Fernet, from ``cryptography``). On a desk whose data is
encrypted (every desk since sign-in came in), the Fernet key is derived from the desk's
data key, which only a signed-in member of staff unwraps: a lost laptop gives away
neither the records nor the password to the central store. On an unencrypted profile
(from before, or made by tests) the key is a separate file in the profile folder that
only its owner may read (0600); it is replaced by the derived key at the first use of
an encrypted desk.

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


def _derived(data_key: bytes):
    import base64

    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(hashes.SHA256(), 32, salt=None, info=b"lr_desk central password").derive(data_key)
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet(folder: Path, create: bool, data_key: bytes | None = None):
    """The profile's Fernet: derived from the desk's data key if it has one, else from its
    key file; with ``create``, a new key file if there is none or it is unreadable
    (whatever it encrypted is lost either way)."""
    from cryptography.fernet import Fernet

    if data_key is not None:
        return _derived(data_key)
    key_path = Path(folder) / KEY_FILE
    try:
        return Fernet(key_path.read_bytes().strip())
    except (OSError, ValueError):
        if not create:
            return None
    Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key()
    _write_private(key_path, key)
    return Fernet(key)


def _forget_file(folder: Path) -> None:
    for name in (SECRET_FILE, KEY_FILE):
        (Path(folder) / name).unlink(missing_ok=True)


def store_password(folder: Path, password: str, data_key: bytes | None = None) -> None:
    """Keep the central store's password for the profile in ``folder`` (``data_key``: the
    desk's, if its data is encrypted)."""
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
    token = _fernet(folder, create=True, data_key=data_key).encrypt(password.encode())
    _write_private(Path(folder) / SECRET_FILE, token)
    if data_key is not None:
        (Path(folder) / KEY_FILE).unlink(missing_ok=True)


def get_password(folder: Path, data_key: bytes | None = None) -> str | None:
    """The stored password, or None if there is none (or it cannot be read). With the
    desk's data key, a password kept under an older key file moves under the data key."""
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

    token = secret.read_bytes().strip()
    if data_key is not None:
        try:
            return _derived(data_key).decrypt(token).decode()
        except InvalidToken:
            pass  # kept before the desk was encrypted: under the key file, moved below
    fernet = _fernet(folder, create=False)
    try:
        if fernet is None:
            raise InvalidToken
        password = fernet.decrypt(token).decode()
    except (InvalidToken, ValueError):
        log.warning("%s cannot be decrypted with %s: the password is lost", secret, KEY_FILE)
        return None
    if data_key is not None:
        store_password(folder, password, data_key)
    return password


def delete_password(folder: Path) -> None:
    """Forget the stored password, wherever it is kept."""
    backend = _keyring()
    if backend is not None:
        with contextlib.suppress(Exception):  # PasswordDeleteError: there was none
            backend.delete_password(SERVICE, _account(folder))
    _forget_file(folder)
