"""The portal as gunicorn serves it: `gunicorn wsgi:app`, imported by each worker."""

import gc

from portal import create_app

app = create_app()

# What start-up built (the app, SQLAlchemy's mappings, Babel's locale data) lives as long as
# the worker: frozen out of the garbage collector's rounds. A full round would otherwise walk
# all of it, about a tenth of a second, every few hundred requests: the slowest requests.
gc.freeze()
