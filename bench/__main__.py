"""Run every benchmark: `python -m bench` (or `make bench`)."""

from bench import loader

if __name__ == "__main__":
    loader.main()
