"""Provides unknot, a guided self-massage routine player for the terminal.

The package root stays import-light on purpose: `unknot validate`, `list`, `show` and the
headless player never import Textual (see tests/test_import_hygiene.py).
"""

__version__ = "0.1.0"
