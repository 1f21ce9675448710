"""The sign-up and sign-in forms; lengths and the password rule are the services' own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from app.accounts.teams import MAX_TEAM_NAME
from app.accounts.users import MAX_EMAIL, MAX_NAME, MIN_PASSWORD, password_problem


def _password_rule(form, field) -> None:
    # Forms without these fields (a new password) leave the check to the service, which knows.
    email = getattr(form, "email", None)
    name = getattr(form, "name", None)
    email, name = (email.data if email else "") or "", (name.data if name else "") or ""
    if problem := password_problem(field.data, email=email, name=name):
        raise ValidationError(problem)


class SignUpForm(FlaskForm):
    name = StringField(
        "Your name", validators=[DataRequired("Tell us your name."), Length(max=MAX_NAME)]
    )
    email = EmailField(
        "Work email", validators=[DataRequired("An email is required."), Length(max=MAX_EMAIL)]
    )
    password = PasswordField(
        "Password",
        validators=[_password_rule],
        render_kw={"minlength": MIN_PASSWORD, "autocomplete": "new-password"},
    )
    team_name = StringField("Team name", validators=[Length(max=MAX_TEAM_NAME)])


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("An email is required.")])
    password = PasswordField("Password", validators=[DataRequired("A password is required.")])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired("An email is required."), Length(max=MAX_EMAIL)]
    )


class NewPasswordForm(FlaskForm):
    """Choosing a new password: from a reset link, or on the account page with the current one."""

    current_password = PasswordField(
        "Current password", render_kw={"autocomplete": "current-password"}
    )
    password = PasswordField(
        "New password",
        validators=[_password_rule],
        render_kw={"minlength": MIN_PASSWORD, "autocomplete": "new-password"},
    )


class InvitedSignUpForm(FlaskForm):
    """An invited person makes their account: the address is the invitation's."""

    name = StringField(
        "Your name", validators=[DataRequired("Tell us your name."), Length(max=MAX_NAME)]
    )
    password = PasswordField(
        "Choose a password",
        validators=[_password_rule],
        render_kw={"minlength": MIN_PASSWORD, "autocomplete": "new-password"},
    )


class InvitedSignInForm(FlaskForm):
    """An invited person with an account signs in to join: the address is the invitation's."""

    password = PasswordField("Password", validators=[DataRequired("A password is required.")])


class TwoFactorCodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code (the same field takes either)."""

    code = StringField(
        "Code",
        validators=[DataRequired("Enter the code your app shows."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class DisableTwoFactorForm(FlaskForm):
    """Turning two-factor off, or new recovery codes: a current code or the password."""

    code = StringField(
        "Code from your app, or a recovery code",
        validators=[Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )
    password = PasswordField("Or your password", render_kw={"autocomplete": "current-password"})


class NameForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Tell us your name."), Length(max=MAX_NAME)],
        render_kw={"autocomplete": "name"},
    )


class EmailChangeForm(FlaskForm):
    """A new email: confirmed by a link sent there; the password proves it is you asking."""

    email = EmailField(
        "New email",
        validators=[DataRequired("An email is required."), Length(max=MAX_EMAIL)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Current password",
        validators=[DataRequired("Your current password is required.")],
        render_kw={"autocomplete": "current-password"},
    )
