"""``python -m kindbehoeften``: the same as the ``kindbehoeften`` command."""

import sys

from .cli import main

sys.exit(main())
