"""The core: what every other part builds on. Imports nothing else of the package."""
