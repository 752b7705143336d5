"""Entry script of the PyInstaller bundle (see build_installer.spec): ``fbm-desk [ARGS]``.

A launcher outside the package, so PyInstaller does not put ``fbm_desk/`` itself on the module search path
(its modules would shadow top-level names) and ``fbm_desk`` is imported as a normal package.
"""

import multiprocessing
import sys

from fbm_desk.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless when unused; required if anything ever spawns a process
    sys.exit(main())
