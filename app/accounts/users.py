"""Users: signing up, signing in, and the rules a name, an email and a password follow."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import User
from app.text import one_line, unstorable

MAX_NAME = 120
MAX_EMAIL = 254
MIN_PASSWORD = 8
MAX_PASSWORD = 200  # hashing is deliberately slow: a megabyte "password" is an attack
# The 20,000 most common passwords (Royce Williams' list, lower-cased, as Django ships it).
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


def password_problem(password: object, *, email: str = "", name: str = "") -> str | None:
    """Why this password will not do, in a sentence for the form; None if it will.

    The one password rule: sign-up, the CLI and any password change all ask here.
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"A password is at most {MAX_PASSWORD} characters."
    if unstorable(password):
        return "A password cannot contain a NUL byte or a lone surrogate."
    folded = password.strip().lower()
    if folded in _common_passwords():
        return "That password is one of the most common ones, the first an attacker tries."
    if len(set(folded)) == 1:
        return "A password of one character repeated is guessed at once."
    person = {email.strip().lower(), email.strip().lower().partition("@")[0], name.lower()}
    if folded in person - {""}:
        return "A password must not be your email or your name."
    return None


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def normalise_email(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def email_problem(email: str) -> str | None:
    """Why this is not an email address a person could use, or None (syntax only: no DNS)."""
    if len(email) > MAX_EMAIL:
        return f"An email address is at most {MAX_EMAIL} characters."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        # The library's own sentence names its internals ("the domain name ... does not
        # exist"): say what a person can check instead.
        return "Enter an email address like name@example.com."
    return None


def clean_email(email: object) -> str:
    """The address, normalised; ValidationFailed({"email": ...}) if it is not one."""
    email = normalise_email(email)
    if problem := email_problem(email):
        raise ValidationFailed({"email": problem})
    return email


def clean_new_user(email: object, name: object, password: object) -> tuple[str, str]:
    """The normalised email and name for a new account; ValidationFailed names each bad field.

    Says nothing about whether the address already has an account: sign-up must not tell.
    """
    errors: dict[str, str] = {}
    email = normalise_email(email)
    if problem := email_problem(email):
        errors["email"] = problem
    try:
        name = one_line(name, "name") if isinstance(name, str) else ""
    except ValidationFailed as error:
        errors.update(error.fields)
    if not name and "name" not in errors:
        errors["name"] = "Tell us your name (visible characters, not only spaces)."
    elif len(name) > MAX_NAME:
        errors["name"] = f"A name is at most {MAX_NAME} characters."
    if problem := password_problem(password, email=email, name=name):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    return email, name


def create_user(email: str, name: str, password: str) -> User:
    """A new user; ValidationFailed names the field (email, name, password) that is wrong."""
    email, name = clean_new_user(email, name, password)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationFailed({"email": f"A user with email {email} already exists."})
    return insert_user(email, name, _hash(password))


def insert_user(email: str, name: str, password_hash: str) -> User:
    """Store a user whose email, name and password were checked already."""
    user = User(email=email, name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    """The user with this email; None for text no account could have (never queried)."""
    email = normalise_email(email)
    if not email or len(email) > MAX_EMAIL or unstorable(email):
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def default_team_name(user: User, team_name: str = "") -> str:
    return team_name.strip() or f"{user.name or user.email}'s team"


def hash_password(password: str) -> str:
    return _hash(password)


def check_password(user: User, password: object) -> bool:
    return isinstance(password, str) and check_password_hash(user.password_hash, password)


def set_password(user: User, password: object) -> None:
    """A new password; ValidationFailed({"password": ...}) if it will not do. Commits."""
    if problem := password_problem(password, email=user.email, name=user.name):
        raise ValidationFailed({"password": problem})
    user.password_hash = _hash(password)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None (never says which was wrong)."""
    user = user_by_email(email)
    # Hash even when there is no such user, so the time taken does not tell who has an account.
    stored = user.password_hash if user else _dummy_hash()
    if not isinstance(password, str) or unstorable(password):
        password = ""  # still hashed below, so a refusal takes as long as a wrong password
    if not check_password_hash(stored, password) or user is None:
        return None
    return user


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def _hash_method() -> str:
    # scrypt, werkzeug's default; the test suite sets a cheap one so it makes users quickly.
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


def _dummy_hash() -> str:
    return _dummy_hash_for(_hash_method())


@cache
def _dummy_hash_for(method: str) -> str:
    # Made on first use, not at import: a password hash is deliberately slow.
    return generate_password_hash("not-a-real-password", method=method)
