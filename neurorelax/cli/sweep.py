"""`neurorelax sweep`: placeholder until its issue lands."""


def register(subparsers):
    """Add the ``sweep`` sub-command (not implemented yet)."""
    parser = subparsers.add_parser("sweep", help="(not implemented yet)")
    parser.set_defaults(handler=_run)


def _run(args):
    raise SystemExit("neurorelax sweep is not implemented yet")
