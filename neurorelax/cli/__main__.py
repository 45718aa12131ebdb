import sys

from neurorelax.cli import main

sys.exit(main())
