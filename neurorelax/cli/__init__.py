"""The ``neurorelax`` command line.

Each sub-command lives in its own module that defines
``register(subparsers)``; the module adds its parser and sets ``handler`` to
the function that runs it. The command line is the only place that configures
logging and progress bars: the library itself never prints.
"""

import argparse
import importlib
import logging
import os
import sys
import warnings

__all__ = ["EXIT_BROKEN_PIPE", "main"]

SUBCOMMAND_MODULES = ("graph", "compare", "figures", "sweep")
# 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe
EXIT_BROKEN_PIPE = 141


def build_parser():
    """Return the top-level argument parser with every sub-command."""
    from neurorelax import __version__

    parser = argparse.ArgumentParser(
        prog="neurorelax",
        description="Ion-level spiking networks and graph-level relaxation.",
    )
    parser.add_argument(
        "--version", action="version", version=f"neurorelax {__version__}"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more log output (-v: info, -vv: debug)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        module = importlib.import_module(f"neurorelax.cli.{name}")
        module.register(subparsers)
    return parser


def configure_logging(verbosity):
    """Send log records to stderr at a level chosen by ``-v`` flags."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv=None):
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 when the command reports a failure (for example a
        failed sweep point), 2 for a command-line error (raised as
        ``SystemExit``), and ``EXIT_BROKEN_PIPE`` (141, that is 128 + SIGPIPE)
        when standard output was closed before the command finished writing,
        as in ``neurorelax graph info GRAPH --json | head -1``. In that case
        the command stops quietly, without a traceback, like a Unix tool
        killed by SIGPIPE: the rest of its output goes to ``os.devnull``.
    """
    try:
        status = _main(argv)
        _flush_stdout()  # a closed pipe shows at the latest here
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except SystemExit:
        # argparse's exits after an error: flush now, so that a closed pipe
        # does not surface as a message at interpreter exit
        try:
            _flush_stdout()
        except BrokenPipeError:
            _discard_stdout()
        raise
    return status


def _flush_stdout():
    if sys.stdout is not None:
        sys.stdout.flush()


def _discard_stdout():
    """Point standard output at ``os.devnull`` after its reader went away.

    Python flushes ``sys.stdout`` again at exit; without this, that flush
    would fail once more and print "Exception ignored ... BrokenPipeError".
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (AttributeError, OSError, ValueError):
        # no file descriptor (sys.stdout replaced by a Python object)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115


def _main(argv):
    """Parse ``argv``, configure logging and run the sub-command's handler."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    configure_logging(args.verbose)
    from neurorelax.graph import GraphWarning

    try:
        # A Graph logs each structure warning it also raises as a
        # GraphWarning; print it once, as the log line.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GraphWarning)
            return int(args.handler(args) or 0)
    except (ValueError, FileNotFoundError) as error:
        parser.exit(2, f"neurorelax {args.command}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
