"""logger: the logging.Logger MozDef's plugins write to.  In ward's
plugin host it writes to standard error, which wardd's log receives."""
import logging
import sys

logger = logging.getLogger('ward-plugin')


def initLogger(options=None):
    logger.setLevel(logging.INFO)
    for h in list(logger.handlers):
        logger.removeHandler(h)
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(logging.Formatter('plugin: %(levelname)s: %(message)s'))
    logger.addHandler(h)
    logger.propagate = False


initLogger()
