"""Practice question -> SQL pairs written over a connected database, verified by running them."""
