"""API keys for team servers: in the system keyring where one is usable, else in a file
under the config folder that only the user can read (0600).

Keys are kept per server, under its normalised address. `keyring` is optional (the
`keyring` extra); its fail and null backends keep nothing, so they count as no keyring.

    python -m desktop.llm.secrets set http://gpu-box:8080     # asks for the key
    python -m desktop.llm.secrets status http://gpu-box:8080
    python -m desktop.llm.secrets delete http://gpu-box:8080
"""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

from desktop.paths import AppPaths

log = logging.getLogger(__name__)

SERVICE = "plansmith"
KEYS_FILE_NAME = "server-keys.json"
_DEFAULT = object()


def usable_keyring():
    """The system keyring backend, or None where none can keep a secret."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # not installed, or a backend that breaks while loading
        log.debug("no keyring: %s", exc)
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)) or getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def server_account(url: str) -> str:
    """The name a server's key is kept under: its address as the engine normalises it."""
    from desktop.llm.remote_engine import normalize_url

    return normalize_url(url)


class SecretStore:
    """get/set/delete a server's API key. `backend=None` means: use the file only."""

    def __init__(self, *, keys_file: Path | None = None, backend=_DEFAULT) -> None:
        self.keys_file = keys_file or AppPaths.default().config_dir / KEYS_FILE_NAME
        self.backend = usable_keyring() if backend is _DEFAULT else backend

    def describe(self) -> str:
        """Where a key set now would go, in words for the user."""
        if self.backend is not None:
            return f"the system keyring ({type(self.backend).__name__})"
        return f"{self.keys_file} (readable only by you)"

    def get(self, url: str) -> str | None:
        account = server_account(url)
        if self.backend is not None:
            try:
                key = self.backend.get_password(SERVICE, account)
            except Exception as exc:  # a locked or broken keyring: the file may still hold it
                log.warning("keyring lookup failed: %s", exc)
                key = None
            if key:
                return key
        return self._read_file().get(account) or None

    def set(self, url: str, key: str) -> str:
        """Keep `key` for the server at `url`; returns where it went (see `describe`)."""
        account = server_account(url)
        key = key.strip()
        if not key:
            raise ValueError("An empty API key cannot be stored; use delete to remove one.")
        if self.backend is not None:
            try:
                self.backend.set_password(SERVICE, account, key)
            except Exception as exc:
                log.warning("keyring refused the key (%s); keeping it in %s", exc, self.keys_file)
            else:
                self._drop_from_file(account)  # no stale copy left behind in the file
                return self.describe()
        keys = self._read_file()
        keys[account] = key
        self._write_file(keys)
        return f"{self.keys_file} (readable only by you)"

    def delete(self, url: str) -> bool:
        """Forget the server's key wherever it is kept; True if there was one."""
        account = server_account(url)
        found = False
        if self.backend is not None:
            try:
                if self.backend.get_password(SERVICE, account) is not None:
                    self.backend.delete_password(SERVICE, account)
                    found = True
            except Exception as exc:
                log.warning("keyring delete failed: %s", exc)
        return self._drop_from_file(account) or found

    # -- the file ---------------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        path = self.keys_file
        if not path.exists():
            return {}
        if os.name != "nt" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            log.warning("%s was readable by others; making it private", path)
            os.chmod(path, 0o600)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s: %s", path, exc)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write_file(self, keys: dict[str, str]) -> None:
        path = self.keys_file
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file 0600 from the start: the key is never briefly world-readable.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".server-keys-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(keys, f, indent=2, sort_keys=True)
            if os.name != "nt":
                os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _drop_from_file(self, account: str) -> bool:
        keys = self._read_file()
        if account not in keys:
            return False
        del keys[account]
        self._write_file(keys)
        return True


def get_api_key(url: str) -> str | None:
    return SecretStore().get(url)


def set_api_key(url: str, key: str) -> str:
    return SecretStore().set(url, key)


def delete_api_key(url: str) -> bool:
    return SecretStore().delete(url)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import getpass

    parser = argparse.ArgumentParser(prog="python -m desktop.llm.secrets", description="Manage team-server API keys.")
    parser.add_argument("action", choices=("set", "delete", "status"))
    parser.add_argument("url", help="the server's address, as given to --server")
    args = parser.parse_args(argv)
    store = SecretStore()
    if args.action == "set":
        key = getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline()
        print(f"Stored the key for {server_account(args.url)} in {store.set(args.url, key)}.")
    elif args.action == "delete":
        gone = store.delete(args.url)
        print(f"Deleted the key for {server_account(args.url)}." if gone else "No key was stored for that server.")
    else:
        held = store.get(args.url) is not None
        print(f"A key is stored for {server_account(args.url)}." if held else "No key is stored for that server.")
        print(f"New keys go to {store.describe()}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
