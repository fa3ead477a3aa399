"""Professional and reference numbers (DOS-1, DOS-2)."""
from __future__ import annotations

import hashlib
import secrets

from stdnum import luhn

# No 0/O, 1/I/L: the reference number is typed from a paper letter.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 12


def professional_number(*, profession_digit: str, licence_number: str) -> str:
    """Profession digit + 5-digit licence number + a Luhn check digit: 7 digits."""
    if len(profession_digit) != 1 or not profession_digit.isdigit():
        raise ValueError("the profession digit is one digit")
    if len(licence_number) != 5 or not licence_number.isdigit():
        raise ValueError("the licence number is 5 digits")
    body = profession_digit + licence_number
    return body + luhn.calc_check_digit(body)


def is_valid_professional_number(number: str) -> bool:
    return len(number) == 7 and number.isdigit() and luhn.is_valid(number)


def is_plausible_sin(digits: str) -> bool:
    """A social insurance number Canada could have issued (issue 16: "000 000 000" is refused): 9 digits
    with a valid check digit (Luhn), and a first digit in use: 0 is kept for fictitious numbers and 8
    is not used."""
    return len(digits) == 9 and digits.isdigit() and digits[0] not in "08" and luhn.is_valid(digits)


def new_reference_number() -> str:
    """A fresh single-use reference number, from a secure random source, shown as XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def normalize_reference_number(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def hash_reference_number(value: str) -> str:
    """What the file keeps of a reference number (DOS-2). 59 bits of entropy make a plain hash enough;
    enrolment also rate-limits guesses."""
    return hashlib.sha256(normalize_reference_number(value).encode()).hexdigest()
