"""Personal data: resident ID numbers, phone numbers and petitioners.

:class:`ResidentId` checks GB 11643-1999 (ISO 7064 MOD 11-2); it and
:class:`PhoneNumber` are shown only masked (``repr``, ``str``, default
exports) and give the full value only on an explicit :meth:`reveal`.
"""

from __future__ import annotations

import re
import unicodedata
from operator import mul
from typing import Final

import attrs

from xinfang._checks import format_control_problem
from xinfang.errors import InvalidDataError, TransitionError
from xinfang.vocabulary import PetitionerKind

__all__ = [
    "INVISIBLE_IN_NAMES",
    "RESIDENT_ID_CHECK_CHARACTERS",
    "RESIDENT_ID_WEIGHTS",
    "Petitioner",
    "PhoneNumber",
    "ResidentId",
    "id_check_digit",
]


#: GB 11643-1999: the weight of each of a resident id's first 17 digits in its check sum.
RESIDENT_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: GB 11643-1999: the check character for each value of the weighted sum modulo 11.
RESIDENT_ID_CHECK_CHARACTERS: Final = "10X98765432"
_ID_FULL: Final = re.compile(r"^\d{17}[\dX]$")
_ID_MASKED: Final = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def id_check_digit(first17: str) -> str:
    """The check character (GB 11643-1999) of a resident id's first 17 digits."""
    if len(first17) != len(RESIDENT_ID_WEIGHTS):
        raise ValueError(f"expected {len(RESIDENT_ID_WEIGHTS)} digits, got {first17!r}")
    weighted = sum(map(mul, map(int, first17), RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARACTERS[weighted % 11]


def _check_resident_id(_: object, __: object, value: str) -> None:
    if not isinstance(value, str):
        raise InvalidDataError([("id_number", "must be a string")])
    if _ID_MASKED.match(value):
        return
    if not _ID_FULL.match(value):
        raise InvalidDataError(
            [("id_number", "a resident ID number has 17 digits and a check digit (0-9 or X)")]
        )
    if id_check_digit(value[:17]) != value[17]:
        raise InvalidDataError(
            [("id_number", "the check digit is wrong (GB 11643-1999: ISO 7064 MOD 11-2)")]
        )


def _upper(value: str) -> str:
    return value.strip().upper() if isinstance(value, str) else value


@attrs.frozen(repr=False)
class ResidentId:
    """A mainland resident ID number (居民身份证号码), checked by GB 11643.

    Shown only masked (``110105********123X``) in ``repr``, ``str`` and default
    exports; :meth:`reveal` gives the full value. A masked value (as read back
    from a default export) stays masked and cannot be revealed.
    """

    _value: str = attrs.field(converter=_upper, validator=_check_resident_id)

    @property
    def is_masked(self) -> bool:
        """Whether only the masked form is known."""
        return "*" in self._value

    def masked(self) -> ResidentId:
        """The masked form, as a value."""
        v = self._value
        return self if self.is_masked else ResidentId(v[:6] + "*" * 8 + v[14:])

    def reveal(self) -> str:
        """The full number. Raises if only the masked form is known."""
        if self.is_masked:
            raise TransitionError(
                "only the masked ID number is known", path="id_number", rule="personal data"
            )
        return self._value

    def __str__(self) -> str:
        return self.masked()._value

    def __repr__(self) -> str:
        return f"ResidentId({str(self)!r})"


_PHONE_FULL: Final = re.compile(r"^\+?\d{5,15}$")
_PHONE_MASKED: Final = re.compile(r"^\+?\d{3}\*+\d{4}$")


def _normalise_phone(value: str) -> str:
    return re.sub(r"[\s()-]", "", value) if isinstance(value, str) else value


def _check_phone(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not (_PHONE_FULL.match(value) or _PHONE_MASKED.match(value)):
        raise InvalidDataError([("phone", "a phone number is 5-15 digits, optionally after +")])


@attrs.frozen(repr=False)
class PhoneNumber:
    """A phone number, shown only masked (``138****1234``); :meth:`reveal` gives it whole."""

    _value: str = attrs.field(converter=_normalise_phone, validator=_check_phone)

    @property
    def is_masked(self) -> bool:
        """Whether only the masked form is known."""
        return "*" in self._value

    def masked(self) -> PhoneNumber:
        """The masked form, as a value."""
        v = self._value
        if self.is_masked:
            return self
        plus = v.startswith("+")
        digits = v[1:] if plus else v
        keep = digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]
        return PhoneNumber(("+" if plus else "") + keep)

    def reveal(self) -> str:
        """The full number. Raises if only the masked form is known."""
        if self.is_masked:
            raise TransitionError("only the masked phone is known", path="phone")
        return self._value

    def __str__(self) -> str:
        return self.masked()._value

    def __repr__(self) -> str:
        return f"PhoneNumber({str(self)!r})"


#: Characters that take no space and carry no letter: a name of only these is empty.
INVISIBLE_IN_NAMES: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u034f")


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """A name: a string with a visible character, no control character and no format control.

    Refused: not a string; empty after stripping white space and zero-width
    characters; any control character (category Cc: NUL, tab, newline, ...);
    any format control (category Cf: a right-to-left override that shows
    ``张三\u202e`` reversed, a zero-width joiner that makes two names look one).
    """
    owner = type(instance).__name__
    if not isinstance(value, str):
        raise InvalidDataError([(attribute.name, "must be a string")], source=owner)
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InvalidDataError([(attribute.name, "contains a control character")], source=owner)
    problem = format_control_problem(value)
    if problem is not None:
        raise InvalidDataError([(attribute.name, problem)], source=owner)
    visible = "".join(c for c in value if c not in INVISIBLE_IN_NAMES).strip()
    if not visible:
        raise InvalidDataError(
            [(attribute.name, "is empty (only white space or zero-width characters)")],
            source=owner,
        )


def _check_address(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """An address: a string (empty allowed) with no format control (see :func:`_check_name`)."""
    if not isinstance(value, str):
        return  # the type check names it (xinfang.changes.type_problems)
    problem = format_control_problem(value)
    if problem is not None:
        raise InvalidDataError([(attribute.name, problem)], source=type(instance).__name__)


def _opt_id(value: ResidentId | str | None) -> ResidentId | None:
    return ResidentId(value) if isinstance(value, str) else value


def _opt_phone(value: PhoneNumber | str | None) -> PhoneNumber | None:
    return PhoneNumber(value) if isinstance(value, str) else value


@attrs.frozen(kw_only=True)
class Petitioner:
    """Who petitions (信访人, Art. 17): a person or an organisation.

    ``id_number`` and ``phone`` accept plain strings; they are validated and
    never shown whole (see :class:`ResidentId`, :class:`PhoneNumber`).
    """

    name: str = attrs.field(validator=_check_name)
    kind: PetitionerKind = PetitionerKind.PERSON
    id_number: ResidentId | None = attrs.field(default=None, converter=_opt_id)
    phone: PhoneNumber | None = attrs.field(default=None, converter=_opt_phone)
    address: str = attrs.field(default="", validator=_check_address)

    def masked(self) -> Petitioner:
        """The same petitioner with ID number and phone masked."""
        return attrs.evolve(
            self,
            id_number=self.id_number.masked() if self.id_number else None,
            phone=self.phone.masked() if self.phone else None,
        )
