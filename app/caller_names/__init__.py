"""Caller-ID names (CNAM): the name a number shows to the people it calls, and its listing."""
