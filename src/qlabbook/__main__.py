"""Allow ``python -m qlabbook``."""

from qlabbook.cli import main

if __name__ == "__main__":  # not again in a worker process
    main()
