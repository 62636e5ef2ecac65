"""Run a papermill entry notebook as `make train` does, ending with the notebook's own error message instead of
papermill's 60-line traceback when it fails.

    python tools/run_notebook.py LOG NAME PAPERMILL_ARGS...
    python tools/run_notebook.py runs/train.log 'make train' --log-output nbs/train.ipynb runs/train.ipynb -p steps 50

Papermill's output reaches the terminal as usual (the notebook's progress and printed lines) and LOG. From the first
line of a traceback on it goes to LOG only; the last line printed is then `NAME: error: <the exception's message>`,
e.g. "make train: error: ValueError: unknown parameter 'stpes' (did you mean 'steps'?); ...". The exit code is
papermill's.
"""
import subprocess, sys
from pathlib import Path

def main(argv:list[str]) -> int:
    log, name, args = Path(argv[0]), argv[1], argv[2:]
    log.parent.mkdir(parents=True, exist_ok=True)
    p = subprocess.Popen([str(Path(sys.executable).parent/'papermill'), *args], stderr=subprocess.PIPE, text=True)
    hidden, last = False, ''
    with open(log, 'w') as f:
        for line in p.stderr:
            f.write(line)
            hidden = hidden or line.startswith('Traceback (most recent call last)')
            if not hidden:
                sys.stderr.write(line)
                sys.stderr.flush()
            if line.strip():
                last = line.rstrip('\n')
    rc = p.wait()
    if rc:
        print(f"(papermill's whole output, with the traceback: {log})", file=sys.stderr)
        print(f"{name}: error: {last.strip()}", file=sys.stderr)
    return rc

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
