import sys

from pyverify.cli import main

sys.exit(main())
