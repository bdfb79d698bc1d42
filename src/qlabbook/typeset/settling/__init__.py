"""Settling an essay's pages: figures that left a gap moved down, notes kept with their calls,
each new layout resumed from the first page a change can reach."""
