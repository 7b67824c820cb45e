"""The bundle's entry point: what ``lr-desk`` (and ``lr-desk-cli``) run in the desktop
bundle, the same as the wheel's ``lr-desk`` script."""

import sys

from lr_desk.app import main

if __name__ == "__main__":
    sys.exit(main())
