"""``python -m tutor_app COMMAND``: the command line in ``tutor_app.cli.main``."""

import sys

from tutor_app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
