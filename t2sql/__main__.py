import sys

from t2sql.cli import main

if __name__ == "__main__":  # query workers are spawned processes: importing this must not run the CLI
    sys.exit(main())
