"""Users: signing up, signing in, and the rules a name, an email and a password follow."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.teams import clean_team_name, found_team
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import User
from app.text import one_line

MAX_NAME = 120
MAX_EMAIL = 254
MIN_PASSWORD = 8


def password_problem(password: object) -> str | None:
    """Why this password will not do, in a sentence for the form; None if it will."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    return None


def normalise_email(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def clean_new_user(email: object, name: object, password: object) -> tuple[str, str]:
    """The normalised email and name for a new account; ValidationFailed names each bad field.

    Says nothing about whether the address already has an account: sign-up must not tell.
    """
    errors: dict[str, str] = {}
    try:
        email = clean_email(email)
    except ValidationFailed as error:
        errors.update(error.fields)
    name = one_line(name) if isinstance(name, str) else ""
    if len(name) > MAX_NAME:
        errors["name"] = f"A name is at most {MAX_NAME} characters."
    if problem := password_problem(password):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    return str(email), name


def clean_email(email: object) -> str:
    """The address, normalised; ValidationFailed({"email": ...}) if it is not one."""
    email = normalise_email(email)
    if "@" not in email or len(email) > MAX_EMAIL:
        raise ValidationFailed({"email": f"{email!r} is not an email address."})
    return email


def create_user(email: str, name: str, password: str) -> User:
    """A new user; ValidationFailed names the field (email, name, password) that is wrong."""
    email, name = clean_new_user(email, name, password)
    if user_by_email(email) is not None:
        raise ValidationFailed({"email": f"A user with email {email} already exists."})
    return insert_user(email, name, hash_password(password))


def insert_user(email: str, name: str, password_hash: str) -> User:
    """Store a user whose email, name and password were checked already."""
    user = User(email=email, name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def sign_up(email: str, name: str, password: str, team_name: str = "") -> User:
    """A new user who owns a new team on the Free plan."""
    if team_name.strip():
        clean_team_name(team_name)  # refuse a bad team name before the user exists
    user = create_user(email, name, password)
    found_team(user, default_team_name(user, team_name))
    return user


def default_team_name(user: User, team_name: str = "") -> str:
    return team_name.strip() or f"{user.name or user.email}'s team"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def check_password(user: User, password: object) -> bool:
    return isinstance(password, str) and check_password_hash(user.password_hash, password)


def set_password(user: User, password: object) -> None:
    """A new password; ValidationFailed({"password": ...}) if it will not do. Commits."""
    if problem := password_problem(password):
        raise ValidationFailed({"password": problem})
    user.password_hash = hash_password(password)
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None (never says which was wrong)."""
    user = user_by_email(email)
    # Hash even when there is no such user, so the time taken does not tell who has an account.
    stored = user.password_hash if user else _dummy_hash(_hash_method())
    if not check_password_hash(stored, password) or user is None:
        return None
    return user


@cache
def _dummy_hash(method: str) -> str:
    # Made on first use, not at import: a password hash is deliberately slow.
    return generate_password_hash("not-a-real-password", method=method)


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
