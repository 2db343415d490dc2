"""Entry point: `python -m xinfang_desk` and the `xinfang-desk` script."""

import sys

from xinfang_desk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
