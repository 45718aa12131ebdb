"""`neurorelax graph`: placeholder until its issue lands."""


def register(subparsers):
    """Add the ``graph`` sub-command (not implemented yet)."""
    parser = subparsers.add_parser("graph", help="(not implemented yet)")
    parser.set_defaults(handler=_run)


def _run(args):
    raise SystemExit("neurorelax graph is not implemented yet")
