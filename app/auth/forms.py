"""The sign-up and sign-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

PASSWORD_TOO_SHORT = "A password needs at least 8 characters."


class SignUpForm(FlaskForm):
    name = StringField(
        "Your name", validators=[DataRequired("Tell us your name."), Length(max=120)]
    )
    email = EmailField(
        "Work email", validators=[DataRequired("An email is required."), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(PASSWORD_TOO_SHORT), Length(min=8, message=PASSWORD_TOO_SHORT)],
    )
    team_name = StringField("Team name", validators=[Length(max=120)])


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("An email is required.")])
    password = PasswordField("Password", validators=[DataRequired("A password is required.")])
    remember = BooleanField("Keep me signed in on this device")
