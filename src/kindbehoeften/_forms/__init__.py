"""Form files, extensions, their checks, and the catalog."""
