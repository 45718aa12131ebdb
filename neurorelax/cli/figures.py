"""`neurorelax figures`: placeholder until its issue lands."""


def register(subparsers):
    """Add the ``figures`` sub-command (not implemented yet)."""
    parser = subparsers.add_parser("figures", help="(not implemented yet)")
    parser.set_defaults(handler=_run)


def _run(args):
    raise SystemExit("neurorelax figures is not implemented yet")
