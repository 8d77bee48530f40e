"""The one callback type for progress messages, shared by the layers that report them."""

from collections.abc import Callable

Progress = Callable[[str], None]  # told a short Korean line whenever a slow step moves on
