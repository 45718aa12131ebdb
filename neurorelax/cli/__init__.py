"""The ``neurorelax`` command line.

Each sub-command lives in its own module that defines
``register(subparsers)``; the module adds its parser and sets ``handler`` to
the function that runs it. The command line is the only place that configures
logging and progress bars: the library itself never prints.
"""

import argparse
import importlib
import logging
import sys

__all__ = ["main"]

SUBCOMMAND_MODULES = ("graph", "compare", "figures", "sweep")


def build_parser():
    """Return the top-level argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="neurorelax",
        description="Ion-level spiking networks and graph-level relaxation.",
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
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    configure_logging(args.verbose)
    try:
        return int(args.handler(args) or 0)
    except (ValueError, FileNotFoundError) as error:
        parser.exit(2, f"neurorelax {args.command}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
