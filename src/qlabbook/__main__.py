"""Allow ``python -m qlabbook``."""

from qlabbook.cli import main

main()
