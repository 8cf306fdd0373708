"""tthc: an open, git-based catalog of administrative procedures.

The package follows the pipeline of DESIGN.md §2, one module per stage:
``load`` (strict YAML with positions), ``validate`` (schema and rules),
``model`` (typed, frozen objects), ``history`` (git), ``diff`` (semantic
diff), ``render`` (Jinja2 pages), ``build`` (MkDocs site), ``stats`` and
``export``. ``cli`` and ``plugin`` are thin adapters over these.
"""

from __future__ import annotations

__version__ = "0.1.0"
