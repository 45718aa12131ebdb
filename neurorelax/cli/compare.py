"""`neurorelax compare`: placeholder until its issue lands."""


def register(subparsers):
    """Add the ``compare`` sub-command (not implemented yet)."""
    parser = subparsers.add_parser("compare", help="(not implemented yet)")
    parser.set_defaults(handler=_run)


def _run(args):
    raise SystemExit("neurorelax compare is not implemented yet")
