import sys

from vaxterm.cli import main

sys.exit(main())
