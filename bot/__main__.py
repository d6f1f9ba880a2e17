"""``python -m bot`` does what the ``lotsen`` command does."""

from __future__ import annotations

import sys

from bot.cli import main

sys.exit(main())
