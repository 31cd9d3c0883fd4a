"""`python -m funnel.dashboard`: write the starter dashboard (see funnel/dashboard/build.py)."""

import sys

from funnel.dashboard.build import main

sys.exit(main())
