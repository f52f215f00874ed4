"""Use cases: each service function owns its transaction and raises domain errors."""
