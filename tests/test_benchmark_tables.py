"The README's benchmark tables hold measured numbers: each value is one printed in `benchmarks/results/`, as rounded."
import re
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
NUM = re.compile(r'\d+\.\d+')

def table_rows(text:str, header:str) -> list[str]:
    "The body rows of the README table whose first header cell starts with `header`."
    lines = text.splitlines()
    i = next(k for k, l in enumerate(lines) if l.strip().startswith(f'| {header}'))
    rows = []
    for l in lines[i + 2:]:
        if not l.strip().startswith('|'):
            break
        rows.append(l)
    return rows

def printed(decimals:int) -> set[str]:
    "Every decimal number in the benchmark outputs, rounded to `decimals` places."
    return {f'{float(x):.{decimals}f}' for f in (REPO/'benchmarks'/'results').glob('*.txt') for x in NUM.findall(f.read_text())}

@pytest.mark.parametrize('header', ['SD v1.4, one H100', 'ShapesWorld, CPU, bank'])
def test_readme_benchmark_tables_are_measured(header):
    rows = table_rows((REPO/'README.md').read_text(), header)
    assert len(rows) >= 6, rows
    values = [x for r in rows for x in NUM.findall('|'.join(r.split('|')[2:]))]   # the value cells, not the row's label
    assert len(values) >= 2 * len(rows)
    missing = [x for x in values if x not in printed(len(x.split('.')[1]))]
    assert not missing, f"README {header!r} table: {missing} are in no file of benchmarks/results/"
