"""Reading authored files, for every package that reads them: positions, problems, the safe
file reader, the YAML reader that keeps positions, and the JSON Schema checks.

The leaf of Lotsen's packages: it imports no other part of Lotsen, so ``flows``, ``directory``,
``i18n`` and ``pack`` can all build on it without importing each other in a circle.
"""

from __future__ import annotations
