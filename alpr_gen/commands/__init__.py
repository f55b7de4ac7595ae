"""One module per CLI command; each exposes `register(app)`. Keep imports here light."""
