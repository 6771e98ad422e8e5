"""Entry script of the frozen app: the same main() as the `plansmith` console script."""

import multiprocessing

from desktop.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a no-op unless something starts a process pool
    raise SystemExit(main())
