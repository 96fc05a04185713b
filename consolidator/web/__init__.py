"""The web page of a round (DESIGN.md §8): `consolidator serve ROUND`."""
