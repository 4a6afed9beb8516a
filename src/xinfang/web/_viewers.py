"""Who may look: the viewers file (``viewers.toml``), their roles, and signed tokens.

The service does no passwords. Either the host's reverse proxy authenticates
and passes the official's id in a header (``X-Official-Id`` by default), or
the request carries a token signed with a key of the viewers file
(``Authorization: Bearer <token>``, HMAC-SHA256, with an expiry). A request
whose viewer is not listed here (or whose token does not verify) is refused
with 401 and nothing else.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.errors import InvalidDataError, quoted

if TYPE_CHECKING:
    from xinfang.responsibility import Organization

__all__ = [
    "DEFAULT_HEADER",
    "Auth",
    "Viewer",
    "ViewerRole",
    "Viewers",
    "load_viewers",
    "sign_token",
    "verify_token",
]

#: The header a reverse proxy sets to the authenticated official's id.
DEFAULT_HEADER: Final = "X-Official-Id"
#: A token's parts are base64url text joined by dots: official, expiry, signature.
_TOKEN_PARTS: Final = 3
_MAX_TOKEN: Final = 1024


class ViewerRole(enum.Enum):
    """What an official sees beyond the confidentiality rule (which holds for every role).

    ``leading_group`` (领导小组) and ``unit`` (a unit's officials) see personal
    data masked; ``petition_office`` (信访工作机构, who handle the cases) in full.
    """

    LEADING_GROUP = "leading_group"
    PETITION_OFFICE = "petition_office"
    UNIT = "unit"

    @property
    def reveals_personal_data(self) -> bool:
        """Whether this role sees petitioners' ID numbers and phones whole."""
        return self is ViewerRole.PETITION_OFFICE


class Auth(enum.Enum):
    """How the service learns who is looking: a proxy's header, or a signed token."""

    HEADER = "header"
    TOKEN = "token"  # noqa: S105 - the name of a mode, not a secret


@attrs.frozen(kw_only=True)
class Viewer:
    """An official allowed to use the service, with the role that decides what is masked."""

    official: str
    role: ViewerRole


@attrs.frozen(kw_only=True)
class Viewers:
    """The viewers file: who may look, how they are recognised, the token keys."""

    viewers: tuple[Viewer, ...]
    auth: Auth = Auth.HEADER
    header: str = DEFAULT_HEADER
    #: Signing keys (bytes); the first signs, any verifies (rotate by prepending).
    keys: tuple[bytes, ...] = attrs.field(default=(), repr=False)

    def get(self, official: str) -> Viewer | None:
        """The viewer with this official id, or ``None``."""
        for v in self.viewers:
            if v.official == official:
                return v
        return None

    def check(self, org: Organization) -> None:
        """Refuse a viewers file naming officials the organisation lacks (the path names each)."""
        problems = [
            (f"viewers[{i}].official", f"no official {quoted(v.official)} in the organisation")
            for i, v in enumerate(self.viewers)
            if not org.has_official(v.official)
        ]
        if self.auth is Auth.TOKEN and not self.keys:
            problems.append(("keys", "auth = 'token' needs at least one key"))
        if problems:
            raise InvalidDataError(problems, source="viewers")


def load_viewers(source: str | Path | Mapping[str, Any]) -> Viewers:
    """Read a viewers file (TOML path or its parsed mapping); every problem named with its path.

    The format::

        auth = "header"            # or "token"
        header = "X-Official-Id"   # the reverse proxy's header (auth = "header")
        keys = ["a long random secret"]   # token signing keys (auth = "token")

        [[viewers]]
        official = "HQ-H"
        role = "leading_group"     # leading_group | petition_office | unit
    """
    where = "viewers"
    if isinstance(source, Mapping):
        data: Mapping[str, Any] = source
    else:
        where = str(source)
        try:
            data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidDataError([("", f"cannot read: {exc}")], source=where) from None
    problems: list[tuple[str, str]] = []
    known = {"auth", "header", "keys", "viewers"}
    problems += [(k, "unknown key") for k in data if k not in known]
    auth = Auth.HEADER
    try:
        auth = Auth(data.get("auth", "header"))
    except ValueError:
        problems.append(("auth", f"expected 'header' or 'token', got {quoted(data.get('auth'))}"))
    header = data.get("header", DEFAULT_HEADER)
    if not (isinstance(header, str) and header and header.isascii() and " " not in header):
        problems.append(("header", f"expected a header name, got {quoted(header)}"))
        header = DEFAULT_HEADER
    raw_keys = data.get("keys", [])
    keys: list[bytes] = []
    if not isinstance(raw_keys, list):
        problems.append(("keys", "expected a list of secrets"))
    else:
        for i, k in enumerate(raw_keys):
            if not isinstance(k, str) or len(k) < 16:
                problems.append((f"keys[{i}]", "a key is text of at least 16 characters"))
            else:
                keys.append(k.encode("utf-8"))
    viewers: list[Viewer] = []
    rows = data.get("viewers", [])
    if not isinstance(rows, list):
        problems.append(("viewers", "expected an array of tables ([[viewers]])"))
        rows = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        path = f"viewers[{i}]"
        if not isinstance(row, Mapping):
            problems.append((path, "expected a table"))
            continue
        official = row.get("official")
        if not isinstance(official, str) or not official or len(official) > 256:
            problems.append(
                (f"{path}.official", f"expected an official id, got {quoted(official)}")
            )
            continue
        if official in seen:
            problems.append((f"{path}.official", f"{quoted(official)} is listed twice"))
        seen.add(official)
        try:
            role = ViewerRole(row.get("role"))
        except ValueError:
            choices = ", ".join(r.value for r in ViewerRole)
            problems.append(
                (f"{path}.role", f"expected one of {choices}, got {quoted(row.get('role'))}")
            )
            continue
        problems += [(f"{path}.{k}", "unknown key") for k in row if k not in {"official", "role"}]
        viewers.append(Viewer(official=official, role=role))
    if problems:
        raise InvalidDataError(problems, source=where)
    return Viewers(viewers=tuple(viewers), auth=auth, header=header, keys=tuple(keys))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def sign_token(official: str, key: bytes, *, expires: int) -> str:
    """A token naming ``official``, valid until ``expires`` (seconds since the epoch, UTC)."""
    payload = f"{_b64(official.encode('utf-8'))}.{int(expires)}"
    return f"{payload}.{_mac(key, payload)}"


def verify_token(token: str, keys: tuple[bytes, ...], *, now: float) -> str | None:
    """The official a token names, if one of ``keys`` signed it and it has not expired."""
    if not token or len(token) > _MAX_TOKEN or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != _TOKEN_PARTS or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not any(hmac.compare_digest(_mac(k, payload), parts[2]) for k in keys):
        return None
    if int(parts[1]) <= now:
        return None
    try:
        return _unb64(parts[0]).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
