"""The app on Telnyx (a fake account over real HTTP): the numbers it offers."""

NUMBER = "+14155550123"
OTHER = "+14155550124"
