"""Two-factor sign-in: a TOTP authenticator app (RFC 6238, via pyotp), with recovery codes.

Setup keeps a fresh secret on the user; it starts asking at sign-in only once a code from the
app was right. A code is taken once: the 30-second step it belongs to is stored, and a code
of that step or an older one is refused, in the same UPDATE that accepts it, so two requests
racing with one code cannot both pass. Recovery codes are random (80 bits), kept as SHA-256,
and each is marked used by an UPDATE that only one request can win.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from app.accounts.roles import Actor, Permission
from app.accounts.sessions import TWO_FACTOR_OFF, end_all_sessions, end_other_sessions
from app.accounts.users import check_password
from app.exceptions import ValidationFailed
from app.extensions import db
from app.models import RecoveryCode, User, utcnow
from app.ratelimit import spend, wait_words

ISSUER = "Caller ID desk"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 16  # 16 of 31 characters: about 79 bits, beyond guessing or brute force
STEP_SECONDS = 30
# Codes from the step before and after are taken too: a phone's clock is seldom exact.
DRIFT_STEPS = 1
WRONG_CODE = "That code is not right, or was used already. Enter the newest code from your app."


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def start_setup(user: User) -> str:
    """A new secret for the user's authenticator app (replacing one not yet confirmed)."""
    if is_enabled(user):
        raise ValidationFailed({"code": "Two-factor sign-in is on already."})
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    db.session.commit()
    return user.totp_secret


def setup_uri(user: User) -> str:
    """The otpauth:// address the QR code carries."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The setup QR code as inline SVG (segno: pure Python, no image files, no CDN)."""
    title = "QR code for your authenticator app"
    return segno.make(uri, error="m").svg_inline(scale=4, title=title, dark="#000", light="#fff")


def confirm_setup(user: User, code: object) -> list[str]:
    """Turn two-factor on once a code from the app is right; returns the recovery codes,
    shown once."""
    if is_enabled(user) or not user.totp_secret:
        raise ValidationFailed({"code": "Start the setup again: scan the new QR code."})
    _count_try(user)
    if not _take_totp(user, code):
        raise ValidationFailed({"code": WRONG_CODE})
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def verify(user: User, code: object) -> bool:
    """Whether the code (from the app, or an unused recovery code) is right; takes it either
    way so it cannot be used again. Counts against RATELIMIT_TWO_FACTOR."""
    _count_try(user)
    return _take_totp(user, code) or _take_recovery_code(user, code)


def disable(user: User, code: object = "", password: object = "") -> int:
    """Turn two-factor off with a current code or the password; other sessions end, since
    the account is now weaker than when they signed in. Returns how many ended."""
    if not is_enabled(user):
        raise ValidationFailed({"code": "Two-factor sign-in is off already."})
    _prove(user, code, password)
    _turn_off(user)
    return end_other_sessions(user, user.session_token, TWO_FACTOR_OFF)


def _turn_off(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.commit()


def reset(user: User) -> int:
    """An operator turns two-factor off for someone locked out (phone and recovery codes
    lost); every session of theirs ends. Returns how many ended."""
    _turn_off(user)
    return end_all_sessions(user, TWO_FACTOR_OFF)


def replace_recovery_codes(user: User, code: object = "", password: object = "") -> list[str]:
    """New recovery codes, once a current code (or an unused recovery code) or the password
    proves it is the account's owner asking."""
    if not is_enabled(user):
        raise ValidationFailed({"code": "Turn two-factor sign-in on first."})
    _prove(user, code, password)
    return new_recovery_codes(user)


def _prove(user: User, code: object, password: object) -> None:
    if isinstance(password, str) and password and check_password(user, password):
        return
    if not (isinstance(code, str) and code.strip() and verify(user, code)):
        raise ValidationFailed(
            {"code": "Enter a code from your app, a recovery code, or your password."}
        )


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes, replacing any earlier ones; only their hashes are kept."""
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    db.session.commit()
    return [_grouped(code) for code in codes]


def recovery_codes_left(user: User) -> int:
    query = sa.select(sa.func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(query) or 0


def _count_try(user: User) -> None:
    if (wait := spend("RATELIMIT_TWO_FACTOR", "two-factor", user.id)) is not None:
        raise ValidationFailed({"code": f"Too many codes tried: try again in {wait_words(wait)}."})


def _take_totp(user: User, code: object) -> bool:
    digits = "".join(code.split()) if isinstance(code, str) else ""
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()) or not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            taken = db.session.execute(
                sa.update(User)
                .where(
                    User.id == user.id,
                    sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
            db.session.commit()
            if taken.rowcount == 1:
                user.totp_last_step = step
                return True
            return False  # a replay: this step's code (or a later one) was used already
    return False


def _take_recovery_code(user: User, code: object) -> bool:
    typed = "".join(c for c in code.lower() if c.isalnum()) if isinstance(code, str) else ""
    if len(typed) != _RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    db.session.commit()
    return used.rowcount == 1


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hash(code: str) -> str:
    # ~79 random bits each: a fast hash is enough, and a leaked table holds no usable code.
    return hashlib.sha256(code.encode()).hexdigest()


def set_team_requirement(actor: Actor, required: bool) -> bool:
    """An owner requires two-factor sign-in for the team (or stops requiring it). The owner
    turning it on must have it: otherwise they would lock themselves out of their own team."""
    actor.require(Permission.REQUIRE_TWO_FACTOR)
    if required and not is_enabled(actor.user):
        raise ValidationFailed(
            {"require_two_factor": "Turn on two-factor sign-in for yourself first (Account)."}
        )
    actor.team.require_two_factor = bool(required)
    db.session.commit()
    return actor.team.require_two_factor


def blocked_by_team(actor: Actor) -> bool:
    """Whether the team requires two-factor sign-in and this person has not turned it on."""
    return actor.team.require_two_factor and not is_enabled(actor.user)
