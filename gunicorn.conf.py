"""gunicorn reads this file from the project folder by itself (`gunicorn wsgi:app`)."""

from pathlib import Path


def on_starting(server):
    """Warn before any worker starts when the workers would each keep their own counts."""
    from dotenv import load_dotenv

    load_dotenv(Path(__file__).with_name(".env"))  # as wsgi.py does, so both see the same
    from app.config import ConfigError
    from app.shared_state import settings_from_environment, workers_warning

    try:
        warning = workers_warning(settings_from_environment(), server.cfg.workers)
    except ConfigError:
        return  # the workers will say what is wrong, in one line, when they start
    if warning:
        server.log.warning(warning)
