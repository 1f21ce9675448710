"""gunicorn reads this file from the project folder by itself (`gunicorn wsgi:app`)."""


def on_starting(server):
    """Warn before any worker starts when the workers would each keep their own counts."""
    from dotenv import find_dotenv, load_dotenv

    load_dotenv(find_dotenv(usecwd=True))  # as the app does, so both read the same settings
    from app.config import ConfigError
    from app.shared_state import settings_from_environment, workers_warning

    try:
        warning = workers_warning(settings_from_environment(), server.cfg.workers)
    except ConfigError:
        return  # the workers will say what is wrong, in one line, when they start
    if warning:
        server.log.warning(warning)


def post_worker_init(worker):
    """Without Redis, each worker also works the SQLite job queue (with Redis, `flask worker`
    does); started after the fork, as threads belong to one process."""
    from app.jobs.worker import start_in_process

    start_in_process(worker.wsgi)
